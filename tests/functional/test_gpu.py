"""Servers with whole GPUs, alone and beside FPGA regions.

Placement takes each resource class of a request group from one provider,
and each GPU is a provider of one PGPU, so N GPUs are N request groups.
"""

import fixtures

from nova_fpga import placement
from tests.functional import libvirt_base

FIRST, SECOND, AFU = libvirt_base.FIRST, libvirt_base.SECOND, libvirt_base.AFU
THIRD = '0000:20:00.0'
FOURTH = '0000:28:00.0'


def gpu_specs(count, arch, **extra):
    """Extra specs for ``count`` GPUs of one architecture, and ``extra``."""
    specs = placement.gpu_flavor_specs(count, arch)
    specs.update(extra)
    return specs


class GPUServersTest(libvirt_base.FPGAServersTestBase):

    def flavor(self, specs):
        return self._create_flavor(memory_mb=512, vcpu=1, disk=1,
                                   ephemeral=0, extra_spec=specs)

    def gpu_provider(self, hostname, address):
        return self.gpu_providers(hostname)['%s_GPU_%s' % (
            hostname, address)]['uuid']

    def gpu_usage(self, hostname, address):
        return self._get_provider_usages(
            self.gpu_provider(hostname, address)).get('PGPU', 0)

    def test_two_gpus_of_one_architecture(self):
        self.start_fpga_compute('compute1', 'n6000', 'h100', 'rtx4090',
                                'h100')
        server = self.boot(self.flavor(gpu_specs(2, 'HOPPER')))
        self.assertEqual(sorted([SECOND, FOURTH]),
                         sorted(self.hostdevs(server)))
        self.assertEqual([1, 0, 1], [
            self.gpu_usage('compute1', address)
            for address in (SECOND, THIRD, FOURTH)])
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        traits = set(self._get_provider_traits(
            self.gpu_provider('compute1', SECOND)))
        self.assertTrue({'CUSTOM_GPU_NVIDIA', 'CUSTOM_GPU_ARCH_HOPPER',
                         'CUSTOM_GPU_H100_PCIE', 'CUSTOM_GPU_MEMORY_GE_80G',
                         'OWNER_NOVA'} <= traits, traits)
        self.assertNotIn('CUSTOM_GPU_MEMORY_GE_96G', traits)

    def test_one_request_group_takes_one_gpu_at_most(self):
        self.start_fpga_compute('compute1', 'h100:2')
        server = self.boot(self.flavor({
            'resources:PGPU': '2',
            'trait:CUSTOM_GPU_ARCH_HOPPER': 'required'}),
            expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])

    def test_companion_audio_function_goes_along(self):
        self.start_fpga_compute('compute1', 'rtx4090')
        server = self.boot(self.flavor(gpu_specs(1, 'ADA')))
        self.assertEqual([FIRST, '0000:10:00.1'], self.hostdevs(server))

    def test_seed_003_flavor(self):
        # gpus=2, gpu_arch=fermi
        self.start_fpga_compute('compute1', 'm2090:2', 'h100')
        server = self.boot(self.flavor(gpu_specs(2, 'FERMI')))
        self.assertEqual([FIRST, SECOND], sorted(self.hostdevs(server)))

    def test_delete_frees_the_gpus(self):
        self.start_fpga_compute('compute1', 'h100:2')
        flavor = self.flavor(gpu_specs(2, 'HOPPER'))
        self._delete_server(self.boot(flavor))
        self.assertEqual([0, 0], [self.gpu_usage('compute1', address)
                                  for address in (FIRST, SECOND)])
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
        self.boot(flavor)
        self.boot(flavor)
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
        self.assertEqual(1, self.gpu_usage('compute1', SECOND))

    def test_fpga_board_memory_minimum(self):
        self.start_fpga_compute('compute1', 'n6000')
        self.assertIn('CUSTOM_FPGA_MEMORY_DDR4',
                      self.region_traits('compute1', FIRST))
        server = self.boot(self.fpga_flavor(**{
            'trait:CUSTOM_FPGA_MEMORY_GE_32G': 'required'}),
            expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])

    def test_gpu_of_the_host_driver_is_left_alone(self):
        self.start_fpga_compute('compute1', 'h100,driver=nvidia', 'h100')
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
        inventory = self._get_provider_inventory(
            self.gpu_provider('compute1', FIRST))
        self.assertEqual(1, inventory['PGPU']['reserved'])
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
