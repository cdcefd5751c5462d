"""Which region Nova's scheduler claims: FPGACandidateFilter's turns.

One request for two servers on a host with two free regions: Nova claims
for each instance in turn, from the candidates it got once.
"""

from nova_fpga.scheduler import filters
from tests.functional import libvirt_base

FIRST, SECOND = libvirt_base.FIRST, libvirt_base.SECOND
NOVA_FILTERS = ['ComputeFilter', 'ComputeCapabilitiesFilter',
                'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
                'ServerGroupAffinityFilter']


class MultiCreateTest(libvirt_base.FPGAServersTestBase):

    FILTERS = NOVA_FILTERS + [filters.FPGACandidateFilter.__name__]

    def _setup_scheduler_service(self):
        self.flags(available_filters=[
            'nova_fpga.scheduler.filters.all_filters'],
            enabled_filters=self.FILTERS, group='filter_scheduler')
        return self.start_service('scheduler')

    def create_two(self, state):
        self.flags(max_attempts=1, group='scheduler')
        self.start_fpga_compute('compute1', 'n6000:2')
        server = self._build_server(flavor_id=self.fpga_flavor(),
                                    networks='none')
        server.update(min_count=2, max_count=2)
        self.api.post_server({'server': server})
        servers = self.api.get_servers()
        self.assertEqual(2, len(servers))
        return [self._wait_for_state_change(s, state) for s in servers]

    def test_each_instance_claims_its_own_region(self):
        servers = self.create_two('ACTIVE')
        self.assertEqual([[FIRST], [SECOND]], sorted(
            self.hostdevs(server) for server in servers))


class WithoutTheFilterTest(MultiCreateTest):

    FILTERS = NOVA_FILTERS

    def test_each_instance_claims_its_own_region(self):
        # Nova alone claims one region twice: the request fails whole.
        servers = self.create_two('ERROR')
        self.assertIn('No valid host', servers[0]['fault']['message'])
