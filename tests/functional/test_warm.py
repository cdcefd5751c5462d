"""Boots onto regions that hold the function already; warm regions.

FPGACandidateFilter puts a host's candidates that hold what the request
asks for first, FPGAWarmWeigher such hosts; ``[fpga] warm_bitstreams``
keeps free regions loaded. Programming is counted as the simulated
kernel sees it: partial-reconfiguration ioctls.
"""

from unittest import mock

import fixtures
from nova import context as nova_context

from nova_fpga import simulator
from nova_fpga.simulator import ioctls
from tests.functional import libvirt_base
from tests.functional import test_scheduling
from tests.unit.backends import base as programming_base

AFU = libvirt_base.AFU


def programmings(calls):
    return sum(1 for name, _, request in calls
               if name == 'ioctl' and request == ioctls.DFL_FPGA_FME_PORT_PR)


class WarmTestBase(libvirt_base.FPGAServersTestBase):

    def _setup_scheduler_service(self):
        self.flags(available_filters=[
            'nova_fpga.scheduler.filters.all_filters'],
            enabled_filters=test_scheduling.NOVA_FILTERS + [
                'FPGACandidateFilter'],
            weight_classes=['nova_fpga.scheduler.weights.all_weighers'],
            group='filter_scheduler')
        return self.start_service('scheduler')

    def setUp(self):
        super().setUp()
        self.image_id = self.add_bitstream(
            self.gbs('n6000', AFU), name='nlb', fpga_function='nlb',
            fpga_function_id=AFU,
            fpga_interface_id=simulator.INTERFACE_IDS['n6000'])
        self.flavor = self.fpga_flavor(**{'fpga:bitstream': self.image_id})
        self.by_function = self.fpga_flavor(**{'fpga:function': 'nlb'})

    def addresses(self, hostname):
        return sorted(d.address for d in
                      self.fpga_hosts[hostname].expected().devices)

    def showing(self, hostname, function_id=AFU):
        return [a for a in self.addresses(hostname)
                if self.loaded(hostname, a) == function_id]


class WarmSchedulingTest(WarmTestBase):

    def test_boots_land_on_regions_holding_their_function(self):
        host = self.start_fpga_compute('compute1', 'n6000:4')
        warm = self.addresses('compute1')[2:]
        for address in warm:
            host.set_function(address, 0, AFU)
        self._run_periodics()
        calls = programming_base.spy(self)
        servers = [self.boot(flavor)
                   for flavor in (self.flavor, self.by_function)]
        self.assertEqual(0, programmings(calls))
        self.assertEqual(warm, sorted(
            address for s in servers for address in self.hostdevs(s)))
        # No warm region left: the next one is programmed.
        self.boot(self.flavor)
        self.assertEqual(1, programmings(calls))

    def test_pooled_regions_of_the_function_are_chosen(self):
        host = self.start_fpga_compute('compute1', 'n6000:4',
                                       provider_layout='pooled')
        warm = self.addresses('compute1')[2:]
        for address in warm:
            host.set_function(address, 0, AFU)
        self._run_periodics()
        calls = programming_base.spy(self)
        servers = [self.boot(self.flavor) for _ in warm]
        self.assertEqual(0, programmings(calls))
        self.assertEqual(warm, sorted(
            address for s in servers for address in self.hostdevs(s)))

    def test_the_host_with_a_warm_region_is_chosen(self):
        self.start_fpga_compute('compute1', 'n6000:2')
        host = self.start_fpga_compute('compute2', 'n6000:2')
        host.set_function(libvirt_base.SECOND, 0, AFU)
        self._run_periodics()
        calls = programming_base.spy(self)
        for _ in range(3):
            server = self.boot(self.flavor)
            self.assertEqual('compute2', server['OS-EXT-SRV-ATTR:host'])
            self.assertEqual([libvirt_base.SECOND], self.hostdevs(server))
            self.assertEqual(0, programmings(calls))
            self._delete_server(server)
            self._run_periodics()


class WarmBitstreamsTest(WarmTestBase):

    def setUp(self):
        super().setUp()
        # Nova's [service_user], as keystone would make it.
        self.session = self.useFixture(fixtures.MockPatch(
            'nova_fpga.identity.service_session',
            return_value=mock.sentinel.session)).mock
        self.useFixture(fixtures.MockPatch(
            'nova_fpga.identity.context_of',
            return_value=nova_context.get_admin_context()))

    def warmed(self, hostname='compute1'):
        """Once the warming under way, if any, is done."""
        warming = self.computes[hostname].driver._fpga_reporter.warming
        if warming is not None:
            warming.result(timeout=60)

    def update(self):
        """A periodic update, and the warming it started."""
        self.warmed()
        self._run_periodics()
        self.warmed()

    def test_free_regions_are_kept_warm_one_per_update(self):
        self.start_fpga_compute('compute1', 'n6000:4',
                                warm_bitstreams={self.image_id: 2})
        self.warmed()
        counts = [len(self.showing('compute1'))]
        for _ in range(3):
            self.update()
            counts.append(len(self.showing('compute1')))
        # One region an update, up to the two wanted.
        self.assertEqual(2, counts[-1])
        self.assertEqual([], [(a, b) for a, b in zip(counts, counts[1:])
                              if b - a not in (0, 1)])
        warm = self.showing('compute1')
        servers = [self.boot(self.flavor) for _ in range(2)]
        # Each got a warm region, not programmed for it.
        state = self.computes['compute1'].driver._fpga_regions.state
        self.assertEqual(warm, sorted(
            address for s in servers for address in self.hostdevs(s)))
        for server in servers:
            (address,) = self.hostdevs(server)
            loaded = state.read(address + '_port0')['loaded']
            self.assertEqual(('skipped', server['id']),
                             (loaded['outcome'], loaded['instance']))
        # Those are held now: the two other regions are warmed.
        for _ in range(3):
            self.update()
        self.assertEqual(4, len(self.showing('compute1')))

    def test_without_service_credentials_nothing_is_warmed(self):
        self.session.return_value = None
        self.start_fpga_compute('compute1', 'n6000:2',
                                warm_bitstreams={self.image_id: 1})
        self.update()
        self.assertEqual([], self.showing('compute1'))
        self.assertIn('FPGA warm bitstreams are not kept: no service '
                      'credentials', self.stdlog.logger.output)
