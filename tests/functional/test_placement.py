"""FPGA regions in real Placement, from the libvirt driver, and scheduling."""

import os
import shutil

import fixtures
from nova import context as nova_context
from nova import objects
import os_traits

from nova_fpga import placement
from nova_fpga.simulator import ioctls
from nova_fpga.simulator import kinds
from tests.functional import libvirt_base

N6000 = '0000:10:00.0'
SECOND = '0000:18:00.0'
THIRD = '0000:20:00.0'
NEW_FUNCTION = '0123456789abcdef0123456789abcdef'


def interface_trait(kind):
    return 'CUSTOM_FPGA_INTERFACE_' + kinds.INTERFACE_IDS[kind].upper()


def board_memory(gib):
    """The memory traits of a card of ``gib`` GiB of DDR4."""
    return {'CUSTOM_FPGA_MEMORY_DDR4'} | {
        'CUSTOM_FPGA_MEMORY_GE_%dG' % band
        for band in placement.MEMORY_BANDS_GIB if band <= gib}


class ReportingTest(libvirt_base.FPGAServersTestBase):

    def inventory(self, rp_uuid):
        return self._get_provider_inventory(rp_uuid)

    def traits(self, rp_uuid):
        return set(self._get_provider_traits(rp_uuid))

    def add_operator_trait(self, rp_uuid, trait):
        self._create_trait(trait)
        response = self._set_provider_traits(
            rp_uuid, self.traits(rp_uuid) | {trait})
        self.assertEqual(200, response.status)

    def test_regions_are_reported_with_traits(self):
        self.start_fpga_compute('compute1', 'n6000', 'u250')
        self.assertEqual(
            {'compute1_FPGA_%s_port0' % N6000,
             'compute1_FPGA_%s_slot0' % SECOND},
            set(self.fpga_providers('compute1')))
        n6000 = self.fpga_provider('compute1', N6000)
        u250 = self.fpga_provider('compute1', SECOND, 'slot0')
        self.assertEqual(
            {'FPGA': {'total': 1, 'reserved': 0, 'min_unit': 1,
                      'max_unit': 1, 'step_size': 1,
                      'allocation_ratio': 1.0}},
            self.inventory(n6000))
        self.assertEqual(
            {'CUSTOM_FPGA_INTEL', 'CUSTOM_FPGA_INTEL_N6000',
             interface_trait('n6000'),
             libvirt_base.function_trait(kinds.FUNCTION_IDS['n6000']),
             os_traits.OWNER_NOVA} | board_memory(16),
            self.traits(n6000))
        # Nothing is loaded on the Alveo: no function trait.
        self.assertEqual(
            {'CUSTOM_FPGA_XILINX', 'CUSTOM_FPGA_XILINX_U250',
             interface_trait('u250'), os_traits.OWNER_NOVA} |
            board_memory(64),
            self.traits(u250))
        # The libvirt driver's own reporting is untouched.
        root = self.compute_rp_uuids['compute1']
        self.assertIn('VCPU', self.inventory(root))
        self.assertIn(os_traits.COMPUTE_NODE, self.traits(root))

    def test_options_shape_the_providers(self):
        self.start_fpga_compute(
            'compute1', 'n6000:2', 'u250',
            enabled_devices=[SECOND, '10ee:5004'],
            resource_classes={'n6000': 'CUSTOM_FPGA_INTEL_PF'},
            extra_traits=['n6000:CUSTOM_LOW_LATENCY,HW_NIC_SRIOV'])
        self.assertEqual(
            {'compute1_FPGA_%s_port0' % SECOND,
             'compute1_FPGA_%s_slot0' % THIRD},
            set(self.fpga_providers('compute1')))
        n6000 = self.fpga_provider('compute1', SECOND)
        self.assertEqual(['CUSTOM_FPGA_INTEL_PF'],
                         list(self.inventory(n6000)))
        self.assertLessEqual({'CUSTOM_LOW_LATENCY', 'HW_NIC_SRIOV'},
                             self.traits(n6000))
        u250 = self.fpga_provider('compute1', THIRD, 'slot0')
        self.assertEqual(['FPGA'], list(self.inventory(u250)))
        self.assertNotIn('CUSTOM_LOW_LATENCY', self.traits(u250))

    def test_host_changes_reach_placement_at_the_next_update(self):
        host = self.start_fpga_compute('compute1', 'n6000', 'd5005',
                                       'pac_a10')
        n6000 = self.fpga_provider('compute1', N6000)
        d5005 = self.fpga_provider('compute1', SECOND)
        loaded = libvirt_base.function_trait(kinds.FUNCTION_IDS['d5005'])
        self.assertIn(loaded, self.traits(d5005))
        self.add_operator_trait(n6000, 'CUSTOM_OPERATOR_GOLD')

        host.crash(N6000)
        # The D5005 gives its port to a VF: the loaded function is no longer
        # visible to the host.
        host.ioctl(os.path.join(host.dev_root, 'dfl-fme.1'),
                   ioctls.RELEASE[kinds.DFL],
                   ioctls.port_id_arg(kinds.DFL, 0))
        host.write_attr(os.path.join(host.sysfs_root, 'bus', 'pci',
                                     'devices', SECOND, 'sriov_numvfs'), 1)
        host.remove(THIRD)
        self._run_periodics(raise_on_error=True)

        self.assertEqual(1, self.inventory(n6000)['FPGA']['reserved'])
        self.assertIn('CUSTOM_OPERATOR_GOLD', self.traits(n6000))
        self.assertNotIn(loaded, self.traits(d5005))
        self.assertEqual(0, self.inventory(d5005)['FPGA']['reserved'])
        self.assertEqual(
            {'compute1_FPGA_%s_port0' % N6000,
             'compute1_FPGA_%s_port0' % SECOND},
            set(self.fpga_providers('compute1')))

    def assert_idle_update_leaves_the_providers_alone(self, layout):
        # Through Nova's resource tracker, whose report client hands the
        # driver a tree without the resources the driver set: they are put
        # back, and the provider work is skipped.
        self.start_fpga_compute('compute1', 'n6000', 'n6000',
                                provider_layout=layout)
        update = self.useFixture(fixtures.MockPatchObject(
            placement, 'update', wraps=placement.update)).mock
        manager = self.computes['compute1'].manager
        ctx = nova_context.get_admin_context()
        manager.update_available_resource(ctx)
        manager.update_available_resource(ctx)
        update.assert_not_called()
        # The resource tracker still gives each server a region of its own,
        # in the provider Placement allocated.
        flavor = self.fpga_flavor()
        held = []
        for _ in range(2):
            server = self.boot(flavor)
            (resource,) = objects.Instance.get_by_uuid(
                ctx, server['id'], expected_attrs=['resources']).resources
            allocations = self._get_allocations_by_server_uuid(server['id'])
            self.assertEqual({'FPGA': 1}, allocations[
                resource.provider_uuid]['resources'])
            held.append(resource.identifier)
        self.assertEqual(2, len(set(held)))

    def test_an_idle_periodic_update_leaves_the_providers_alone(self):
        self.assert_idle_update_leaves_the_providers_alone('region')

    def test_an_idle_periodic_update_leaves_the_pools_alone(self):
        self.assert_idle_update_leaves_the_providers_alone('pooled')

    def test_function_change_replaces_the_trait_and_keeps_operators(self):
        host = self.start_fpga_compute('compute1', 'n6000')
        rp = self.fpga_provider('compute1', N6000)
        self.add_operator_trait(rp, 'CUSTOM_OPERATOR_GOLD')
        host.set_function(N6000, 0, NEW_FUNCTION)
        self._run_periodics(raise_on_error=True)
        traits = self.traits(rp)
        self.assertIn(libvirt_base.function_trait(NEW_FUNCTION), traits)
        self.assertNotIn(
            libvirt_base.function_trait(kinds.FUNCTION_IDS['n6000']), traits)
        self.assertIn('CUSTOM_OPERATOR_GOLD', traits)

    def test_unreadable_host_keeps_the_providers_reserved(self):
        host = self.start_fpga_compute('compute1', 'n6000')
        rp = self.fpga_provider('compute1', N6000)
        shutil.rmtree(host.sysfs_root)
        self._run_periodics(raise_on_error=True)
        self.assertEqual(1, self.inventory(rp)['FPGA']['reserved'])
        self.assertIn('FPGA discovery failed', self.stdlog.logger.output)
        self.assertIn('VCPU', self.inventory(self.compute_rp_uuids[
            'compute1']))


