import copy

from nova.compute import provider_tree as nova_provider_tree
from nova import objects
import os_resource_classes as orc
import os_traits
from oslo_utils.fixture import uuidsentinel as uuids
import testtools

from nova_fpga import conf
from nova_fpga import model
from nova_fpga import placement

NODE = 'compute1'
IFACE = 'a' * 32
FUNC = 'b' * 32
OTHER_FUNC = 'c' * 32


def region(name='port0', function_id=FUNC, health_reason=None,
           attach=('0000:5e:00.1',)):
    return model.Region(name=name, interface_id=IFACE,
                        function_id=function_id, attach=attach,
                        health_reason=health_reason)


def device(address='0000:5e:00.0', board='n6000', regions=None,
           health_reason=None):
    return model.Device(address=address, vendor='intel', family='dfl',
                        board=board, vendor_id='8086', device_id='bcce',
                        regions=tuple(regions or [region()]),
                        health_reason=health_reason)


def inventory(*devices):
    return model.Inventory(devices=tuple(devices or [device()]))


def never_used(rp_uuid):
    return False


class PlacementTestBase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        objects.register_all()
        self.tree = nova_provider_tree.ProviderTree()
        self.tree.new_root(NODE, uuids.root)
        self.options = conf.PlacementOptions()

    def update(self, inv=None, in_use=never_used):
        placement.update(self.tree, NODE, inv or inventory(), self.options,
                         in_use)

    def children(self):
        return {self.tree.data(u).name: self.tree.data(u)
                for u in self.tree.get_provider_uuids(NODE)[1:]}

    def read_from_placement(self):
        """The tree as Nova's report client builds it: no resources."""
        fresh = nova_provider_tree.ProviderTree()
        fresh.new_root(NODE, uuids.root)
        for name, data in self.children().items():
            fresh.new_child(name, NODE, uuid=data.uuid)
            fresh.update_inventory(name, data.inventory)
        return fresh

    def name(self, identifier='0000:5e:00.0_port0'):
        return '%s_FPGA_%s' % (NODE, identifier)


