"""Resize and cold migration: the regions move with the server."""

from nova.tests.fixtures import libvirt as fakelibvirt

from nova_fpga.simulator import ioctls
from tests.functional import libvirt_base
from tests.unit.backends import base as programming_base

FIRST, SECOND, AFU = libvirt_base.FIRST, libvirt_base.SECOND, libvirt_base.AFU
OTHER_AFU = 'fedcba9876543210fedcba9876543210'
BLANK = '00000000000000000000000000000b1a'
MOVE_DISKS = libvirt_base.MOVE_DISKS


class _MoveTestBase(libvirt_base.FPGAServersTestBase):

    def setUp(self):
        super().setUp()
        self.image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                           fpga_function='nlb')
        self.flavor = self.fpga_flavor(**{'fpga:bitstream': self.image_id})

    def on_two_computes(self):
        """compute1 with the first card, compute2 with the second."""
        self.host = self.simulate('n6000:2')
        for hostname, address in (('compute1', FIRST), ('compute2', SECOND)):
            self.start_compute_on(self.host, hostname,
                                  enabled_devices=[address],
                                  scrub_on_release='reset')
        return self.boot(self.flavor, host='compute1')

    def on_one_compute(self):
        self.flags(allow_resize_to_same_host=True)
        self.host = self.start_fpga_compute('compute1', 'n6000:2',
                                            scrub_on_release='reset')
        return self.boot(self.flavor)

    def held(self, server):
        """The address of the card whose region the server holds."""
        (address,) = self.hostdevs(server)
        return address

    def assertHolds(self, server, hostname, address, function=AFU):
        self.assertEqual(server['OS-EXT-SRV-ATTR:host'], hostname)
        self.assertEqual([address], self.hostdevs(server))
        self.assertEqual(function, self.loaded(hostname, address))
        self.assertEqual(1, self.region_usage(hostname, address))

    def domain(self, server):
        return self.computes[server['OS-EXT-SRV-ATTR:host']].driver._host \
            .get_connection().lookupByUUIDString(server['id'])

    def migrate(self, server):
        with MOVE_DISKS:
            return self._migrate_server(server)

    def resize(self, server, flavor):
        with MOVE_DISKS:
            return self._resize_server(server, flavor)

    def other_flavor(self, function=OTHER_AFU, kind='n6000'):
        image_id = self.add_bitstream(self.gbs(kind, function),
                                      name='other-%s' % kind,
                                      fpga_function='other')
        return self.fpga_flavor(**{'fpga:bitstream': image_id})


