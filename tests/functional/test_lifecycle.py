"""A server's regions after boot: kept, released and scrubbed, or refused."""

import os

import nova.conf

from nova_fpga.simulator import ioctls
from nova_fpga.simulator import kinds
from tests.functional import libvirt_base
from tests.unit.backends import base as programming_base

FIRST, SECOND, AFU = libvirt_base.FIRST, libvirt_base.SECOND, libvirt_base.AFU
BLANK = '00000000000000000000000000000b1a'


def failed_event(test, server, action, event):
    """The details of a failed instance action event."""
    return test._wait_for_action_fail_completion(
        server, action, event)['details']


class LifecycleTest(libvirt_base.FPGAServersTestBase):
    # Refusals reach the API only as casts do: in instance action events.
    CAST_AS_CALL = False

    def start(self, *cards, **fpga_flags):
        self.host = self.start_fpga_compute('compute1', *cards, **fpga_flags)
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        self.flavor = self.fpga_flavor(**{'fpga:bitstream': image_id})
        return self.boot(self.flavor)

    def start_blanking(self, *cards):
        path = os.path.join(self.bitstream_cache, 'blank.gbs')
        with open(path, 'wb') as f:
            f.write(self.gbs('n6000', BLANK))
        return self.start(*cards, scrub_on_release='blank', blank_bitstreams={
            kinds.INTERFACE_IDS['n6000']: path})

    def test_delete_resets_the_region(self):
        server = self.start('n6000', scrub_on_release='reset')
        calls = programming_base.spy(self)
        self._delete_server(server)
        self.assertIn(('ioctl', 'dfl-port.0', ioctls.DFL_FPGA_PORT_RESET),
                      calls)
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        # A reset leaves the function loaded.
        self.assertEqual(AFU, self.loaded('compute1', FIRST))

    def test_delete_loads_the_blank_bitstream(self):
        server = self.start_blanking('n6000')
        self._delete_server(server)
        self.assertEqual(BLANK, self.loaded('compute1', FIRST))
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        # Nova's own update after the deletion reports the new function.
        traits = self.region_traits('compute1', FIRST)
        self.assertIn(libvirt_base.function_trait(BLANK), traits)
        self.assertNotIn(libvirt_base.function_trait(AFU), traits)

    def test_failed_scrub_is_logged_and_the_deletion_goes_on(self):
        server = self.start('n6000', scrub_on_release='reset')
        self.host.crash(FIRST)
        self._delete_server(server)
        self.assertIn('Scrubbing (reset) FPGA region %s port0 failed' % FIRST,
                      self.stdlog.logger.output)
        self.assertEqual(0, self.region_usage('compute1', FIRST))

    def test_hard_reboot_keeps_the_region_loaded(self):
        server = self.start_blanking('n6000')
        self._reboot_server(server, hard=True)
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        self.assertEqual([FIRST], self.hostdevs(server))

    def test_shelve_releases_and_unshelve_loads_again(self):
        self.flags(shelved_offload_time=0)
        server = self.start_blanking('n6000')
        server = self._shelve_server(server)
        self.assertEqual(BLANK, self.loaded('compute1', FIRST))
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        server = self._unshelve_server(server)
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        self.assertEqual([FIRST], self.hostdevs(server))

    def assertKept(self, server, calls):
        """The server's region loaded and attached, nothing programmed."""
        self.assertEqual([], [call for call in calls if call[0] == 'ioctl'])
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        self.assertEqual(1, self.region_usage('compute1', FIRST))
        self.assertEqual([FIRST], self.hostdevs(server))

    def test_stop_and_start_keep_the_region(self):
        server = self.start_blanking('n6000')
        calls = programming_base.spy(self)
        server = self._start_server(self._stop_server(server))
        self.assertKept(server, calls)

    def test_pause_and_unpause_keep_the_region(self):
        server = self.start_blanking('n6000')
        calls = programming_base.spy(self)
        self.api.post_server_action(server['id'], {'pause': None})
        server = self._wait_for_state_change(server, 'PAUSED')
        self.api.post_server_action(server['id'], {'unpause': None})
        server = self._wait_for_state_change(server, 'ACTIVE')
        self.assertKept(server, calls)

    def test_rescue_and_unrescue_keep_the_region(self):
        server = self.start_blanking('n6000')
        # Nova's fake image backend makes no instance directory; rescue
        # writes the domain's XML there.
        os.makedirs(os.path.join(nova.conf.CONF.instances_path, server['id']),
                    exist_ok=True)
        calls = programming_base.spy(self)
        server = self._rescue_server(server)
        # The rescue domain gets the region too.
        self.assertEqual([FIRST], self.hostdevs(server))
        server = self._unrescue_server(server)
        self.assertKept(server, calls)

    def test_resume_after_a_host_reboot_keeps_the_region(self):
        self.flags(resume_guests_state_on_host_boot=True)
        server = self.start_blanking('n6000')
        calls = programming_base.spy(self)
        # The host went down under the guest; nova-compute starts again.
        self.computes['compute1'].driver._host.get_connection() \
            .lookupByUUIDString(server['id']).destroy()
        self.restart_compute_service('compute1')
        server = self._wait_for_state_change(server, 'ACTIVE')
        self.assertTrue(self.computes['compute1'].driver._host
                        .get_connection().lookupByUUIDString(server['id'])
                        .isActive())
        self.assertKept(server, calls)

    def test_suspend_is_refused(self):
        server = self.start('n6000')
        self.api.post_server_action(server['id'], {'suspend': {}})
        details = failed_event(self, server, 'suspend',
                               'compute_suspend_instance')
        self.assertIn('Suspending is refused: the instance holds FPGA '
                      'region(s) %s_port0' % FIRST, details)
        self._wait_for_state_change(server, 'ACTIVE')


class LiveMigrationTest(libvirt_base.FPGAServersTestBase):
    CAST_AS_CALL = False

    def test_live_migration_is_refused(self):
        host = self.simulate('n6000:2')
        self.start_compute_on(host, 'compute1', enabled_devices=[FIRST])
        self.start_compute_on(host, 'compute2', enabled_devices=[SECOND])
        server = self.boot(self.fpga_flavor())
        source = server['OS-EXT-SRV-ATTR:host']
        self.api.post_server_action(server['id'], {'os-migrateLive': {
            'host': None, 'block_migration': 'auto'}})
        self._wait_for_migration_status(server, ['error'])
        # Nova passes over a host whose checks refuse; the event says why.
        details = failed_event(self, server, 'live-migration',
                               'compute_check_can_live_migrate_destination')
        self.assertIn('Live migration is refused: the instance holds FPGA '
                      'region(s)', details)
        server = self._wait_for_state_change(server, 'ACTIVE')
        self.assertEqual(source, server['OS-EXT-SRV-ATTR:host'])