class PlacementTest(PlacementTestBase):

    def test_one_provider_per_region(self):
        self.update(inventory(
            device(regions=[region('port0'), region('port1')]),
            device(address='0000:af:00.0')))
        self.assertEqual(
            {self.name(), self.name('0000:5e:00.0_port1'),
             self.name('0000:af:00.0_port0')},
            set(self.children()))
        for data in self.children().values():
            self.assertEqual(uuids.root, data.parent_uuid)

    def test_inventory_of_a_healthy_region(self):
        self.update()
        self.assertEqual(
            {orc.FPGA: {'total': 1, 'reserved': 0, 'min_unit': 1,
                        'max_unit': 1, 'step_size': 1,
                        'allocation_ratio': 1.0}},
            self.tree.data(self.name()).inventory)

    def test_unhealthy_region_or_device_is_reserved(self):
        self.update(inventory(
            device(regions=[region('port0', health_reason='afu_id all f'),
                            region('port1')]),
            device(address='0000:af:00.0', health_reason='no driver')))
        reserved = {name: data.inventory[orc.FPGA]['reserved']
                    for name, data in self.children().items()}
        self.assertEqual({self.name(): 1,
                          self.name('0000:5e:00.0_port1'): 0,
                          self.name('0000:af:00.0_port0'): 1}, reserved)

    def test_region_with_nothing_to_attach_is_reserved(self):
        self.update(inventory(device(regions=[region(attach=())])))
        self.assertEqual(
            1, self.tree.data(self.name()).inventory[orc.FPGA]['reserved'])

    def test_region_back_to_health_is_released(self):
        self.update(inventory(device(
            regions=[region(health_reason='afu_id all f')])))
        self.update()
        self.assertEqual(
            0, self.tree.data(self.name()).inventory[orc.FPGA]['reserved'])

    def test_quarantined_region_is_reserved_with_the_trait(self):
        placement.update(self.tree, NODE, inventory(), self.options,
                         never_used, {'0000:5e:00.0_port0'})
        data = self.tree.data(self.name())
        self.assertEqual(1, data.inventory[orc.FPGA]['reserved'])
        self.assertIn(placement.QUARANTINED_TRAIT, data.traits)
        self.update()
        data = self.tree.data(self.name())
        self.assertEqual(0, data.inventory[orc.FPGA]['reserved'])
        self.assertNotIn(placement.QUARANTINED_TRAIT, data.traits)

    def test_traits(self):
        self.update()
        self.assertEqual(
            {'CUSTOM_FPGA_INTEL', 'CUSTOM_FPGA_INTEL_N6000',
             'CUSTOM_FPGA_INTERFACE_' + IFACE.upper(),
             'CUSTOM_FPGA_FUNCTION_' + FUNC.upper(), os_traits.OWNER_NOVA},
            self.tree.data(self.name()).traits)
        self.assertNotIn(os_traits.COMPUTE_MANAGED_PCI_DEVICE,
                         self.tree.data(self.name()).traits)

    def test_no_function_trait_when_nothing_is_loaded(self):
        self.update(inventory(device(regions=[region(function_id=None)])))
        traits = self.tree.data(self.name()).traits
        self.assertEqual([], [t for t in traits if 'FUNCTION' in t])

    def test_function_change_replaces_the_trait(self):
        self.update()
        self.update(inventory(device(regions=[region(
            function_id=OTHER_FUNC)])))
        traits = self.tree.data(self.name()).traits
        self.assertIn('CUSTOM_FPGA_FUNCTION_' + OTHER_FUNC.upper(), traits)
        self.assertNotIn('CUSTOM_FPGA_FUNCTION_' + FUNC.upper(), traits)

    def test_operator_traits_are_kept(self):
        self.update()
        self.tree.add_traits(self.name(), 'CUSTOM_GOLD', 'HW_NIC_SRIOV')
        self.update(inventory(device(regions=[region(
            function_id=OTHER_FUNC)])))
        traits = self.tree.data(self.name()).traits
        self.assertIn('CUSTOM_GOLD', traits)
        self.assertIn('HW_NIC_SRIOV', traits)
        self.assertIn('CUSTOM_FPGA_FUNCTION_' + OTHER_FUNC.upper(), traits)

    def test_custom_class_and_extra_traits_per_board(self):
        self.options = conf.PlacementOptions(
            resource_classes={'n6000': 'CUSTOM_FPGA_INTEL_PF'},
            extra_traits={'n6000': frozenset({'CUSTOM_LOW_LATENCY'}),
                          'u250': frozenset({'CUSTOM_HBM'})})
        self.update(inventory(device(), device(
            address='0000:af:00.0', board='d5005')))
        n6000 = self.tree.data(self.name())
        d5005 = self.tree.data(self.name('0000:af:00.0_port0'))
        self.assertEqual(['CUSTOM_FPGA_INTEL_PF'], list(n6000.inventory))
        self.assertEqual([orc.FPGA], list(d5005.inventory))
        self.assertIn('CUSTOM_LOW_LATENCY', n6000.traits)
        self.assertNotIn('CUSTOM_LOW_LATENCY', d5005.traits)
        self.assertNotIn('CUSTOM_HBM', n6000.traits)

    def test_extra_traits_of_other_boards_are_not_kept(self):
        self.options = conf.PlacementOptions(extra_traits={
            'n6000': frozenset({'CUSTOM_LOW_LATENCY'}),
            'd5005': frozenset({'CUSTOM_NETWORK'})})
        self.update()
        self.tree.add_traits(self.name(), 'CUSTOM_NETWORK')
        self.update()
        self.assertNotIn('CUSTOM_NETWORK', self.tree.data(self.name()).traits)

    def test_each_region_uuid_is_an_aggregate_of_its_provider(self):
        self.update(inventory(device(regions=[region('port0'),
                                              region('port1')])))
        for identifier in ('0000:5e:00.0_port0', '0000:5e:00.0_port1'):
            self.assertEqual(
                {model.region_uuid(uuids.root, identifier)},
                self.children()[self.name(identifier)].aggregates)

    def test_region_uuid_is_stable_and_names_node_and_region(self):
        first = model.region_uuid(uuids.root, '0000:5e:00.0_port0')
        self.assertEqual(first, model.region_uuid(uuids.root,
                                                  '0000:5e:00.0_port0'))
        self.assertNotEqual(first, model.region_uuid(
            uuids.other_root, '0000:5e:00.0_port0'))
        self.assertNotEqual(first, model.region_uuid(
            uuids.root, '0000:5e:00.0_port1'))

    def test_allow_list(self):
        self.options = conf.PlacementOptions(
            addresses=frozenset({'0000:af:00.0'}),
            pci_ids=frozenset({'10ee:5004'}))
        self.update(inventory(
            device(),
            device(address='0000:af:00.0'),
            model.Device(address='0000:3b:00.0', vendor='xilinx',
                         family='xrt', board='u250', vendor_id='10ee',
                         device_id='5004', regions=(region('slot0'),))))
        self.assertEqual({self.name('0000:af:00.0_port0'),
                          self.name('0000:3b:00.0_slot0')},
                         set(self.children()))

    def test_resources_are_published(self):
        self.update()
        data = self.tree.data(self.name())
        self.assertEqual(
            {orc.FPGA: {objects.Resource(
                provider_uuid=data.uuid, resource_class=orc.FPGA,
                identifier='0000:5e:00.0_port0')}},
            data.resources)

    def test_vanished_region_without_allocations_is_removed(self):
        self.update(inventory(device(), device(address='0000:af:00.0')))
        asked = []

        def in_use(rp_uuid):
            asked.append(rp_uuid)
            return False

        gone = self.tree.data(self.name('0000:af:00.0_port0')).uuid
        self.update(in_use=in_use)
        self.assertEqual([gone], asked)
        self.assertEqual([self.name()], list(self.children()))

    def test_vanished_region_with_allocations_is_kept_reserved(self):
        self.update(inventory(device(), device(address='0000:af:00.0')))
        name = self.name('0000:af:00.0_port0')
        gone = self.tree.data(name)
        self.tree.add_traits(name, 'CUSTOM_GOLD')
        with self.assertLogs(placement.LOG.logger, 'WARNING') as logs:
            self.update(in_use=lambda rp_uuid: rp_uuid == gone.uuid)
        self.assertIn('FPGA provider %s' % name, logs.output[0])
        kept = self.tree.data(name)
        self.assertEqual(gone.uuid, kept.uuid)
        self.assertEqual(1, kept.inventory[orc.FPGA]['reserved'])
        self.assertEqual(gone.traits | {'CUSTOM_GOLD'}, kept.traits)
        self.assertEqual(
            {orc.FPGA: {objects.Resource(
                provider_uuid=gone.uuid, resource_class=orc.FPGA,
                identifier='0000:af:00.0_port0')}},
            kept.resources)
        # Once the allocations are gone, so is the provider.
        self.update()
        self.assertFalse(self.tree.exists(name))

    def test_resource_class_change(self):
        self.update()
        self.options = conf.PlacementOptions(
            resource_classes={'n6000': 'CUSTOM_FPGA_INTEL_PF'})
        self.update(in_use=lambda rp_uuid: True)
        self.assertEqual([orc.FPGA],
                         list(self.tree.data(self.name()).inventory))
        self.assertEqual({orc.FPGA}, set(
            self.tree.data(self.name()).resources))
        self.update()
        self.assertEqual(['CUSTOM_FPGA_INTEL_PF'],
                         list(self.tree.data(self.name()).inventory))
        self.assertEqual({'CUSTOM_FPGA_INTEL_PF'}, set(
            self.tree.data(self.name()).resources))

    def test_other_children_are_left_alone(self):
        self.tree.new_child('%s_pci_0000_84_00_0' % NODE, NODE)
        self.tree.new_child('FPGA_elsewhere', NODE)
        self.update(model.Inventory())
        self.assertEqual({'%s_pci_0000_84_00_0' % NODE, 'FPGA_elsewhere'},
                         set(self.children()))

    def test_hold_all_reserves_every_fpga_provider(self):
        self.update(inventory(device(), device(address='0000:af:00.0')))
        other = self.tree.new_child('%s_pci_0000_84_00_0' % NODE, NODE)
        self.tree.update_inventory(other, {orc.VGPU: {'total': 4}})
        placement.hold_all(self.tree, NODE)
        self.assertEqual(
            {self.name(): 1, self.name('0000:af:00.0_port0'): 1},
            {name: data.inventory[orc.FPGA]['reserved']
             for name, data in self.children().items()
             if orc.FPGA in data.inventory})
        self.assertEqual({'total': 4},
                         self.tree.data(other).inventory[orc.VGPU])
        self.assertEqual({'0000:af:00.0_port0'}, {
            r.identifier for r in self.tree.data(
                self.name('0000:af:00.0_port0')).resources[orc.FPGA]})

    def test_long_node_names_fit_placement(self):
        node = 'n' * 250
        self.tree.new_root(node, uuids.long_root)
        placement.update(self.tree, node, inventory(), self.options,
                         never_used)
        (child,) = self.tree.get_provider_uuids(node)[1:]
        name = self.tree.data(child).name
        self.assertLessEqual(len(name), 200)
        self.assertEqual('0000:5e:00.0_port0',
                         placement.identifier_of(node, name))
        self.assertIsNone(placement.identifier_of('n' * 249, name))

    def test_long_identifiers_fit_placement(self):
        self.update(inventory(device(address='x' * 150)))
        (name,) = self.children()
        self.assertLessEqual(len(name), 200)
        self.assertTrue(name.startswith(self.name('x' * 10)))