class MigrationTest(_MoveTestBase):

    def test_cold_migration_to_another_host_then_confirm(self):
        server = self.on_two_computes()
        server = self.migrate(server)
        self.assertHolds(server, 'compute2', SECOND)
        # The source region stays as it was until the confirm.
        self.assertEqual(1, self.region_usage('compute1', FIRST))
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        calls = programming_base.spy(self)
        server = self._confirm_resize(server)
        self.assertHolds(server, 'compute2', SECOND)
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        # Scrubbed: the source region's port was reset, nothing else.
        self.assertEqual([('ioctl', 'dfl-port.0', ioctls.DFL_FPGA_PORT_RESET)],
                         [call for call in calls if call[0] == 'ioctl'])

    def test_cold_migration_revert_keeps_the_source_region(self):
        server = self.on_two_computes()
        server = self.migrate(server)
        calls = programming_base.spy(self)
        server = self._revert_resize(server)
        self.assertHolds(server, 'compute1', FIRST)
        self.assertEqual(0, self.region_usage('compute2', SECOND))
        # The destination's region scrubbed, the source's not programmed.
        self.assertEqual([('ioctl', 'dfl-port.1', ioctls.DFL_FPGA_PORT_RESET)],
                         [call for call in calls if call[0] == 'ioctl'])

    def test_revert_loads_a_source_region_scrubbed_meanwhile(self):
        server = self.on_two_computes()
        server = self.migrate(server)
        self.host.set_function(FIRST, 0, BLANK)
        server = self._revert_resize(server)
        self.assertHolds(server, 'compute1', FIRST)

    def test_resize_on_the_same_host_with_another_bitstream(self):
        server = self.on_one_compute()
        source = self.held(server)
        target = SECOND if source == FIRST else FIRST
        server = self.resize(server, self.other_flavor())
        self.assertHolds(server, 'compute1', target, OTHER_AFU)
        self.assertEqual(1, self.region_usage('compute1', source))
        server = self._confirm_resize(server)
        self.assertHolds(server, 'compute1', target, OTHER_AFU)
        self.assertEqual(0, self.region_usage('compute1', source))

    def test_resize_on_the_same_host_then_revert(self):
        server = self.on_one_compute()
        source = self.held(server)
        # More memory, the same FPGA request.
        server = self.resize(server, self._create_flavor(
            memory_mb=1024, vcpu=1, disk=1, ephemeral=0, extra_spec={
                'resources:FPGA': '1', 'fpga:bitstream': self.image_id}))
        server = self._revert_resize(server)
        self.assertHolds(server, 'compute1', source)
        self.assertEqual(0, self.region_usage(
            'compute1', SECOND if source == FIRST else FIRST))

    def assertBothRegionsBoot(self):
        first, second = self.boot(self.flavor), self.boot(self.flavor)
        self.assertEqual({FIRST, SECOND},
                         {self.held(first), self.held(second)})

    # Nova's resource tracker stops tracking a server at the confirm or
    # revert of its resize on its host: deleted before the tracker's audit,
    # it left the region it held assigned there, and the boot sent to that
    # region failed (see nova_fpga.virt.tracking).

    def test_a_server_deleted_once_its_resize_on_the_host_is_confirmed(self):
        server = self.on_one_compute()
        self._delete_server(self._confirm_resize(
            self.resize(server, self.other_flavor())))
        self.assertBothRegionsBoot()

    def test_a_server_deleted_once_its_resize_on_the_host_is_reverted(self):
        server = self.on_one_compute()
        self._delete_server(self._revert_resize(
            self.resize(server, self.other_flavor())))
        self.assertBothRegionsBoot()

    def test_resize_to_another_host_with_another_bitstream(self):
        server = self.on_two_computes()
        server = self.resize(server, self.other_flavor())
        self.assertHolds(server, 'compute2', SECOND, OTHER_AFU)
        server = self._confirm_resize(server)
        self.assertEqual(0, self.region_usage('compute1', FIRST))

    def plain_flavor(self):
        return self._create_flavor(memory_mb=1024, vcpu=1, disk=1,
                                   ephemeral=0)

    def test_resize_to_a_flavor_without_an_fpga(self):
        server = self.on_two_computes()
        server = self.resize(server, self.plain_flavor())
        self.assertEqual('compute2', server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual([], self.hostdevs(server))
        self.assertEqual(0, self.region_usage('compute2', SECOND))
        calls = programming_base.spy(self)
        server = self._confirm_resize(server)
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        self.assertEqual([('ioctl', 'dfl-port.0', ioctls.DFL_FPGA_PORT_RESET)],
                         [call for call in calls if call[0] == 'ioctl'])

    def test_resize_from_a_flavor_without_an_fpga(self):
        self.host = self.simulate('n6000:2')
        for hostname, address in (('compute1', FIRST), ('compute2', SECOND)):
            self.start_compute_on(self.host, hostname,
                                  enabled_devices=[address])
        server = self.boot(self.plain_flavor(), host='compute1')
        self.assertEqual([], self.hostdevs(server))
        server = self.resize(server, self.flavor)
        self.assertHolds(server, 'compute2', SECOND)
        server = self._confirm_resize(server)
        self.assertHolds(server, 'compute2', SECOND)


class FailedMoveTest(_MoveTestBase):
    """A move that fails on its destination, as Nova runs it: cast."""

    # Otherwise the destination's failure would reach the source, which
    # would reschedule: Nova casts finish_resize.
    CAST_AS_CALL = False

    def fail_on_the_destination(self):
        """A resize to compute2 whose bitstream does not fit its card."""
        server = self.on_two_computes()
        with MOVE_DISKS:
            self.api.post_server_action(server['id'], {'resize': {
                'flavorRef': self.other_flavor(AFU, kind='d5005')}})
            return self._wait_for_state_change(server, 'ERROR')

    def test_a_failure_on_the_destination_is_the_servers_fault(self):
        server = self.fail_on_the_destination()
        message = server['fault']['message']
        self.assertIn('FPGA region %s port0' % SECOND, message)
        self.assertIn('other-d5005', message)
        self.assertIn('interface', message)
        # No guest was defined there.
        self.assertRaises(fakelibvirt.libvirtError, self.domain, server)
        # Nova frees the source's region and keeps the destination's, with
        # the old flavor: a hard reboot loads its bitstream there.
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        server = self._reboot_server(server, hard=True)
        self.assertHolds(server, 'compute2', SECOND)

    def test_the_source_region_left_by_a_failed_move_is_scrubbed(self):
        server = self.fail_on_the_destination()
        # Nova's resource tracker holds the source region while the failed
        # migration lasts, and forgets it with the server; Nova never tells
        # the source's driver (its clean-up of incomplete migrations looks
        # for migrations that deleting the server has deleted).
        self._delete_server(server)
        self._run_periodics()
        calls = programming_base.spy(self)
        other = self.boot(self.fpga_flavor(), host='compute1')
        self.assertEqual([FIRST], self.hostdevs(other))
        # Scrubbed before it was given to the next server.
        self.assertEqual([('ioctl', 'dfl-port.0', ioctls.DFL_FPGA_PORT_RESET)],
                         [call for call in calls if call[0] == 'ioctl'])
