"""The order in which a host's allocation candidates are claimed."""

from nova.scheduler import filters as nova_filters
from nova.scheduler import host_manager
import testtools

from nova_fpga.scheduler import filters


def candidate(provider, resource_class='FPGA'):
    return {'allocations': {
        'root': {'resources': {'VCPU': 1, 'MEMORY_MB': 512}},
        provider: {'resources': {resource_class: 1}}},
        'mappings': {'': ['root', provider]}}


def host(uuid, candidates):
    state = host_manager.HostState('host-' + uuid, 'node-' + uuid, 'cell')
    state.uuid = uuid
    state.allocation_candidates = list(candidates)
    return state


class FPGACandidateFilterTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = filters.FPGACandidateFilter()

    def firsts(self, state, times):
        """The first candidate after each of ``times`` requests."""
        found = []
        for _ in range(times):
            state.allocation_candidates = list(self.candidates)
            self.assertTrue(self.filter.host_passes(state, None))
            self.assertCountEqual(self.candidates,
                                  state.allocation_candidates)
            found.append(state.allocation_candidates[0])
        return found

    def test_requests_at_once_claim_different_regions(self):
        self.candidates = [candidate('rp%d' % i) for i in range(3)]
        firsts = self.firsts(host('a', ()), 3)
        self.assertCountEqual(self.candidates, firsts)

    def test_each_instance_of_a_request_claims_another_region(self):
        # A multi-create: the list the last turn left, filtered again.
        self.candidates = [candidate('rp%d' % i) for i in range(3)]
        state = host('a', self.candidates)
        firsts = []
        for _ in range(3):
            self.filter.host_passes(state, None)
            firsts.append(state.allocation_candidates[0])
        self.assertCountEqual(self.candidates, firsts)

    def test_each_host_has_its_own_turns(self):
        self.candidates = [candidate('rp%d' % i) for i in range(2)]
        a, b = host('a', ()), host('b', ())
        self.assertNotEqual(*self.firsts(a, 2))
        self.assertNotEqual(*self.firsts(b, 2))

    def test_gpus_and_custom_classes_turn_too(self):
        for resource_class in ('PGPU', 'CUSTOM_FPGA_INTEL_PF'):
            self.candidates = [candidate('rp%d' % i, resource_class)
                               for i in range(2)]
            self.assertNotEqual(*self.firsts(host(resource_class, ()), 2))

    def test_other_requests_keep_placement_order(self):
        self.candidates = [candidate('rp%d' % i, 'VGPU') for i in range(3)]
        self.assertEqual([self.candidates[0]] * 3,
                         self.firsts(host('a', ()), 3))

    def test_one_candidate_is_left_alone(self):
        self.candidates = [candidate('rp0')]
        self.assertEqual(self.candidates * 2, self.firsts(host('a', ()), 2))

    def test_it_runs_for_each_instance_but_not_on_rebuild(self):
        self.assertFalse(self.filter.run_filter_once_per_request)
        self.assertFalse(self.filter.RUN_ON_REBUILD)

    def test_available_with_nova_filters(self):
        found = filters.all_filters()
        self.assertIn(filters.FPGACandidateFilter, found)
        self.assertTrue(set(nova_filters.all_filters()) < set(found))