def gpu(address='0000:41:00.0', board='h100_pcie', architecture='hopper',
        memory_mb=81920, memory_source=model.MEMORY_TABLE, **kwargs):
    return model.Device(
        address=address, vendor='nvidia', family=model.GPU, board=board,
        vendor_id='10de', device_id='2331',
        regions=(model.Region(name='gpu', attach=(address,)),),
        architecture=architecture, memory_mb=memory_mb,
        memory_source=memory_source, **kwargs)


HOPPER_TRAITS = frozenset(
    {os_traits.OWNER_NOVA, 'CUSTOM_GPU_NVIDIA', 'CUSTOM_GPU_H100_PCIE',
     'CUSTOM_GPU_ARCH_HOPPER'} |
    {'CUSTOM_GPU_MEMORY_GE_%dG' % n
     for n in (1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 64, 80)})


def ampere(address, **kwargs):
    return gpu(address, board='a100_pcie_40gb', architecture='ampere',
               memory_mb=40960, **kwargs)


class GPUPlacementTest(PlacementTestBase):
    """``[fpga] gpu_provider_layout = device``: a provider per GPU."""

    def setUp(self):
        super().setUp()
        self.options = conf.PlacementOptions(gpu_pooled=False)

    def gpu_name(self, address='0000:41:00.0'):
        return '%s_GPU_%s' % (NODE, address)

    def test_one_pgpu_provider_per_gpu(self):
        self.update(inventory(device(), gpu(), gpu('0000:c1:00.0')))
        self.assertEqual({self.name(), self.gpu_name(),
                          self.gpu_name('0000:c1:00.0')},
                         set(self.children()))
        data = self.tree.data(self.gpu_name())
        self.assertEqual({orc.PGPU}, set(data.inventory))
        self.assertEqual(HOPPER_TRAITS, data.traits)
        self.assertEqual(
            '0000:41:00.0',
            placement.identifier_of(NODE, self.gpu_name()))
        # A GPU is no region of the FPGA API.
        self.assertEqual(set(), data.aggregates)

    def test_unknown_gpu_and_bar_memory(self):
        self.update(inventory(gpu(board='10de_2fff', architecture=None,
                                  memory_source=model.MEMORY_BAR)))
        self.assertEqual(
            {os_traits.OWNER_NOVA, 'CUSTOM_GPU_NVIDIA',
             'CUSTOM_GPU_10DE_2FFF'},
            self.tree.data(self.gpu_name()).traits)

    def test_gpu_of_the_host_is_not_reported(self):
        self.update(inventory(gpu(driver='nvidia')))
        self.assertEqual({}, self.children())

    def test_vanished_gpu_is_removed(self):
        self.update(inventory(device(), gpu()))
        with self.assertLogs(placement.LOG.logger, 'INFO') as logs:
            self.update(inventory(device()))
        self.assertEqual({self.name()}, set(self.children()))
        self.assertIn('Removing GPU provider %s' % self.gpu_name(),
                      logs.output[0])
        self.assertIn('its GPU is gone', logs.output[0])

    def test_fpga_board_memory(self):
        self.update(inventory(device()._replace(
            memory_mb=16384, memory_source=model.MEMORY_TABLE,
            memory_type='ddr4')))
        traits = self.tree.data(self.name()).traits
        self.assertIn('CUSTOM_FPGA_MEMORY_GE_16G', traits)
        self.assertIn('CUSTOM_FPGA_MEMORY_DDR4', traits)
        self.assertNotIn('CUSTOM_FPGA_MEMORY_GE_24G', traits)

    def test_gpu_flavor_specs(self):
        self.assertEqual({
            'group_policy': 'none',
            'resources_GPU1:PGPU': '1',
            'trait_GPU1:CUSTOM_GPU_ARCH_HOPPER': 'required',
            'resources_GPU2:PGPU': '1',
            'trait_GPU2:CUSTOM_GPU_ARCH_HOPPER': 'required',
        }, placement.gpu_flavor_specs(2, 'hopper', pooled=False))

    def test_gpu_flavor_specs_ask_for_the_reported_trait(self):
        self.update(inventory(gpu()))
        wanted = {key.partition(':')[2] for key in placement.gpu_flavor_specs(
            1, gpu().architecture, pooled=False) if key.startswith('trait_')}
        self.assertEqual({'CUSTOM_GPU_ARCH_HOPPER'}, wanted)
        self.assertLessEqual(wanted, self.tree.data(self.gpu_name()).traits)

    def test_the_held_units_are_not_asked(self):
        def assigned():
            raise AssertionError('asked')
        placement.update(self.tree, NODE,
                         inventory(gpu(), gpu('0000:c1:00.0')),
                         self.options, never_used, assigned=assigned)
        self.assertEqual(2, len(self.children()))


