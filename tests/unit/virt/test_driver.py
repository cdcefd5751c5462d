import copy
import sys
from unittest import mock

import fixtures
from keystoneauth1 import exceptions as ks_exc
from nova.compute import provider_tree as nova_provider_tree
from nova import exception
from nova import objects
from nova.scheduler.client import report
from nova import test
from nova.tests import fixtures as nova_fixtures
from nova.virt import driver as nova_driver
from nova.virt import fake
import os_resource_classes as orc
from oslo_utils.fixture import uuidsentinel as uuids

from nova_fpga import conf
from nova_fpga import discovery
from nova_fpga import model
from nova_fpga import placement
from nova_fpga.virt import driver
from nova_fpga.virt import reporting

CONF = driver.CONF
NODE = 'compute1'
NAME = NODE + '_FPGA_0000:5e:00.0_port0'
INVENTORY = model.Inventory(devices=(model.Device(
    address='0000:5e:00.0', vendor='intel', family='dfl', board='n6000',
    regions=(model.Region(name='port0'),)),))


class LoadTest(test.NoDBTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(nova_fixtures.LibvirtFixture())
        driver.register_alias()
        self.addCleanup(sys.modules.pop, 'nova.virt.' + driver.ALIAS)

    def test_nova_loads_the_driver_through_the_alias(self):
        loaded = nova_driver.load_compute_driver(
            fake.FakeVirtAPI(), 'fpga_libvirt.FPGALibvirtDriver')
        self.assertIsInstance(loaded, driver.FPGALibvirtDriver)

    def test_invalid_options_stop_the_driver(self):
        self.flags(resource_classes={'n6000': 'VGPU'}, group='fpga')
        e = self.assertRaises(
            conf.InvalidOption, nova_driver.load_compute_driver,
            fake.FakeVirtAPI(), 'fpga_libvirt.FPGALibvirtDriver')
        self.assertIn('[fpga] resource_classes', str(e))


class FakeLibvirtDriver:
    """What the mixin needs of the libvirt driver: a root to report."""

    def __init__(self, virtapi, read_only=False):
        self.virtapi = virtapi

    def update_provider_tree(self, provider_tree, nodename, allocations=None):
        provider_tree.update_inventory(nodename, {orc.VCPU: {'total': 8}})


class Driver(driver.FPGADriverMixin, FakeLibvirtDriver):
    pass


class MixinTestCase(test.NoDBTestCase):

    def setUp(self):
        super().setUp()
        self.virtapi = mock.Mock(spec=['reportclient'])
        self.get_allocations = (
            self.virtapi.reportclient.get_allocations_for_resource_provider)
        self.tree = nova_provider_tree.ProviderTree()
        self.tree.new_root(NODE, uuids.root)
        self.discover = self.useFixture(fixtures.MockPatchObject(
            discovery, 'discover', return_value=INVENTORY)).mock
        # One provider per region: the tests name each region's.
        self.flags(state_dir=self.useFixture(fixtures.TempDir()).path,
                   lock_path=self.useFixture(fixtures.TempDir()).path,
                   provider_layout='region', group='fpga')

    def driver(self):
        return Driver(self.virtapi)


class MixinTest(MixinTestCase):

    def test_reads_the_roots_when_built(self):
        self.flags(sysfs_root='/a/sys', dev_root='/a/dev',
                   enabled_backends=['xrt'], group='fpga')
        drv = self.driver()
        self.flags(sysfs_root='/b/sys', group='fpga')
        drv.update_provider_tree(self.tree, NODE)
        self.discover.assert_called_once_with(
            '/a/sys', '/a/dev', ('xrt',))

    def test_reports_regions_after_the_parent(self):
        drv = self.driver()
        drv.update_provider_tree(self.tree, NODE)
        self.assertEqual(8, self.tree.data(NODE).inventory[orc.VCPU]['total'])
        self.assertTrue(self.tree.exists(NAME))

    def hold_after(self, error):
        drv = self.driver()
        drv.update_provider_tree(self.tree, NODE)
        self.discover.side_effect = error
        drv.update_provider_tree(self.tree, NODE)
        self.assertEqual(8, self.tree.data(NODE).inventory[orc.VCPU]['total'])
        self.assertEqual(1, self.tree.data(NAME).inventory[
            orc.FPGA]['reserved'])
        return self.stdlog.logger.output

    def test_missing_sysfs_holds_the_providers(self):
        log = self.hold_after(discovery.NotSysfs('sysfs root /x is gone'))
        self.assertIn('FPGA discovery failed', log)
        self.assertIn('sysfs root /x is gone', log)

    def test_unexpected_discovery_error_holds_the_providers(self):
        log = self.hold_after(OSError('card went away'))
        self.assertIn('FPGA discovery failed', log)
        self.assertIn('card went away', log)

    def vanish(self):
        drv = self.driver()
        self.discover.return_value = INVENTORY
        drv.update_provider_tree(self.tree, NODE)
        uuid = self.tree.data(NAME).uuid
        self.discover.return_value = model.Inventory()
        drv.update_provider_tree(self.tree, NODE)
        return uuid

    def test_vanished_region_asks_placement(self):
        self.get_allocations.return_value = report.ProviderAllocInfo(
            allocations={uuids.instance: {'resources': {orc.FPGA: 1}}})
        uuid = self.vanish()
        self.get_allocations.assert_called_once_with(mock.ANY, uuid)
        self.assertEqual(uuid, self.tree.data(NAME).uuid)

    def test_vanished_region_without_allocations_goes(self):
        self.get_allocations.return_value = report.ProviderAllocInfo(
            allocations={})
        self.vanish()
        self.assertFalse(self.tree.exists(NAME))

    def test_vanished_region_is_kept_when_placement_cannot_tell(self):
        for error in (ks_exc.ConnectFailure('down'),
                      exception.ResourceProviderAllocationRetrievalFailed(
                          rp_uuid=uuids.rp, error='500')):
            self.get_allocations.side_effect = error
            self.vanish()
            self.assertTrue(self.tree.exists(NAME))

    def test_reshape_allocations_are_used_when_given(self):
        drv = self.driver()
        drv.update_provider_tree(self.tree, NODE)
        uuid = self.tree.data(NAME).uuid
        self.discover.return_value = model.Inventory()
        drv.update_provider_tree(self.tree, NODE, allocations={
            uuids.other: {'allocations': {uuids.root: {}}}})
        self.assertFalse(self.tree.exists(NAME))
        self.tree.new_child(NAME, NODE, uuid=uuid)
        drv.update_provider_tree(self.tree, NODE, allocations={
            uuids.instance: {'allocations': {uuid: {}}}})
        self.assertTrue(self.tree.exists(NAME))
        self.get_allocations.assert_not_called()

    def test_a_lost_region_and_its_return_are_logged_with_the_instance(self):
        region = model.Region(name='port0', attach=('0000:5e:00.1',))
        device = INVENTORY.devices[0]
        healthy = model.Inventory(
            devices=(device._replace(regions=(region,)),))
        lost = model.Inventory(devices=(device._replace(regions=(
            region._replace(health_reason='afu_id all f'),)),))
        instance = objects.Instance(
            uuid=uuids.instance, resources=objects.ResourceList(objects=[
                objects.Resource(provider_uuid=uuids.rp,
                                 resource_class=orc.FPGA,
                                 identifier='0000:5e:00.0_port0')]))
        get_by_host = self.useFixture(fixtures.MockPatchObject(
            objects.InstanceList, 'get_by_host',
            return_value=[instance])).mock
        note = self.useFixture(fixtures.MockPatchObject(
            reporting.Reporter, 'note')).mock
        notifier = self.useFixture(nova_fixtures.NotificationFixture(self))
        drv = self.driver()
        for found in (healthy, healthy, lost, lost, healthy):
            self.discover.return_value = found
            drv.update_provider_tree(self.tree, NODE)
        # Read only when the usable regions changed.
        self.assertEqual(2, get_by_host.call_count)
        self.assertEqual([
            mock.call(instance, reporting.LOST_ACTION,
                      'FPGA region 0000:5e:00.0_port0 of instance %s is lost '
                      '(afu_id all f): it is reserved in Placement until it '
                      'is back' % uuids.instance),
            mock.call(instance, reporting.BACK_ACTION)], note.call_args_list)
        log = self.stdlog.logger.output
        self.assertIn('FPGA region 0000:5e:00.0_port0 of instance %s is lost '
                      '(afu_id all f): it is reserved in Placement until it '
                      'is back' % uuids.instance, log)
        self.assertIn('FPGA region 0000:5e:00.0_port0 of instance %s is back'
                      % uuids.instance, log)
        (lost,) = notifier.versioned_notifications
        self.assertEqual(
            ('fpga.region.lost', 'ERROR', 'nova-fpga-compute:' + CONF.host),
            (lost['event_type'], lost['priority'], lost['publisher_id']))
        payload = lost['payload']['nova_object.data']
        self.assertEqual(
            ('0000:5e:00.0_port0', uuids.instance, 'afu_id all f', 'n6000'),
            (payload['identifier'], payload['instance_uuid'],
             payload['reason'], payload['board']))

    def test_each_update_counts_the_regions_nova_may_use(self):
        path = self.useFixture(fixtures.TempDir()).join('nova-fpga.prom')
        self.flags(metrics_file=path, group='fpga')
        for enabled, counted in (([], 1), (['0000:af:00.0'], 0)):
            self.flags(enabled_devices=enabled, group='fpga')
            self.driver().update_provider_tree(self.tree, NODE)
            with open(path) as f:
                # INVENTORY's region has no PCI function to give.
                self.assertIn('nova_fpga_regions{state="unhealthy"} %d.0' %
                              counted, f.read())


class PeriodicFastPathTest(MixinTestCase):
    """Each periodic update gets a copy of the last reported tree."""

    def setUp(self):
        super().setUp()
        self.drv = self.driver()
        self.drv.update_provider_tree(self.tree, NODE)
        self.update = self.useFixture(fixtures.MockPatchObject(
            placement, 'update', wraps=placement.update)).mock

    def periodic(self, tree=None, **kwargs):
        tree = copy.deepcopy(self.tree) if tree is None else tree
        self.drv.update_provider_tree(tree, NODE, **kwargs)
        return tree

    def test_unchanged_host_skips_the_provider_work(self):
        tree = self.periodic()
        self.periodic(tree)
        self.update.assert_not_called()
        self.assertEqual(self.tree.data(NAME).resources,
                         tree.data(NAME).resources)

    def test_host_change_is_reported(self):
        self.discover.return_value = INVENTORY._replace(devices=(
            INVENTORY.devices[0]._replace(health_reason='card crashed'),))
        tree = self.periodic()
        self.update.assert_called_once()
        self.assertEqual(1, tree.data(NAME).inventory[orc.FPGA]['reserved'])
        self.periodic(tree)
        self.update.assert_called_once()

    def reported(self, tree):
        data = tree.data(NAME)
        return (data.inventory, data.traits,
                {r.identifier for r in data.resources[orc.FPGA]})

    def test_resources_the_tree_lacks_are_put_back_on_the_fast_path(self):
        # Nova's report client keeps no resources in the tree it gives.
        tree = copy.deepcopy(self.tree)
        tree.update_resources(NAME, {})
        self.periodic(tree)
        self.update.assert_not_called()
        self.assertEqual(self.reported(self.tree), self.reported(tree))

    def test_a_tree_that_lost_what_was_reported_is_set_again(self):
        for lose in (lambda tree: tree.update_traits(NAME, []),
                     lambda tree: tree.update_inventory(NAME, {}),
                     lambda tree: tree.remove(NAME)):
            self.update.reset_mock()
            tree = copy.deepcopy(self.tree)
            lose(tree)
            self.periodic(tree)
            self.update.assert_called_once()
            self.assertEqual(self.reported(self.tree), self.reported(tree))

    def test_a_quarantine_or_its_end_is_reported(self):
        retry = self.useFixture(fixtures.MockPatchObject(
            self.drv._fpga_regions, 'retry_quarantined',
            return_value={'0000:5e:00.0_port0': 'scrub failed'})).mock
        tree = self.periodic()
        self.update.assert_called_once()
        self.assertIn(placement.QUARANTINED_TRAIT, tree.data(NAME).traits)
        retry.return_value = {}
        self.periodic(tree)
        self.assertEqual(2, self.update.call_count)
        self.assertNotIn(placement.QUARANTINED_TRAIT, tree.data(NAME).traits)

    def test_a_reshape_is_never_skipped(self):
        self.periodic(allocations={})
        self.update.assert_called_once()

    def test_a_provider_kept_for_allocations_is_looked_at_each_time(self):
        self.get_allocations.return_value = report.ProviderAllocInfo(
            allocations={uuids.instance: {'resources': {orc.FPGA: 1}}})
        self.discover.return_value = model.Inventory()
        tree = self.periodic()
        self.periodic(tree)
        self.assertEqual(2, self.update.call_count)
        self.get_allocations.return_value = report.ProviderAllocInfo(
            allocations={})
        self.periodic(tree)
        self.assertFalse(tree.exists(NAME))

    def test_discovery_failing_forgets_what_was_reported(self):
        self.discover.side_effect = OSError('card went away')
        tree = self.periodic()
        self.discover.side_effect = None
        self.assertEqual(1, tree.data(NAME).inventory[orc.FPGA]['total'])
        self.periodic(tree)
        self.update.assert_called_once()
        self.assertEqual(self.reported(self.tree), self.reported(tree))
