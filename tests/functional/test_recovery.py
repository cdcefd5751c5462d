"""Regions through failures: quarantine, a card lost and back, a restart."""

import errno
import json
import os

from nova_fpga.regions import quarantine
from tests.functional import libvirt_base

FIRST, SECOND, AFU = libvirt_base.FIRST, libvirt_base.SECOND, libvirt_base.AFU
QUARANTINED = 'CUSTOM_FPGA_QUARANTINED'


class RecoveryTest(libvirt_base.FPGAServersTestBase):

    def start(self, cards='n6000', **fpga_flags):
        self.host = self.start_fpga_compute('compute1', cards, **fpga_flags)
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        self.flavor = self.fpga_flavor(**{'fpga:bitstream': image_id})
        return self.boot(self.flavor)

    def reserved(self, address):
        rp_uuid = self.fpga_provider('compute1', address)
        return self._get_provider_inventory(rp_uuid)['FPGA']['reserved']

    def quarantined(self):
        with open(os.path.join(self.state_dir, quarantine.FILE_NAME)) as f:
            return json.load(f)

    def assertQuarantined(self, address):
        self.assertEqual(1, self.reserved(address))
        self.assertIn(QUARANTINED, self.region_traits('compute1', address))
        self.assertIn('%s_port0' % address, self.quarantined())

    def assertFree(self, address):
        self.assertEqual(0, self.reserved(address))
        self.assertNotIn(QUARANTINED, self.region_traits('compute1', address))
        self.assertNotIn('%s_port0' % address, self.quarantined())

    def test_failed_scrub_quarantines_until_a_retry_succeeds(self):
        server = self.start(scrub_on_release='reset')
        # The card stays healthy: only the record tells the region is dirty.
        self.host.inject_fault(FIRST, 'reset', errno.EIO, count=100)
        self._delete_server(server)
        self._run_periodics(raise_on_error=True)
        self.assertQuarantined(FIRST)
        reason = self.quarantined()['%s_port0' % FIRST]
        self.assertIn('Scrubbing (reset) FPGA region %s port0 failed' % FIRST,
                      reason)
        self.assertIn('FPGA region %s_port0 is quarantined' % FIRST,
                      self.stdlog.logger.output)
        # Nothing new lands on it.
        self.boot(self.flavor, expected_state='ERROR')

        self.host.clear_faults(FIRST)
        # The failed boot logged NoValidHost's traceback.
        self._run_periodics()
        self.assertFree(FIRST)
        self.boot(self.flavor)

    def test_failed_programming_quarantines_the_region(self):
        self.flags(max_attempts=1, group='scheduler')
        self.host = self.start_fpga_compute('compute1', 'n6000')
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        self.host.inject_fault(FIRST, 'pr', errno.EIO)
        # Nova's update after the failed build retries the scrub at once;
        # it fails too here, so the region stays held.
        self.host.inject_fault(FIRST, 'reset', errno.EIO, count=100)
        self.boot(self.fpga_flavor(**{'fpga:bitstream': image_id}),
                  expected_state='ERROR')
        self._run_periodics()
        self.assertQuarantined(FIRST)
        self.assertIn('partial reconfiguration of port 0',
                      self.quarantined()['%s_port0' % FIRST])
        self.host.clear_faults(FIRST)
        self._run_periodics()
        self.assertFree(FIRST)

    def test_card_lost_under_a_running_server_and_back(self):
        server = self.start()
        self.host.crash(FIRST)
        self._run_periodics(raise_on_error=True)
        self.assertEqual(1, self.reserved(FIRST))
        self.assertIn('FPGA region %s_port0 of instance %s is lost (compat_id'
                      ' of region1 reads all f' % (FIRST, server['id']),
                      self.stdlog.logger.output)
        self.assertEqual(1, self.region_usage('compute1', FIRST))
        # The server's own actions say so.
        details = self._wait_for_action_fail_completion(
            server, 'fpga-region-lost', 'compute_fpga_region_lost')['details']
        self.assertIn('FPGA region %s_port0 of instance %s is lost' % (
            FIRST, server['id']), details)

        self.host.recover(FIRST)
        self._run_periodics(raise_on_error=True)
        self.assertEqual(0, self.reserved(FIRST))
        self.assertIn('FPGA region %s_port0 of instance %s is back' % (
            FIRST, server['id']), self.stdlog.logger.output)
        self._wait_for_instance_action_event(
            server, 'fpga-region-back', 'compute_fpga_region_back',
            'success')
        self.assertEqual([FIRST], self.hostdevs(server))

    def test_restart_keeps_the_assignments_and_the_quarantine(self):
        server = self.start('n6000:2', scrub_on_release='reset')
        (held,) = self.hostdevs(server)
        other = SECOND if held == FIRST else FIRST
        doomed = self.boot(self.flavor)
        self.host.inject_fault(other, 'reset', errno.EIO, count=100)
        self._delete_server(doomed)
        self._run_periodics(raise_on_error=True)
        self.assertQuarantined(other)

        self.restart_compute_service('compute1')
        self._run_periodics(raise_on_error=True)
        self.assertQuarantined(other)
        self.assertEqual(AFU, self.loaded('compute1', held))
        self.assertEqual(1, self.region_usage('compute1', held))
        self.assertEqual([held], self.hostdevs(server))
        # The new driver finds the region in instance.resources again.
        server = self._reboot_server(server, hard=True)
        self.assertEqual([held], self.hostdevs(server))
        self.assertEqual(AFU, self.loaded('compute1', held))

        self.host.clear_faults(other)
        self._run_periodics(raise_on_error=True)
        self.assertFree(other)

    def test_restart_after_programming_was_interrupted(self):
        # A process killed while programming leaves its mark, as this one.
        self.host = self.start_fpga_compute('compute1', 'n6000')
        interrupted = ('Programming with bitstream image x of FPGA region %s '
                       'port0 began at 2026-01-01T00:00:00+00:00 and %s' % (
                           FIRST, quarantine.INTERRUPTED))
        quarantine.Quarantine(self.state_dir).add('%s_port0' % FIRST,
                                                  interrupted)
        # The retries fail until the fault is cleared: the region is held.
        self.host.inject_fault(FIRST, 'reset', errno.EIO, count=100)
        self.restart_compute_service('compute1')
        self._run_periodics()
        self.assertIn('FPGA region %s_port0 was interrupted and is held in '
                      'quarantine until a scrub of it succeeds: %s' % (
                          FIRST, interrupted), self.stdlog.logger.output)
        self.assertQuarantined(FIRST)
        self.assertEqual(interrupted, self.quarantined()['%s_port0' % FIRST])
        self.assertEqual(0, self.region_usage('compute1', FIRST))

        self.host.clear_faults(FIRST)
        self._run_periodics(raise_on_error=True)
        self.assertFree(FIRST)
        self.assertEqual(0, self.region_usage('compute1', FIRST))