class GPUPoolTest(PlacementTestBase):
    """The default: one provider per GPUs alike (and NUMA node) of a host."""

    def setUp(self):
        super().setUp()
        self.assigned = {}

    def update(self, inv=None, in_use=never_used):
        return placement.update(self.tree, NODE, inv or self.eight(),
                                self.options, in_use,
                                assigned=lambda: dict(self.assigned))

    @staticmethod
    def eight(bad=(), numa=(0,) * 8, board=None):
        """Four H100 and four A100, ``bad`` (indexes) unhealthy."""
        return inventory(*[
            (gpu if i < 4 else ampere)(
                '0000:%02x:00.0' % (0x41 + i), numa_node=numa[i],
                health_reason='fallen off the bus' if i in bad else None)
            for i in range(8)])

    def pools(self):
        """``{frozenset(addresses): (total, reserved, traits)}``."""
        found = {}
        for name, data in self.children().items():
            self.assertTrue(name.startswith(NODE + placement.GPU_POOL_MARKER))
            self.assertIsNone(placement.identifier_of(NODE, name))
            self.assertTrue(placement.is_pool(NODE, name))
            inv = data.inventory[orc.PGPU]
            self.assertEqual(inv['total'], inv['max_unit'])
            units = frozenset(r.identifier
                              for r in data.resources[orc.PGPU])
            found[units] = inv['total'], inv['reserved'], data.traits
        return found

    def addresses(self, *indexes):
        return frozenset('0000:%02x:00.0' % (0x41 + i) for i in indexes)

    def test_one_pool_per_model(self):
        self.assertTrue(self.update())
        pools = self.pools()
        self.assertEqual({self.addresses(0, 1, 2, 3),
                          self.addresses(4, 5, 6, 7)}, set(pools))
        total, reserved, traits = pools[self.addresses(0, 1, 2, 3)]
        self.assertEqual((4, 0, HOPPER_TRAITS), (total, reserved, traits))
        self.assertIn('CUSTOM_GPU_ARCH_AMPERE',
                      pools[self.addresses(4, 5, 6, 7)][2])
        # Nova's resource tracker picks the GPUs among the pool's units.
        for data in self.children().values():
            for resource in data.resources[orc.PGPU]:
                self.assertEqual(data.uuid, resource.provider_uuid)
            self.assertEqual(set(), data.aggregates)

    def test_the_flavor_asks_for_the_gpus_of_one_pool(self):
        # Seed 003's flavor, as written.
        specs = placement.gpu_flavor_specs(2, 'fermi')
        self.assertEqual({'resources:PGPU': '2',
                          'trait:CUSTOM_GPU_ARCH_FERMI': 'required'}, specs)
        self.update()
        wanted = {key.partition(':')[2] for key in placement.gpu_flavor_specs(
            2, 'hopper') if key.startswith('trait:')}
        self.assertEqual([4], [total for total, _, traits in
                               self.pools().values() if wanted <= traits])

    def test_a_pool_per_numa_node(self):
        self.update(self.eight(numa=(0, 0, 1, 1, 0, 1, None, None)))
        self.assertEqual(
            {self.addresses(0, 1), self.addresses(2, 3), self.addresses(4),
             self.addresses(5), self.addresses(6, 7)}, set(self.pools()))

    def test_extra_traits_make_pools_of_their_own(self):
        self.options = conf.PlacementOptions(extra_traits={
            'h100_pcie': frozenset({'CUSTOM_GOLD'})})
        self.update()
        pools = self.pools()
        self.assertIn('CUSTOM_GOLD', pools[self.addresses(0, 1, 2, 3)][2])
        self.assertNotIn('CUSTOM_GOLD', pools[self.addresses(4, 5, 6, 7)][2])

    def test_an_unusable_gpu_is_in_a_reserved_pool_of_its_own(self):
        self.update(self.eight(bad=(1, 2)))
        pools = self.pools()
        self.assertEqual((2, 2), pools[self.addresses(1, 2)][:2])
        self.assertEqual((2, 0), pools[self.addresses(0, 3)][:2])
        # Back to health, it goes back to its model's pool.
        self.update()
        self.assertEqual((4, 0), self.pools()[self.addresses(0, 1, 2, 3)][:2])

    def test_fpga_pools_keep_their_names(self):
        # Their names are in Placement already, with allocations.
        self.options = conf.PlacementOptions(pooled=True)
        self.update(inventory(device(), gpu()))
        traits = placement.region_traits(device(), region(), self.options)
        self.assertIn(placement.pool_name(NODE, orc.FPGA, traits, True),
                      self.children())

    def test_names_fit_placement(self):
        node = 'n' * 250
        self.tree.new_root(node, uuids.long_root)
        placement.update(self.tree, node, self.eight(), self.options,
                         never_used, assigned=dict)
        names = [self.tree.data(u).name
                 for u in self.tree.get_provider_uuids(node)[1:]]
        self.assertEqual(2, len(names))
        for name in names:
            self.assertLessEqual(len(name), 200)
            self.assertTrue(placement.is_pool(node, name))
            self.assertFalse(placement.is_pool('n' * 249, name))

    def held_by_its_provider(self, address):
        for data in self.children().values():
            for resource in data.resources.get(orc.PGPU, ()):
                if resource.identifier == address:
                    self.assigned[address] = data.uuid
                    return data.uuid

    def test_from_the_device_layout_held_gpus_move_when_released(self):
        self.options = conf.PlacementOptions(gpu_pooled=False)
        self.update()
        held = [self.held_by_its_provider('0000:%02x:00.0' % (0x41 + i))
                for i in (0, 1)]
        self.options = conf.PlacementOptions()
        self.assertFalse(self.update(in_use=lambda uuid: uuid in held))
        # Each held GPU stays in its own provider, with its allocation;
        # the free ones are pooled.
        names = set(self.children())
        self.assertEqual({'%s_GPU_0000:41:00.0' % NODE,
                          '%s_GPU_0000:42:00.0' % NODE},
                         {n for n in names if '_GPU_' in n})
        pools = {frozenset(r.identifier for r in data.resources[orc.PGPU]):
                 data.inventory[orc.PGPU]['total']
                 for name, data in self.children().items()
                 if placement.is_pool(NODE, name)}
        self.assertEqual({self.addresses(2, 3): 2,
                          self.addresses(4, 5, 6, 7): 4}, pools)
        for uuid in held:
            self.assertEqual(1, self.tree.data(uuid).inventory[orc.PGPU][
                'total'])
        # Released, they join their pool and their providers go.
        self.assigned.clear()
        self.assertTrue(self.update())
        self.assertEqual((4, 0, HOPPER_TRAITS),
                         self.pools()[self.addresses(0, 1, 2, 3)])

    def test_back_to_the_device_layout(self):
        self.update()
        pool = self.held_by_its_provider('0000:41:00.0')
        self.held_by_its_provider('0000:42:00.0')
        self.options = conf.PlacementOptions(gpu_pooled=False)
        self.assertFalse(self.update(in_use=lambda uuid: uuid == pool))
        data = self.tree.data(pool)
        self.assertEqual(self.addresses(0, 1),
                         {r.identifier for r in data.resources[orc.PGPU]})
        self.assertEqual((2, 0), (data.inventory[orc.PGPU]['total'],
                                  data.inventory[orc.PGPU]['reserved']))
        self.assertEqual(HOPPER_TRAITS, data.traits)
        self.assertEqual(7, len(self.children()))
        self.assigned.clear()
        self.assertTrue(self.update())
        self.assertEqual({'%s_GPU_0000:%02x:00.0' % (NODE, 0x41 + i)
                          for i in range(8)}, set(self.children()))

    def test_a_held_gpu_lost_stays_in_its_pool(self):
        self.update()
        pool = self.held_by_its_provider('0000:41:00.0')
        self.assertFalse(self.update(self.eight(bad=(0,))))
        inv = self.tree.data(pool).inventory[orc.PGPU]
        self.assertEqual((4, 0), (inv['total'], inv['reserved']))
        self.assigned.clear()
        self.update(self.eight(bad=(0,)))
        self.assertEqual((1, 1), self.pools()[self.addresses(0)][:2])

    def test_vanished_pool_is_removed(self):
        self.update()
        with self.assertLogs(placement.LOG.logger, 'INFO') as logs:
            self.update(inventory(*self.eight().devices[:4]))
        self.assertEqual({self.addresses(0, 1, 2, 3)}, set(self.pools()))
        self.assertIn('Removing GPU pool provider', logs.output[0])
        self.assertIn('its GPUs are gone', logs.output[0])

    def test_hold_all_of_a_tree_read_from_placement(self):
        self.update()
        pool = self.held_by_its_provider('0000:42:00.0')
        fresh = self.read_from_placement()
        placement.hold_all(fresh, NODE, lambda: dict(self.assigned))
        data = fresh.data(pool)
        self.assertEqual(4, data.inventory[orc.PGPU]['reserved'])
        self.assertEqual({'0000:42:00.0'},
                         {r.identifier for r in data.resources[orc.PGPU]})


