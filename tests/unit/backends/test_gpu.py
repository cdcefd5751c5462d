"""GPU discovery on simulated hosts: ids, memory, companions, health."""

import os

from nova_fpga.backends import gpu
from nova_fpga.catalog import gpus
from nova_fpga import model
from tests.unit import test_discovery

FIRST = '0000:10:00.0'
SECOND = '0000:18:00.0'


class GPUDiscoveryTest(test_discovery.SimulatedHostTest):

    def gpu(self, address=FIRST):
        return self.discover(['gpu']).device(address)

    def test_round_trip(self):
        self.build('h100:2', 'rtx4090,numa=1', 'mi210,driver=amdgpu',
                   'flex170', 'nvidia_next', 'm2090', 'n6000')
        self.assert_round_trip()

    def test_fpga_cards_are_no_gpus(self):
        self.build('n6000', 'u250', 'pac_a10')
        self.assertEqual((), self.discover(['gpu']).devices)

    def test_hopper_memory_from_the_table_not_the_bar(self):
        self.build('h100')
        dev = self.gpu()
        self.assertEqual(
            ('nvidia', 'h100_pcie', 'hopper', 80 * 1024, model.MEMORY_TABLE,
             'vfio-pci'),
            (dev.vendor, dev.board, dev.architecture, dev.memory_mb,
             dev.memory_source, dev.driver))
        self.assertEqual(128 * 1024 ** 3, gpu.largest_prefetchable_bar(
            os.path.join(self.host.sysfs_root, 'bus', 'pci', 'devices',
                         FIRST, 'resource')))

    def test_unknown_id_has_no_architecture_and_bar_memory(self):
        self.build('nvidia_next')
        dev = self.gpu()
        self.assertEqual(('10de_2fff', None, 64 * 1024, model.MEMORY_BAR),
                         (dev.board, dev.architecture, dev.memory_mb,
                          dev.memory_source))
        self.assertTrue(dev.healthy)

    def test_amdgpu_shows_its_memory(self):
        self.build('mi210,driver=amdgpu')
        dev = self.gpu()
        self.assertEqual(('cdna2', 64 * 1024, model.MEMORY_SYSFS, True),
                         (dev.architecture, dev.memory_mb, dev.memory_source,
                          dev.in_host_use))

    def test_audio_companion_is_attached(self):
        self.build('rtx4090')
        self.assertEqual((FIRST, '0000:10:00.1'),
                         self.gpu().regions[0].attach)

    def test_iommu_group_shared_with_a_host_device(self):
        self.build('h100', 'h100')
        group = self.gpu().iommu_group
        # The second GPU's function joins the first one's group.
        os.symlink(os.path.join('..', '..', '..', '..', 'bus', 'pci',
                                'devices', SECOND),
                   os.path.join(self.host.sysfs_root, 'kernel',
                                'iommu_groups', str(group), 'devices',
                                SECOND))
        dev = self.gpu()
        self.assertFalse(dev.healthy)
        self.assertIn('IOMMU group %d is shared with host device(s) %s' % (
            group, SECOND), dev.health_reason)

    def test_no_iommu_group(self):
        self.build('h100')
        os.unlink(os.path.join(self.host.sysfs_root, 'bus', 'pci', 'devices',
                               FIRST, 'iommu_group'))
        self.assertIn('no IOMMU group', self.gpu().health_reason)

    def test_bad_resource_file(self):
        self.build('nvidia_next')
        self.write('bus/pci/devices/%s/resource' % FIRST, b'garbage\n')
        dev = self.gpu()
        self.assertEqual((None, None), (dev.memory_mb, dev.memory_source))
        self.assertTrue(dev.healthy)

    def test_unreadable_device_id(self):
        self.build('h100')
        self.write('bus/pci/devices/%s/device' % FIRST, b'\0' * 16)
        dev = self.gpu()
        self.assertIn('PCI device id unreadable', dev.health_reason)
        self.assertIsNone(dev.architecture)


class TableTest(test_discovery.testtools.TestCase):

    def test_every_nvidia_generation(self):
        archs = {m.architecture for (vendor, _), m in gpus.MODELS.items()
                 if vendor == '10de'}
        self.assertEqual({'fermi', 'kepler', 'maxwell', 'pascal', 'volta',
                          'turing', 'ampere', 'ada', 'hopper', 'blackwell'},
                         archs)

    def test_compute_classes_only_for_known_ids(self):
        self.assertTrue(gpus.is_gpu('1002', '740f', 0x0380))
        self.assertFalse(gpus.is_gpu('8086', 'bcce', 0x1200))
        self.assertTrue(gpus.is_gpu('8086', 'ffff', 0x0300))
        self.assertFalse(gpus.is_gpu('1af4', '1050', 0x0300))
