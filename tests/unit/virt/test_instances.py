"""The driver hooks around an instance's regions, with the work mocked."""

from unittest import mock

import fixtures
from lxml import etree
from nova import exception
from nova import objects
from nova import test
from nova.virt.libvirt import config as vconfig
from nova.virt.libvirt import driver as libvirt_driver
import os_resource_classes as orc
from oslo_utils.fixture import uuidsentinel as uuids

from nova_fpga import discovery
from nova_fpga import model
from nova_fpga.regions import exception as region_exc
from nova_fpga.regions import lifecycle
from nova_fpga.regions import programming
from nova_fpga import request
from nova_fpga.virt import driver

NODE = 'compute1'
BITSTREAM = '8a3f6e52-0b5c-4c8e-9d2a-6f1e2b3c4d5e'
REGION = model.Region(name='port0', attach=('0000:5e:00.1', '0000:5e:00.2'),
                      attach_kind=model.VF)
GPU = model.Device(address='0000:af:00.0', vendor='nvidia', family='gpu',
                   board='h100', regions=(model.Region(
                       name='gpu', attach=('0000:af:00.0',)),))
DEVICE = model.Device(address='0000:5e:00.0', vendor='intel', family='dfl',
                      board='n6000', regions=(REGION,))
CONTEXT = object()


class FakeLibvirtDriver:
    """The libvirt driver methods the mixin wraps, each recording its call."""

    _set_managed_mode = libvirt_driver.LibvirtDriver._set_managed_mode

    def __init__(self, virtapi, read_only=False):
        self.virtapi = virtapi
        self.calls = []
        self._host = mock.Mock(spec=['get_hostname'])
        self._host.get_hostname.return_value = NODE

    def spawn(self, context, instance, *args, **kwargs):
        self.calls.append('spawn')

    def _get_guest_config(self, instance, *args, **kwargs):
        return vconfig.LibvirtConfigGuest()

    def destroy(self, context, instance, *args, **kwargs):
        self.calls.append('destroy')

    def _hard_reboot(self, context, instance, network_info, *args, **kwargs):
        self.destroy(context, instance, network_info)
        self.calls.append('define')

    def suspend(self, context, instance):
        self.calls.append('suspend')

    def check_can_live_migrate_source(self, context, instance, *args,
                                      **kwargs):
        self.calls.append('source check')

    def check_can_live_migrate_destination(self, context, instance, *args,
                                           **kwargs):
        self.calls.append('destination check')

    def finish_migration(self, context, migration, instance, *args,
                         power_on=True, **kwargs):
        self.calls.append('finish' if power_on else 'finish powered off')

    def confirm_migration(self, context, migration, instance, network_info):
        self.calls.append('confirm')

    def finish_revert_migration(self, context, instance, *args, **kwargs):
        self.calls.append('revert')


class Driver(driver.FPGADriverMixin, FakeLibvirtDriver):
    pass


def resource(resource_class, identifier):
    return objects.Resource(provider_uuid=uuids.rp,
                            resource_class=resource_class,
                            identifier=identifier)


