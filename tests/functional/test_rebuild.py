"""Rebuild and evacuate: the regions a server holds through them."""

from nova_fpga.simulator import ioctls
from tests.functional import libvirt_base
from tests.unit.backends import base as programming_base

FIRST, SECOND, AFU = libvirt_base.FIRST, libvirt_base.SECOND, libvirt_base.AFU
OTHER_AFU = 'fedcba9876543210fedcba9876543210'
RESET = ('ioctl', ioctls.DFL_FPGA_PORT_RESET)


def ioctls_of(calls):
    return [(method, request) for method, _, request in calls
            if method == 'ioctl']


class RebuildTest(libvirt_base.FPGAServersTestBase):
    # A failed rebuild reaches the API only as casts do: as the fault.
    CAST_AS_CALL = False

    def setUp(self):
        super().setUp()
        self.image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                           fpga_function='nlb')

    def assertHolds(self, server, hostname, address, function=AFU):
        self.assertEqual(hostname, server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual([address], self.hostdevs(server))
        self.assertEqual(function, self.loaded(hostname, address))
        self.assertEqual(1, self.region_usage(hostname, address))

    def test_rebuild_with_an_image_of_another_bitstream(self):
        self.start_fpga_compute('compute1', 'n6000', scrub_on_release='reset')
        server = self.boot(self.fpga_flavor(), image_uuid=self.vm_image(
            fpga_bitstream=self.image_id))
        other = self.add_bitstream(self.gbs('n6000', OTHER_AFU),
                                   name='other', fpga_function='other')
        calls = programming_base.spy(self)
        server = self._rebuild_server(
            server, self.vm_image(fpga_bitstream=other))
        self.assertHolds(server, 'compute1', FIRST, OTHER_AFU)
        # Programmed once, with the new bitstream, and not scrubbed first:
        # the server stays the same project's.
        self.assertEqual([('ioctl', ioctls.DFL_FPGA_FME_PORT_PR)],
                         [call for call in ioctls_of(calls)
                          if call[1] == ioctls.DFL_FPGA_FME_PORT_PR])
        self.assertNotIn(RESET, ioctls_of(calls))

    def test_rebuild_with_the_same_request_programs_nothing(self):
        self.start_fpga_compute('compute1', 'n6000', scrub_on_release='reset')
        flavor = self.fpga_flavor(**{'fpga:bitstream': self.image_id})
        server = self.boot(flavor)
        calls = programming_base.spy(self)
        # Another VM image; the flavor's request is the same.
        server = self._rebuild_server(
            server, self.vm_image(fpga_function='other'))
        self.assertHolds(server, 'compute1', FIRST)
        self.assertEqual([], ioctls_of(calls))
        self.assertIn('FPGA regions %s_port0: skipped' % FIRST,
                      self.stdlog.logger.output)

    def test_a_rebuild_that_cannot_load_names_the_bitstream(self):
        self.flags(max_attempts=1, group='scheduler')
        self.start_fpga_compute('compute1', 'n6000', scrub_on_release='reset')
        server = self.boot(self.fpga_flavor(), image_uuid=self.vm_image(
            fpga_bitstream=self.image_id))
        # Built for another card's interface.
        wrong = self.add_bitstream(self.gbs('d5005', OTHER_AFU),
                                   name='wrong-interface',
                                   fpga_function='wrong')
        calls = programming_base.spy(self)
        self.api.post_server_action(server['id'], {'rebuild': {
            'imageRef': self.vm_image(fpga_bitstream=wrong)}})
        server = self._wait_for_state_change(server, 'ERROR')
        self.assertIn('wrong-interface', server['fault']['message'])
        self.assertIn('does not fit region port0', server['fault']['message'])
        # Nova drops the allocation of a failed rebuild: the region goes
        # back to the pool scrubbed, not with the server's design.
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        self.assertIn(RESET, ioctls_of(calls))


class EvacuateTest(libvirt_base.FPGAServersTestBase):

    def setUp(self):
        super().setUp()
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        self.flavor = self.fpga_flavor(**{'fpga:bitstream': image_id})
        self.host = self.simulate('n6000:2')

    def start_on(self, hostname, address):
        self.start_compute_on(self.host, hostname, enabled_devices=[address],
                              scrub_on_release='reset')

    def test_evacuate_then_the_host_left_scrubs_when_it_is_back(self):
        self.start_on('compute1', FIRST)
        self.start_on('compute2', SECOND)
        server = self.boot(self.flavor, host='compute1')
        self.computes['compute1'].stop()
        self.force_down('compute1', True)

        # Nova's helper waits for SHUTOFF, as its own evacuate tests do.
        server = self._evacuate_server(
            server, {'host': 'compute2'}, expected_host='compute2')
        self.assertEqual([SECOND], self.hostdevs(server))
        self.assertEqual(AFU, self.loaded('compute2', SECOND))
        self.assertEqual(1, self.region_usage('compute2', SECOND))
        # The host it left is down: nothing touched its region yet.
        self.assertEqual(AFU, self.loaded('compute1', FIRST))

        calls = programming_base.spy(self)
        self.flags(enabled_devices=[FIRST], group='fpga')
        self.restart_compute_service('compute1')
        self.force_down('compute1', False)
        self.assertIn(('ioctl', 'dfl-port.0', ioctls.DFL_FPGA_PORT_RESET),
                      calls)
        self.assertIn('Scrubbing FPGA regions %s_port0, which this instance '
                      'held on this host before it was evacuated to '
                      'compute2' % FIRST, self.stdlog.logger.output)
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        # The server keeps what it holds on its new host.
        self.assertNotIn(('ioctl', 'dfl-port.1', ioctls.DFL_FPGA_PORT_RESET),
                         calls)
        self.assertEqual(1, self.region_usage('compute2', SECOND))
        self.assertEqual([SECOND], self.hostdevs(server))