class PooledLayoutTest(PlacementTestBase):
    """``[fpga] provider_layout = pooled``: one provider per regions alike."""

    def setUp(self):
        super().setUp()
        self.options = conf.PlacementOptions(pooled=True)
        self.assigned = {}

    def update(self, inv=None, in_use=never_used):
        return placement.update(self.tree, NODE, inv or inventory(),
                                self.options, in_use,
                                assigned=lambda: dict(self.assigned))

    def four_cards(self, functions=(FUNC, FUNC, None, None), bad=()):
        return inventory(*[
            device(address='0000:%02x:00.0' % (0x10 + i),
                   regions=[region(function_id=f, health_reason=(
                       'afu_id all f' if i in bad else None))])
            for i, f in enumerate(functions)])

    def pools(self):
        """``{frozenset(identifiers): (total, reserved, traits)}``."""
        return {frozenset(r.identifier for r in data.resources[orc.FPGA]): (
            data.inventory[orc.FPGA]['total'],
            data.inventory[orc.FPGA]['reserved'], data.traits)
            for data in self.children().values()}

    def test_regions_alike_share_a_provider(self):
        self.assertTrue(self.update(self.four_cards()))
        pools = self.pools()
        loaded = frozenset({'0000:10:00.0_port0', '0000:11:00.0_port0'})
        blank = frozenset({'0000:12:00.0_port0', '0000:13:00.0_port0'})
        self.assertEqual({loaded, blank}, set(pools))
        self.assertEqual(2, pools[loaded][0])
        self.assertIn(placement.trait_name('function', FUNC),
                      pools[loaded][2])
        self.assertFalse(any(t.startswith('CUSTOM_FPGA_FUNCTION')
                             for t in pools[blank][2]))
        for name in self.children():
            self.assertTrue(name.startswith(NODE + placement.POOL_MARKER))
            self.assertIsNone(placement.identifier_of(NODE, name))

    def test_a_pool_holds_the_uuids_of_its_regions(self):
        self.update(self.four_cards())
        for data in self.children().values():
            self.assertEqual(
                {model.region_uuid(uuids.root, r.identifier)
                 for r in data.resources[orc.FPGA]}, data.aggregates)
            self.assertEqual(2, len(data.aggregates))

    def test_an_unusable_region_is_in_a_reserved_pool_of_its_own(self):
        self.update(self.four_cards(bad=(1,)))
        pools = self.pools()
        self.assertEqual((1, 1), pools[frozenset({'0000:11:00.0_port0'})][:2])
        self.assertEqual((1, 0), pools[frozenset({'0000:10:00.0_port0'})][:2])

    def test_a_free_region_follows_its_function(self):
        self.update(self.four_cards())
        self.update(self.four_cards((FUNC, None, None, None)))
        pools = self.pools()
        self.assertEqual(
            {frozenset({'0000:10:00.0_port0'}),
             frozenset({'0000:11:00.0_port0', '0000:12:00.0_port0',
                        '0000:13:00.0_port0'})}, set(pools))

    def held_by_its_provider(self, identifier):
        for data in self.children().values():
            for resource in data.resources.get(orc.FPGA, ()):
                if resource.identifier == identifier:
                    self.assigned[identifier] = data.uuid
                    return data.uuid

    def test_a_held_region_stays_in_its_provider_until_released(self):
        self.update(self.four_cards())
        pool = self.held_by_its_provider('0000:12:00.0_port0')
        # Its instance loaded another function into it.
        reloaded = self.four_cards((FUNC, FUNC, OTHER_FUNC, None))
        self.assertFalse(self.update(reloaded))
        data = self.tree.data(pool)
        self.assertEqual(
            {'0000:12:00.0_port0', '0000:13:00.0_port0'},
            {r.identifier for r in data.resources[orc.FPGA]})
        self.assertNotIn(placement.trait_name('function', OTHER_FUNC),
                         data.traits)
        # Released: it moves to the provider of its function, and the
        # pool it leaves keeps its other region.
        del self.assigned['0000:12:00.0_port0']
        self.assertTrue(self.update(reloaded))
        pools = self.pools()
        self.assertIn(frozenset({'0000:12:00.0_port0'}), pools)
        self.assertIn(placement.trait_name('function', OTHER_FUNC),
                      pools[frozenset({'0000:12:00.0_port0'})][2])
        self.assertEqual(
            {'0000:13:00.0_port0'},
            {r.identifier for r in self.tree.data(pool).resources[orc.FPGA]})

    def test_a_provider_only_held_regions_keep_keeps_its_traits(self):
        self.update(self.four_cards())
        pool = self.held_by_its_provider('0000:12:00.0_port0')
        self.held_by_its_provider('0000:13:00.0_port0')
        traits = set(self.tree.data(pool).traits)
        self.update(self.four_cards((FUNC, FUNC, OTHER_FUNC, OTHER_FUNC)))
        data = self.tree.data(pool)
        self.assertEqual(traits, set(data.traits))
        self.assertEqual(2, data.inventory[orc.FPGA]['total'])

    def test_a_held_region_lost_stays_without_taking_another(self):
        self.update(self.four_cards())
        pool = self.held_by_its_provider('0000:10:00.0_port0')
        self.update(self.four_cards(bad=(0,)))
        # Its allocation counts it; reserving it too would keep its pool's
        # healthy region from being claimed.
        inv = self.tree.data(pool).inventory[orc.FPGA]
        self.assertEqual((2, 0), (inv['total'], inv['reserved']))
        # Released, it goes to a pool of its own, reserved whole.
        self.assigned.clear()
        self.update(self.four_cards(bad=(0,)))
        self.assertEqual((1, 1), self.pools()[frozenset(
            {'0000:10:00.0_port0'})][:2])

    def test_a_held_region_gone_from_the_host_stays_in_its_pool(self):
        self.update(self.four_cards())
        pool = self.held_by_its_provider('0000:10:00.0_port0')
        gone = inventory(*self.four_cards().devices[1:])
        self.assertFalse(self.update(gone))
        # Nova's resource tracker still finds it there; not reserved, so
        # the pool's other region can be claimed.
        data = self.tree.data(pool)
        self.assertEqual(
            {'0000:10:00.0_port0', '0000:11:00.0_port0'},
            {r.identifier for r in data.resources[orc.FPGA]})
        self.assertEqual((2, 0), (data.inventory[orc.FPGA]['total'],
                                  data.inventory[orc.FPGA]['reserved']))
        self.assigned.clear()
        self.assertTrue(self.update(gone))
        self.assertEqual(
            {'0000:11:00.0_port0'},
            {r.identifier for r in self.tree.data(pool).resources[orc.FPGA]})

    def test_from_the_region_layout_held_regions_move_when_released(self):
        self.options = conf.PlacementOptions()
        self.update(self.four_cards())
        old = self.tree.data(self.name('0000:10:00.0_port0')).uuid
        self.assigned['0000:10:00.0_port0'] = old
        self.options = conf.PlacementOptions(pooled=True)
        self.assertFalse(self.update(self.four_cards(),
                                     in_use=lambda uuid: uuid == old))
        names = set(self.children())
        self.assertIn(self.name('0000:10:00.0_port0'), names)
        self.assertNotIn(self.name('0000:11:00.0_port0'), names)
        self.assertEqual(3, len(names))
        self.assigned.clear()
        self.assertTrue(self.update(self.four_cards()))
        self.assertEqual(2, len(self.children()))
        self.assertEqual(2, len([p for p in self.pools() if len(p) == 2]))

    def test_back_to_the_region_layout(self):
        self.update(self.four_cards())
        pool = self.held_by_its_provider('0000:10:00.0_port0')
        self.options = conf.PlacementOptions()
        self.assertFalse(self.update(self.four_cards()))
        self.assertEqual(
            {'0000:10:00.0_port0'},
            {r.identifier for r in self.tree.data(pool).resources[orc.FPGA]})
        self.assigned.clear()
        self.assertTrue(self.update(self.four_cards()))
        self.assertEqual(
            {self.name('0000:%02x:00.0_port0' % (0x10 + i))
             for i in range(4)}, set(self.children()))

    def test_hold_all_of_a_tree_read_from_placement(self):
        self.update(self.four_cards())
        pool = self.held_by_its_provider('0000:12:00.0_port0')
        fresh = self.read_from_placement()
        placement.hold_all(fresh, NODE, lambda: dict(self.assigned))
        data = fresh.data(pool)
        self.assertEqual(2, data.inventory[orc.FPGA]['reserved'])
        self.assertEqual({'0000:12:00.0_port0'},
                         {r.identifier for r in data.resources[orc.FPGA]})

    def test_the_held_units_are_asked_only_where_they_can_be_away(self):
        self.options = conf.PlacementOptions()

        def assigned():
            raise AssertionError('asked')
        placement.update(self.tree, NODE, self.four_cards(), self.options,
                         never_used, assigned=assigned)
        self.assertEqual(4, len(self.children()))