class InstanceHooksTest(test.NoDBTestCase):

    def setUp(self):
        super().setUp()
        self.flags(resource_classes={'u250': 'CUSTOM_FPGA_XILINX'},
                   group='fpga')
        self.drv = Driver(mock.Mock())
        self.regions = mock.Mock(spec=lifecycle.HostRegions)
        self.regions.inventory = mock.Mock(spec=discovery.HostInventory)
        self.regions.attachable.return_value = [(DEVICE, REGION)]
        self.regions.restore.return_value = []
        self.regions.load.side_effect = (
            lambda *args, **kwargs: self.drv.calls.append('load') or
            [programming.PROGRAMMED])
        self.regions.release.side_effect = (
            lambda *args: self.drv.calls.append('release'))
        self.drv._fpga_regions = self.regions
        self.events = self.useFixture(fixtures.MockPatch(
            'nova.compute.utils.EventReporter')).mock

    def spawn(self, instance):
        self.drv.spawn(CONTEXT, instance, 'image_meta', 'injected_files',
                       'admin_password', 'allocations')

    def guest_config(self, instance):
        return self.drv._get_guest_config(
            instance, 'network_info', 'image_meta', 'disk_info')

    def instance(self, resources=(), node=NODE, extra_specs=None,
                 image_properties=None, task_state=None):
        return objects.Instance(
            uuid=uuids.instance, host=NODE, node=node, task_state=task_state,
            flavor=objects.Flavor(extra_specs=extra_specs or {}),
            system_metadata={'image_' + key: value for key, value in
                             (image_properties or {}).items()},
            resources=objects.ResourceList(objects=list(resources)))

    def holding(self, **kwargs):
        """An instance holding two regions, and a vPMEM namespace."""
        return self.instance(resources=[
            resource(orc.FPGA, 'a_port0'),
            resource('CUSTOM_PMEM_NAMESPACE_4GB', 'ns_0'),
            resource('CUSTOM_FPGA_XILINX', 'b_slot0')], **kwargs)

    def test_spawn_loads_the_regions_before_the_domain(self):
        self.spawn(self.holding(extra_specs={'fpga:bitstream': BITSTREAM}))
        self.regions.attachable.assert_called_once_with(
            ['a_port0', 'b_slot0'])
        self.regions.load.assert_called_once_with(
            CONTEXT, self.drv._fpga_image_api, [(DEVICE, REGION)],
            request.Request(bitstream_id=BITSTREAM), instance=uuids.instance)
        self.assertEqual(['load', 'spawn'], self.drv.calls)
        # The event's times say how long loading took.
        self.events.assert_called_once_with(
            CONTEXT, 'compute_fpga_load_regions', mock.ANY, uuids.instance)
        self.assertIsNone(self.events.return_value.__exit__.call_args[0][1])

    def test_spawn_reads_the_image_properties(self):
        self.spawn(self.holding(image_properties={'fpga_function': 'nlb'}))
        self.assertEqual(request.Request(function='nlb'),
                         self.regions.load.call_args[0][3])

    def test_spawn_without_a_request_only_checks_the_regions(self):
        self.spawn(self.holding())
        self.regions.attachable.assert_called_once_with(
            ['a_port0', 'b_slot0'])
        self.assertEqual(['spawn'], self.drv.calls)

    def test_a_request_without_a_region_aborts_the_build(self):
        e = self.assertRaises(
            exception.BuildAbortException, self.spawn,
            self.instance(extra_specs={'fpga:function': 'nlb'}))
        self.assertIn("the flavor fpga:function asks for the bitstream of "
                      "function 'nlb', but the flavor gives the instance no "
                      "FPGA region: ask for one with resources:FPGA=1",
                      str(e))
        self.regions.attachable.assert_not_called()
        self.regions.hold.assert_not_called()
        self.assertEqual([], self.drv.calls)

    def test_a_request_with_a_gpu_only_aborts_the_build(self):
        self.regions.attachable.return_value = [(GPU, GPU.regions[0])]
        e = self.assertRaises(
            exception.BuildAbortException, self.spawn,
            self.instance(resources=[resource(orc.PGPU, '0000:af:00.0')],
                          image_properties={'fpga_function': 'nlb'}))
        self.assertIn('the image fpga_function asks for', str(e))
        self.regions.hold.assert_not_called()
        self.regions.load.assert_not_called()

    def test_a_key_that_is_no_request_aborts_the_build(self):
        for specs, key in (({'fpga:bitstrem': BITSTREAM}, 'fpga:bitstrem'),
                           ({'fpga_function': 'nlb'}, 'fpga_function')):
            e = self.assertRaises(
                exception.BuildAbortException, self.spawn,
                self.holding(extra_specs=specs))
            self.assertIn('the flavor sets %s, which is no FPGA request '
                          'key' % key, str(e))
        self.regions.attachable.assert_not_called()
        self.assertEqual([], self.drv.calls)

    def test_a_bad_request_aborts_the_build(self):
        e = self.assertRaises(
            exception.BuildAbortException, self.spawn,
            self.holding(image_properties={'fpga_bitstream': 'nlb'}))
        self.assertIn("the image sets fpga_bitstream to 'nlb'", str(e))
        self.assertEqual([], self.drv.calls)
        # Nothing was loaded, so the destroy after it scrubs nothing.
        self.drv.destroy(CONTEXT, self.holding(), 'network_info')
        self.regions.release.assert_not_called()

    def test_a_failure_to_load_is_not_an_abort(self):
        failure = region_exc.AssignmentFailed('a port0', 'cause', 'bitstream')
        self.regions.load.side_effect = failure
        e = self.assertRaises(
            driver.RegionsNotLoaded, self.spawn,
            self.holding(extra_specs={'fpga:function': 'nlb'}))
        self.assertEqual('FPGA region a port0, bitstream: cause',
                         e.format_message())
        self.assertIs(failure, e.__cause__)
        self.assertNotIsInstance(e, exception.BuildAbortException)
        self.assertEqual([], self.drv.calls)
        # The instance action event records it.
        self.events.assert_called_once_with(
            CONTEXT, 'compute_fpga_load_regions', mock.ANY, uuids.instance)
        self.assertIs(e, self.events.return_value.__exit__.call_args[0][1])

    def fail_to_load(self, touched):
        self.regions.load.side_effect = region_exc.AssignmentFailed(
            'a port0', 'cause', 'bitstream', touched=touched)
        instance = self.holding(extra_specs={'fpga:function': 'nlb'})
        self.assertRaises(driver.RegionsNotLoaded, self.spawn, instance)
        return instance

    def test_a_build_that_programmed_nothing_leaves_the_regions(self):
        instance = self.fail_to_load(touched=False)
        self.drv.destroy(CONTEXT, instance, 'network_info')
        self.regions.release.assert_not_called()
        self.assertIn('FPGA regions a_port0, b_slot0 are not scrubbed: the '
                      'build that failed programmed nothing into them',
                      self.stdlog.logger.output)
        # Once only: the next destroy of the instance scrubs.
        self.drv.destroy(CONTEXT, instance, 'network_info')
        self.regions.release.assert_called_once_with(['a_port0', 'b_slot0'])

    def test_a_build_that_programmed_a_region_scrubs_them(self):
        instance = self.fail_to_load(touched=True)
        self.drv.destroy(CONTEXT, instance, 'network_info')
        self.regions.release.assert_called_once_with(['a_port0', 'b_slot0'])

    def test_a_spawn_again_forgets_an_untouched_failure(self):
        instance = self.fail_to_load(touched=False)
        self.regions.load.side_effect = None
        self.regions.load.return_value = [programming.PROGRAMMED]
        self.spawn(instance)
        self.drv.destroy(CONTEXT, instance, 'network_info')
        self.regions.release.assert_called_once_with(['a_port0', 'b_slot0'])

    def test_guest_config_gets_a_managed_hostdev_per_function(self):
        guest = self.guest_config(self.holding())
        hostdevs = [etree.fromstring(device.to_xml())
                    for device in guest.devices]
        self.assertEqual(
            [('subsystem', 'pci', 'yes', '0x0000', '0x5e', '0x00', '0x1'),
             ('subsystem', 'pci', 'yes', '0x0000', '0x5e', '0x00', '0x2')],
            [(h.get('mode'), h.get('type'), h.get('managed')) + tuple(
                h.find('./source/address').get(part)
                for part in ('domain', 'bus', 'slot', 'function'))
             for h in hostdevs])

    def test_guest_config_loads_what_was_never_loaded_for_the_instance(self):
        # A hard reboot after a failed build or move: loaded as at spawn.
        self.regions.restore.return_value = [(DEVICE, REGION)]
        self.drv._get_guest_config(
            self.holding(extra_specs={'fpga:bitstream': BITSTREAM}),
            'network_info', 'image_meta', 'disk_info', context=CONTEXT)
        self.assertEqual(['load'], self.drv.calls)
        self.assertIs(CONTEXT, self.regions.load.call_args[0][0])
        self.regions.load.side_effect = region_exc.AssignmentFailed(
            'a port0', 'cause', 'bitstream')
        e = self.assertRaises(
            driver.RegionsNotLoaded, self.drv._get_guest_config,
            self.holding(extra_specs={'fpga:bitstream': BITSTREAM}),
            'network_info', 'image_meta', 'disk_info', context=CONTEXT)
        self.assertEqual('FPGA region a port0, bitstream: cause',
                         e.format_message())

    def test_guest_config_without_regions(self):
        guest = self.guest_config(self.instance())
        self.assertEqual([], guest.devices)
        self.regions.attachable.assert_not_called()

    def test_destroy_releases_once_the_domain_is_gone(self):
        self.drv.destroy(CONTEXT, self.holding(), 'network_info')
        self.regions.release.assert_called_once_with(['a_port0', 'b_slot0'])
        self.assertEqual(['destroy', 'release'], self.drv.calls)

    def test_hard_reboot_keeps_the_regions(self):
        instance = self.holding()
        self.drv._hard_reboot(CONTEXT, instance, 'network_info', 'share_info')
        self.assertEqual(['destroy', 'define'], self.drv.calls)
        self.drv.destroy(CONTEXT, instance, 'network_info')
        self.assertEqual('release', self.drv.calls[-1])

    def test_an_evacuated_instance_scrubs_what_its_domain_had_here(self):
        self.drv._host = mock.Mock(spec=['get_hostname', 'list_guests'])
        self.drv._host.get_hostname.return_value = NODE
        hostdev = vconfig.LibvirtConfigGuestHostdevPCI()
        hostdev.domain, hostdev.bus, hostdev.slot, hostdev.function = (
            '0x0000', '0x5e', '0x00', '0x1')
        other, guest = mock.Mock(uuid=uuids.other), mock.Mock(
            uuid=uuids.instance)
        guest.get_all_devices.return_value = [hostdev]
        self.drv._host.list_guests.return_value = [other, guest]
        self.regions.inventory.passed.return_value = ['c_port0']
        # The instance's record names what it holds on compute2 now.
        self.drv.destroy(CONTEXT, self.holding(node='compute2'), None)
        guest.get_all_devices.assert_called_once_with(
            vconfig.LibvirtConfigGuestHostdevPCI)
        other.get_all_devices.assert_not_called()
        self.drv._host.list_guests.assert_called_once_with(
            only_running=False)
        self.regions.inventory.passed.assert_called_once_with(['0000:5e:00.1'])
        self.regions.release.assert_called_once_with(['c_port0'])
        self.assertEqual(['destroy', 'release'], self.drv.calls)

    def test_an_evacuated_instance_without_its_domain_here(self):
        self.drv._host = mock.Mock(spec=['get_hostname', 'list_guests'])
        self.drv._host.get_hostname.return_value = NODE
        self.drv._host.list_guests.return_value = [mock.Mock(
            uuid=uuids.other)]
        self.regions.inventory.passed.return_value = []
        self.drv.destroy(CONTEXT, self.holding(node='compute2'), None)
        self.regions.inventory.passed.assert_called_once_with([])
        self.regions.release.assert_not_called()

    def test_a_rebuild_keeps_the_regions(self):
        self.drv.destroy(CONTEXT, self.holding(task_state='rebuilding'), None)
        self.assertEqual(['destroy'], self.drv.calls)
        self.regions.release.assert_not_called()

    def test_a_failed_rebuild_scrubs_the_regions(self):
        self.regions.load.side_effect = region_exc.AssignmentFailed(
            'a port0', 'cause', 'bitstream')
        instance = self.holding(task_state='rebuild_spawning',
                                extra_specs={'fpga:bitstream': BITSTREAM})
        self.assertRaises(driver.RegionsNotLoaded, self.spawn, instance)
        self.regions.release.assert_called_once_with(['a_port0', 'b_slot0'])
        # They held the server's earlier design: a later delete scrubs too.
        self.drv.destroy(CONTEXT, instance, None)
        self.assertEqual(2, self.regions.release.call_count)

    def test_destroy_without_regions(self):
        self.drv.destroy(CONTEXT, self.instance(), None)
        self.assertEqual(['destroy'], self.drv.calls)

    def test_refusals(self):
        for call, error, operation in (
                (lambda i: self.drv.suspend(CONTEXT, i),
                 exception.InstanceFaultRollback, 'Suspending'),
                (lambda i: self.drv.check_can_live_migrate_source(
                    CONTEXT, i, 'data'),
                 exception.MigrationPreCheckError, 'Live migration'),
                (lambda i: self.drv.check_can_live_migrate_destination(
                    CONTEXT, i, 'src', 'dst'),
                 exception.MigrationPreCheckError, 'Live migration')):
            done = list(self.drv.calls)
            e = self.assertRaises(error, call, self.holding())
            self.assertIn('%s is refused: the instance holds FPGA region(s) '
                          'a_port0, b_slot0, passed through to the guest'
                          % operation, str(e))
            self.assertEqual(done, self.drv.calls)
            call(self.instance())
        self.assertEqual(['suspend', 'source check', 'destination check'],
                         self.drv.calls)

    def finish_migration(self, instance):
        self.drv.finish_migration(CONTEXT, 'migration', instance, 'disk_info',
                                  'network_info', 'image_meta', False, {})

    def test_finish_migration_loads_the_new_regions_first(self):
        self.finish_migration(
            self.holding(extra_specs={'fpga:bitstream': BITSTREAM}))
        self.regions.attachable.assert_called_once_with(
            ['a_port0', 'b_slot0'])
        self.assertEqual(['load', 'finish'], self.drv.calls)

    def test_a_failure_on_the_destination_fails_the_move(self):
        # Nova puts the server in ERROR with this fault; no guest is made.
        self.regions.load.side_effect = region_exc.AssignmentFailed(
            'a port0', 'cause', 'bitstream')
        e = self.assertRaises(
            driver.RegionsNotLoaded, self.finish_migration,
            self.holding(extra_specs={'fpga:function': 'nlb'}))
        self.assertEqual('FPGA region a port0, bitstream: cause',
                         e.format_message())
        self.assertEqual([], self.drv.calls)

    def test_a_bad_request_on_the_destination_fails_the_move(self):
        e = self.assertRaises(
            driver.RegionsNotLoaded, self.finish_migration,
            self.holding(image_properties={'fpga_bitstream': 'nlb'}))
        self.assertIn("the image sets fpga_bitstream to 'nlb'",
                      e.format_message())
        self.assertEqual([], self.drv.calls)

    def test_confirm_releases_the_regions_left_here(self):
        instance = self.instance(resources=[resource(orc.FPGA, 'new_port0')])
        instance.migration_context = objects.MigrationContext(
            old_resources=self.holding().resources, new_resources=None)
        self.drv.confirm_migration(CONTEXT, 'migration', instance, None)
        self.regions.release.assert_called_once_with(['a_port0', 'b_slot0'])
        self.assertEqual(['confirm', 'release'], self.drv.calls)

    def test_confirm_without_regions(self):
        instance = self.instance()
        instance.migration_context = None
        self.drv.confirm_migration(CONTEXT, 'migration', instance, None)
        self.assertEqual(['confirm'], self.drv.calls)

    def test_revert_loads_the_regions_kept_here_again(self):
        self.drv.finish_revert_migration(
            CONTEXT, self.holding(extra_specs={'fpga:bitstream': BITSTREAM}),
            'network_info', 'migration')
        self.assertEqual(['load', 'revert'], self.drv.calls)

    def test_a_failed_revert_says_why(self):
        self.regions.load.side_effect = region_exc.AssignmentFailed(
            'a port0', 'cause', 'bitstream')
        e = self.assertRaises(
            driver.RegionsNotLoaded, self.drv.finish_revert_migration,
            CONTEXT, self.holding(extra_specs={'fpga:function': 'nlb'}),
            'network_info', 'migration')
        self.assertEqual('FPGA region a port0, bitstream: cause',
                         e.format_message())
        self.assertEqual([], self.drv.calls)