class SchedulingTest(libvirt_base.FPGAServersTestBase):

    def setUp(self):
        super().setUp()
        self.intel = self.start_fpga_compute('compute1', 'n6000:2')
        self.xilinx = self.start_fpga_compute('compute2', 'u250', 'zynqmp')

    def flavor(self, **extra_spec):
        return self._create_flavor(extra_spec=extra_spec)

    def boot(self, flavor_id, expected_state='ACTIVE'):
        return self._create_server(flavor_id=flavor_id, networks='none',
                                   expected_state=expected_state)

    def fpga_allocation(self, server):
        """The one provider, other than a compute node, a server uses."""
        allocations = self._get_allocations_by_server_uuid(server['id'])
        (rp_uuid,) = set(allocations) - set(self.compute_rp_uuids.values())
        self.assertEqual({'FPGA': 1}, allocations[rp_uuid]['resources'])
        return rp_uuid

    def test_server_gets_a_region_of_the_right_host(self):
        server = self.boot(self.flavor(**{
            'resources:FPGA': '1',
            'trait:CUSTOM_FPGA_INTEL': 'required'}))
        self.assertEqual('compute1', server['OS-EXT-SRV-ATTR:host'])
        rp_uuid = self.fpga_allocation(server)
        regions = {rp['uuid']: name for name, rp in
                   self.fpga_providers('compute1').items()}
        self.assertIn(rp_uuid, regions)

        instance = objects.Instance.get_by_uuid(
            nova_context.get_admin_context(), server['id'],
            expected_attrs=['resources'])
        (resource,) = instance.resources
        self.assertEqual(rp_uuid, resource.provider_uuid)
        self.assertEqual('FPGA', resource.resource_class)
        self.assertEqual(regions[rp_uuid],
                         'compute1_FPGA_' + resource.identifier)

    def test_two_servers_get_two_regions(self):
        flavor = self.flavor(**{'resources:FPGA': '1',
                                'trait:CUSTOM_FPGA_INTEL_N6000': 'required'})
        first = self.fpga_allocation(self.boot(flavor))
        second = self.fpga_allocation(self.boot(flavor))
        self.assertNotEqual(first, second)
        # Both regions of compute1 are taken.
        self.boot(flavor, expected_state='ERROR')

    def test_no_host_has_the_trait(self):
        server = self.boot(self.flavor(**{
            'resources:FPGA': '1',
            'trait:CUSTOM_FPGA_INTEL_D5005': 'required'}),
            expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])

    def test_removed_card_in_use_stays_reserved_until_released(self):
        server = self.boot(self.flavor(**{
            'resources:FPGA': '1',
            'trait:CUSTOM_FPGA_XILINX_U250': 'required'}))
        rp_uuid = self.fpga_allocation(server)
        name = 'compute2_FPGA_%s_slot0' % N6000
        self.assertEqual(rp_uuid, self.fpga_provider('compute2', N6000,
                                                     'slot0'))

        self.xilinx.remove(N6000)
        self._run_periodics(raise_on_error=True)
        self.assertEqual(
            1, self._get_provider_inventory(rp_uuid)['FPGA']['reserved'])
        self.assertIn('FPGA provider %s (%s) is no longer on this host'
                      % (name, rp_uuid), self.stdlog.logger.output)

        self._delete_server(server)
        self._run_periodics(raise_on_error=True)
        self.assertNotIn(name, self.fpga_providers('compute2'))