class ReportedTest(PlacementTestBase):
    """The periodic update's fast path: is the tree still as left?"""

    def setUp(self):
        super().setUp()
        self.inv = inventory(device(regions=[region('port0'),
                                             region('port1')]))
        self.update(self.inv)
        self.reported = placement.Reported.of(self.tree, NODE, self.inv, {})
        # Each periodic update is given a copy of the report client's tree.
        self.given = copy.deepcopy(self.tree)

    def holds(self, inv=None, quarantined=None):
        return self.reported.holds(self.given, NODE, inv or self.inv,
                                   quarantined or {})

    def test_holds_when_nothing_changed(self):
        self.assertTrue(self.holds())

    def test_not_when_discovery_found_otherwise(self):
        self.assertFalse(self.holds(inventory(device(regions=[
            region('port0'), region('port1', function_id=OTHER_FUNC)]))))
        self.assertFalse(self.holds(quarantined={
            '0000:5e:00.0_port0': 'scrub failed'}))

    def test_not_when_a_provider_changed_in_the_tree(self):
        name = self.name('0000:5e:00.0_port1')
        self.given.add_traits(name, 'CUSTOM_FPGA_SOMETHING')
        self.assertFalse(self.holds())
        self.given = copy.deepcopy(self.tree)
        inv = self.given.data(name).inventory
        self.given.update_inventory(
            name, {orc.FPGA: dict(inv[orc.FPGA], reserved=1)})
        self.assertFalse(self.holds())
        self.given = copy.deepcopy(self.tree)
        self.given.update_aggregates(name, [])
        self.assertFalse(self.holds())
        self.given = copy.deepcopy(self.tree)
        self.given.remove(name)
        self.assertFalse(self.holds())

    def test_resources_lost_from_the_tree_are_put_back(self):
        # The report client's tree has none: the tree a periodic update
        # is given never does.
        name = self.name('0000:5e:00.0_port1')
        self.given.update_resources(name, {})
        self.assertTrue(self.holds())
        self.assertEqual(self.tree.data(name).resources,
                         self.given.data(name).resources)


class SetAsideTest(PlacementTestBase):

    def test_the_block_sees_the_tree_without_our_providers(self):
        self.update(inventory(device(regions=[region('port0'),
                                              region('port1')])))
        # A provider of Nova's own (vGPU), to be left where it is.
        self.tree.new_child(NODE + '_pci_0000_84_00_0', NODE,
                            uuid=uuids.pgpu)
        before = self.children()
        with placement.set_aside(self.tree, NODE):
            self.assertEqual({NODE + '_pci_0000_84_00_0'},
                             set(self.children()))
        self.assertEqual(before, self.children())

    def test_our_providers_come_back_after_an_error(self):
        self.update()
        before = self.children()

        def fail():
            with placement.set_aside(self.tree, NODE):
                raise ValueError('the parent driver failed')
        self.assertRaises(ValueError, fail)
        self.assertEqual(before, self.children())
