"""Servers with whole GPUs, alone and beside FPGA regions.

By default the GPUs alike of a NUMA node share a provider, so a flavor asks
for N GPUs with ``resources:PGPU=N``. With ``[fpga] gpu_provider_layout =
device`` each GPU is a provider of one PGPU and N GPUs are N request
groups (Placement takes a group's resource class from one provider).
"""

import io
import json

import fixtures
import nova.conf
from nova import context as nova_context
from nova import objects

from nova_fpga.cmd import manage
from nova_fpga import placement
from tests.functional import libvirt_base

FIRST, SECOND, AFU = libvirt_base.FIRST, libvirt_base.SECOND, libvirt_base.AFU
THIRD = '0000:20:00.0'
FOURTH = '0000:28:00.0'
ARCH = 'CUSTOM_GPU_ARCH_'


def gpu_specs(count, arch, pooled=True, **extra):
    """Extra specs for ``count`` GPUs of one architecture, and ``extra``."""
    specs = placement.gpu_flavor_specs(count, arch, pooled=pooled)
    specs.update(extra)
    return specs


class GPUServersTest(libvirt_base.FPGAServersTestBase):

    def flavor(self, specs):
        return self._create_flavor(memory_mb=512, vcpu=1, disk=1,
                                   ephemeral=0, extra_spec=specs)

    def gpu_pools(self, hostname='compute1'):
        """``{arch: (total, reserved, used)}`` of the host's GPU pools.

        ``arch`` the architecture trait's suffix; a reserved pool's with
        `` reserved`` after.
        """
        found = {}
        for rp in self.fpga_providers(
                hostname, placement.GPU_POOL_MARKER).values():
            inventory = self._get_provider_inventory(rp['uuid'])['PGPU']
            (arch,) = [t[len(ARCH):] for t in self._get_provider_traits(
                rp['uuid']) if t.startswith(ARCH)]
            if inventory['reserved']:
                arch += ' reserved'
            self.assertNotIn(arch, found)
            found[arch] = (
                inventory['total'], inventory['reserved'],
                self._get_provider_usages(rp['uuid']).get('PGPU', 0))
        return found

    def pool(self, arch, hostname='compute1'):
        """The uuid of the host's pool of ``arch``."""
        for rp in self.fpga_providers(
                hostname, placement.GPU_POOL_MARKER).values():
            if ARCH + arch in self._get_provider_traits(rp['uuid']):
                return rp['uuid']

    def held(self, server):
        """``[(provider uuid, identifier)]`` of the units the server holds."""
        instance = objects.Instance.get_by_uuid(
            nova_context.get_admin_context(), server['id'],
            expected_attrs=['resources'])
        return sorted((r.provider_uuid, r.identifier)
                      for r in instance.resources or ())

    def test_two_gpus_of_one_architecture(self):
        self.start_fpga_compute('compute1', 'n6000', 'h100', 'rtx4090',
                                'h100')
        self.assertEqual({'HOPPER': (2, 0, 0), 'ADA': (1, 0, 0)},
                         self.gpu_pools())
        server = self.boot(self.flavor(gpu_specs(2, 'HOPPER')))
        self.assertEqual(sorted([SECOND, FOURTH]),
                         sorted(self.hostdevs(server)))
        self.assertEqual({'HOPPER': (2, 0, 2), 'ADA': (1, 0, 0)},
                         self.gpu_pools())
        hopper = self.pool('HOPPER')
        self.assertEqual([(hopper, SECOND), (hopper, FOURTH)],
                         self.held(server))
        allocations = self._get_allocations_by_server_uuid(server['id'])
        allocations.pop(self.compute_rp_uuids['compute1'])
        self.assertEqual({hopper: {'PGPU': 2}},
                         {rp: a['resources'] for rp, a in allocations.items()})
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        traits = set(self._get_provider_traits(hopper))
        self.assertTrue({'CUSTOM_GPU_NVIDIA', 'CUSTOM_GPU_ARCH_HOPPER',
                         'CUSTOM_GPU_H100_PCIE', 'CUSTOM_GPU_MEMORY_GE_80G',
                         'OWNER_NOVA'} <= traits, traits)
        self.assertNotIn('CUSTOM_GPU_MEMORY_GE_96G', traits)
        self.assertEqual({}, self.gpu_providers('compute1'))

    def test_seed_003_flavor(self):
        # gpus=2, gpu_arch=fermi, as the seed writes it.
        self.start_fpga_compute('compute1', 'm2090:2', 'h100')
        server = self.boot(self.flavor({
            'resources:PGPU': '2',
            'trait:CUSTOM_GPU_ARCH_FERMI': 'required'}))
        self.assertEqual([FIRST, SECOND], sorted(self.hostdevs(server)))

    def test_the_device_layout_takes_a_gpu_per_request_group(self):
        self.start_fpga_compute('compute1', 'h100:2',
                                gpu_provider_layout='device')
        self.assertEqual({}, self.gpu_pools())
        server = self.boot(self.flavor(gpu_specs(2, 'HOPPER')),
                           expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])
        server = self.boot(self.flavor(gpu_specs(2, 'HOPPER', pooled=False)))
        self.assertEqual([FIRST, SECOND], sorted(self.hostdevs(server)))
        self.assertEqual([1, 1], [
            self._get_provider_usages(rp['uuid'])['PGPU']
            for rp in self.gpu_providers('compute1').values()])

    def test_a_flavor_of_the_device_layout_fits_a_pool(self):
        # Its groups may share a provider: flavors can follow the hosts.
        self.start_fpga_compute('compute1', 'h100:2')
        server = self.boot(self.flavor(gpu_specs(2, 'HOPPER', pooled=False)))
        self.assertEqual([FIRST, SECOND], sorted(self.hostdevs(server)))
        self.assertEqual({'HOPPER': (2, 0, 2)}, self.gpu_pools())

    def test_companion_audio_function_goes_along(self):
        self.start_fpga_compute('compute1', 'rtx4090')
        server = self.boot(self.flavor(gpu_specs(1, 'ADA')))
        self.assertEqual([FIRST, '0000:10:00.1'], self.hostdevs(server))

    def test_delete_frees_the_gpus(self):
        self.start_fpga_compute('compute1', 'h100:2')
        flavor = self.flavor(gpu_specs(2, 'HOPPER'))
        self._delete_server(self.boot(flavor))
        self.assertEqual({'HOPPER': (2, 0, 0)}, self.gpu_pools())
        server = self.boot(flavor)
        self.assertEqual([FIRST, SECOND], sorted(self.hostdevs(server)))

    def test_hard_reboot_keeps_the_gpus(self):
        self.start_fpga_compute('compute1', 'h100:2')
        server = self.boot(self.flavor(gpu_specs(2, 'HOPPER')))
        self._reboot_server(server, hard=True)
        self.assertEqual([FIRST, SECOND], sorted(self.hostdevs(server)))

    def test_all_gpus_taken(self):
        self.start_fpga_compute('compute1', 'h100:2')
        flavor = self.flavor(gpu_specs(1, 'HOPPER'))
        first, second = self.boot(flavor), self.boot(flavor)
        self.assertNotEqual(self.held(first), self.held(second))
        server = self.boot(flavor, expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])

    def test_fpga_and_gpu(self):
        self.start_fpga_compute('compute1', 'n6000', 'h100')
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        server = self.boot(self.flavor(gpu_specs(1, 'HOPPER', **{
            'resources:FPGA': '1',
            'trait:CUSTOM_FPGA_MEMORY_GE_16G': 'required',
            'fpga:bitstream': image_id})))
        self.assertEqual([FIRST, SECOND], sorted(self.hostdevs(server)))
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        self.assertEqual({'HOPPER': (1, 0, 1)}, self.gpu_pools())

    def test_fpga_board_memory_minimum(self):
        self.start_fpga_compute('compute1', 'n6000')
        self.assertIn('CUSTOM_FPGA_MEMORY_DDR4',
                      self.region_traits('compute1', FIRST))
        server = self.boot(self.fpga_flavor(**{
            'trait:CUSTOM_FPGA_MEMORY_GE_32G': 'required'}),
            expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])

    def test_gpu_of_the_host_driver_is_left_alone(self):
        self.start_fpga_compute('compute1', 'h100,driver=nvidia', 'h100',
                                gpu_provider_layout='device')
        self.assertEqual(['compute1_GPU_%s' % SECOND],
                         list(self.gpu_providers('compute1')))

    def test_allowed_gpu_of_the_host_driver_is_reported(self):
        self.start_fpga_compute('compute1', 'h100,driver=nvidia',
                                gpu_host_driver_allowlist=['10de:2331'])
        server = self.boot(self.flavor(gpu_specs(1, 'HOPPER')))
        self.assertEqual([FIRST], self.hostdevs(server))

    def test_a_gpu_in_the_pci_device_spec_is_withheld(self):
        # Nova's PCI passthrough would hand it out too. Nova reads the
        # host's /sys to tell whether an address is a PF.
        self.useFixture(fixtures.MockPatch(
            'nova.pci.utils.is_physical_function', return_value=False))
        self.flags(device_spec=['{"address": "%s"}' % FIRST], group='pci')
        self.start_fpga_compute('compute1', 'h100:2')
        # In a pool of its own, reserved whole.
        self.assertEqual({'HOPPER': (1, 0, 0),
                          'HOPPER reserved': (1, 1, 0)}, self.gpu_pools())
        flavor = self.flavor(gpu_specs(1, 'HOPPER'))
        self.assertEqual([SECOND], self.hostdevs(self.boot(flavor)))
        server = self.boot(flavor, expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])

    def test_numa_policy(self):
        self.flags(max_attempts=1, group='scheduler')
        self.start_fpga_compute('compute1', 'h100,numa=1')
        server = self.boot(self.flavor(gpu_specs(1, 'HOPPER', **{
            'hw:numa_nodes': '1',
            'hw:pci_numa_affinity_policy': 'required'})),
            expected_state='ERROR')
        self.assertIn('GPU %s: %s is on NUMA node 1, the instance on 0' % (
            FIRST, FIRST), server['fault']['message'])
        self.boot(self.flavor(gpu_specs(1, 'HOPPER', **{
            'hw:numa_nodes': '1',
            'hw:pci_numa_affinity_policy': 'preferred'})))

    def test_numa_policy_of_two_gpus_of_a_pool(self):
        self.flags(max_attempts=1, group='scheduler')
        self.start_fpga_compute('compute1', 'h100:2,numa=1')
        required = self.flavor(gpu_specs(2, 'HOPPER', **{
            'hw:numa_nodes': '1',
            'hw:pci_numa_affinity_policy': 'required'}))
        server = self.boot(required, expected_state='ERROR')
        self.assertIn('is on NUMA node 1, the instance on 0',
                      server['fault']['message'])
        self.assertEqual({'HOPPER': (2, 0, 0)}, self.gpu_pools())

    def test_gpus_of_two_numa_nodes_are_two_pools(self):
        self.start_fpga_compute('compute1', 'h100,numa=0', 'h100,numa=1')
        pools = [rp['uuid'] for rp in self.fpga_providers(
            'compute1', placement.GPU_POOL_MARKER).values()]
        self.assertEqual([(1, 0)] * 2, [
            (inv['PGPU']['total'], inv['PGPU']['reserved'])
            for inv in map(self._get_provider_inventory, pools)])
        # So the GPUs of one flavor's group sit on one node: two GPUs of
        # two nodes are two groups.
        server = self.boot(self.flavor(gpu_specs(2, 'HOPPER')),
                           expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])
        server = self.boot(self.flavor(gpu_specs(2, 'HOPPER', pooled=False)))
        self.assertEqual([FIRST, SECOND], sorted(self.hostdevs(server)))

    def switch(self, layout):
        self.flags(gpu_provider_layout=layout, group='fpga')
        self.restart_compute_service('compute1')
        self._run_periodics(raise_on_error=True)

    def test_a_held_gpu_stays_where_it_is_across_layouts(self):
        self.start_fpga_compute('compute1', 'h100:4',
                                gpu_provider_layout='device')
        server = self.boot(self.flavor(gpu_specs(2, 'HOPPER', pooled=False)))
        held = self.held(server)
        addresses = sorted(a for _, a in held)
        self.assertEqual(addresses, sorted(self.hostdevs(server)))

        self.switch('pooled')
        # The held GPUs keep their providers and allocations; the free
        # ones are pooled.
        self.assertEqual(held, self.held(server))
        self.assertEqual(
            {'compute1_GPU_%s' % a for a in addresses},
            set(self.gpu_providers('compute1')))
        self.assertEqual([1, 1], [self._get_provider_usages(uuid)['PGPU']
                                  for uuid, _ in held])
        self.assertEqual({'HOPPER': (2, 0, 0)}, self.gpu_pools())
        self._reboot_server(server, hard=True)
        self.assertEqual(addresses, sorted(self.hostdevs(server)))
        # A server of the pooled flavor gets the other two.
        pooled = self.boot(self.flavor(gpu_specs(2, 'HOPPER')))
        self.assertEqual([], sorted(set(addresses) & set(
            self.hostdevs(pooled))))

        self._delete_server(server)
        self._run_periodics(raise_on_error=True)
        # Released, they join the pool; their providers go.
        self.assertEqual({}, self.gpu_providers('compute1'))
        self.assertEqual({'HOPPER': (4, 0, 2)}, self.gpu_pools())

        # And back, with the pooled server running.
        held = self.held(pooled)
        self.switch('device')
        self.assertEqual(held, self.held(pooled))
        self.assertEqual({'HOPPER': (2, 0, 2)}, self.gpu_pools())
        self.assertEqual(2, len(self.gpu_providers('compute1')))
        self._reboot_server(pooled, hard=True)
        self.assertEqual(sorted(a for _, a in held),
                         sorted(self.hostdevs(pooled)))
        self._delete_server(pooled)
        self._run_periodics(raise_on_error=True)
        self.assertEqual({}, self.gpu_pools())
        self.assertEqual(4, len(self.gpu_providers('compute1')))

    def test_status_names_the_holders_of_a_pool_of_gpus(self):
        for name in ('OS_AUTH_TYPE', 'OS_AUTH_URL', 'OS_TOKEN'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        self.start_fpga_compute('compute1', 'n6000', 'h100:2')
        server = self.boot(self.flavor(gpu_specs(1, 'HOPPER')))
        out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        self.assertEqual(0, manage.run(nova.conf.CONF, manage.parse([
            'status', '--node', 'compute1', '--format', 'json'])))
        found = {entry['region']: entry['placement']
                 for entry in json.loads(out.getvalue())['regions']}
        # Placement does not say which GPU of the pool the server holds.
        for address in (SECOND, THIRD):
            self.assertTrue(found[address]['pool'])
            self.assertEqual([server['id']], [
                h['consumer'] for h in found[address]['holders']])
        self.assertEqual([], found[FIRST + '_port0']['holders'])
