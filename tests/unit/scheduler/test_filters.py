"""The order in which a host's allocation candidates are claimed."""

from unittest import mock

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

    def passes(self, state, spec=None):
        """Filter one host for a request; whether it passed."""
        return [state] == list(self.filter.filter_all([state],
                                                      spec or object()))

    def firsts(self, state, times):
        """The first candidate after each of ``times`` requests."""
        found = []
        for _ in range(times):
            state.allocation_candidates = list(self.candidates)
            self.assertTrue(self.passes(state))
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
            self.passes(state)
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

    def warm(self, *providers):
        lookup = mock.Mock(return_value=frozenset(providers))
        self.filter._lookup.of = lookup
        return lookup

    def test_warm_candidates_come_first_and_still_turn(self):
        self.candidates = [candidate('rp%d' % i) for i in range(4)]
        self.warm('rp1', 'rp3')
        state = host('a', ())
        firsts = self.firsts(state, 4)
        self.assertEqual({'rp1', 'rp3'}, {
            p for c in firsts for p in c['allocations'] if p != 'root'})
        self.assertTrue(state.fpga_warm)

    def test_a_host_without_a_warm_candidate_is_not_warm(self):
        self.candidates = [candidate('rp%d' % i) for i in range(2)]
        self.warm('elsewhere')
        state = host('a', ())
        self.firsts(state, 1)
        self.assertFalse(state.fpga_warm)

    def test_the_lookup_is_made_once_per_request(self):
        # A multi-create filters again with the same spec.
        self.candidates = [candidate('rp%d' % i) for i in range(2)]
        lookup = self.warm('rp1')
        spec, state = object(), host('a', self.candidates)
        for _ in range(3):
            self.passes(state, spec)
        lookup.assert_called_once_with(spec)
        self.passes(state, object())
        self.assertEqual(2, lookup.call_count)

    def test_no_lookup_without_our_resources(self):
        self.candidates = [candidate('rp%d' % i, 'VGPU') for i in range(2)]
        lookup = self.warm('rp1')
        self.firsts(host('a', ()), 1)
        lookup.assert_not_called()

    def test_it_runs_for_each_instance_but_not_on_rebuild(self):
        self.assertFalse(self.filter.run_filter_once_per_request)
        self.assertFalse(self.filter.RUN_ON_REBUILD)

    def test_available_with_nova_filters(self):
        found = filters.all_filters()
        self.assertIn(filters.FPGACandidateFilter, found)
        self.assertTrue(set(nova_filters.all_filters()) < set(found))
