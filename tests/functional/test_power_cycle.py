"""A host power cycle under running servers: each region its function again.

After a power cycle every card comes up with its own power-up function.
Nova defines the servers' domains again (hard reboot, start, resume on
host boot); before each guest runs, the driver finds the region showing
another function than the one loaded for the server and loads it again
from the cache, or fails naming the region, bitstream and cause.
"""

import os
import shutil

from nova.tests.functional.api import client

from nova_fpga import simulator
from tests.functional import libvirt_base

FIRST, AFU = libvirt_base.FIRST, libvirt_base.AFU
FACTORY = simulator.FUNCTION_IDS['n6000']


class PowerCycleTest(libvirt_base.FPGAServersTestBase):

    def setUp(self):
        super().setUp()
        self.host = self.start_fpga_compute('compute1', 'n6000')
        self.image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                           name='nlb', fpga_function='nlb')
        self.server = self.boot(self.fpga_flavor(**{
            'fpga:bitstream': self.image_id}))
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        self.host.power_cycle()
        self.assertEqual(FACTORY, self.loaded('compute1', FIRST))

    def test_a_hard_reboot_loads_the_function_again(self):
        server = self._reboot_server(self.server, hard=True)
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        self.assertEqual([FIRST], self.hostdevs(server))
        self.assertIn('FPGA region %s port0 shows function %s, not %s' % (
            FIRST, FACTORY, AFU), self.stdlog.logger.output)

    def test_a_bitstream_deleted_from_glance_still_serves_its_server(self):
        # The cache keeps what servers hold: no Glance request is made.
        self.glance.delete(None, self.image_id)
        server = self._reboot_server(self.server, hard=True)
        self.assertEqual('ACTIVE', server['status'])
        self.assertEqual(AFU, self.loaded('compute1', FIRST))

    def test_a_start_loads_the_function_again(self):
        server = self._stop_server(self.server)
        server = self._start_server(server)
        self.assertEqual('ACTIVE', server['status'])
        self.assertEqual(AFU, self.loaded('compute1', FIRST))

    def test_a_reboot_after_the_cache_lost_it_fails_and_says_why(self):
        shutil.rmtree(os.path.join(self.bitstream_cache, 'sha512'))
        # The test's RPC casts are calls: the compute's failure shows here.
        self.assertRaises(client.OpenStackApiException,
                          self.api.post_server_action, self.server['id'],
                          {'reboot': {'type': 'HARD'}})
        server = self._wait_for_state_change(self.server, 'ERROR')
        message = server['fault']['message']
        self.assertIn('FPGA region %s port0, bitstream image %s (nlb): it '
                      'lost the function loaded for the instance' % (
                          FIRST, self.image_id), message)
        self.assertIn('no verified copy of it in the bitstream cache',
                      message)
        self.assertEqual(FACTORY, self.loaded('compute1', FIRST))
        # Quarantined (the next periodic update's retry may free it).
        self.assertIn('FPGA region %s_port0 is quarantined, reserved in '
                      'Placement until a scrub of it succeeds: FPGA region %s '
                      'port0, bitstream image %s' % (FIRST, FIRST,
                                                     self.image_id),
                      self.stdlog.logger.output)
