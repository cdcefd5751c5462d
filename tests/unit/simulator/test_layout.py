import os

from nova_fpga import simulator
from nova_fpga.simulator import tree
from tests.unit.simulator import base

PF0 = 'devices/pci0000:00/0000:00:01.0/0000:10:00.0'
PF1 = 'devices/pci0000:00/0000:00:02.0/0000:18:00.0'


class DflLayoutTest(base.SimulatorTestCase):

    def setUp(self):
        super().setUp()
        self.build('n6000:2', 'c6100')

    def test_pci_function(self):
        self.assertEqual(b'0x8086\n', self.read(PF0, 'vendor'))
        self.assertEqual(b'0xbcce\n', self.read(PF0, 'device'))
        self.assertEqual(b'0x1770\n', self.read(PF0, 'subsystem_device'))
        self.assertEqual(b'0x120000\n', self.read(PF0, 'class'))
        self.assertEqual(b'bccf\n', self.read(PF0, 'sriov_vf_device'))
        self.assertEqual(b'3\n', self.read(PF0, 'sriov_totalvfs'))
        self.assertEqual(b'0\n', self.read(PF0, 'sriov_numvfs'))
        self.assertIn(b'DRIVER=dfl-pci\n', self.read(PF0, 'uevent'))
        self.assertIn(b'PCI_SLOT_NAME=0000:10:00.0\n',
                      self.read(PF0, 'uevent'))
        self.assertEqual(
            '../../../devices/pci0000:00/0000:00:01.0/0000:10:00.0',
            os.readlink(self.sys('bus/pci/devices/0000:10:00.0')))
        self.assertEqual('../../../../bus/pci/drivers/dfl-pci',
                         os.readlink(self.sys(PF0, 'driver')))
        self.assertEqual('../../../../kernel/iommu_groups/10',
                         os.readlink(self.sys(PF0, 'iommu_group')))
        self.assertTrue(os.path.isdir(self.sys(
            'bus/pci/drivers/dfl-pci/0000:10:00.0')))

    def test_fme_port_and_regions(self):
        base = PF0 + '/fpga_region/region0'
        self.assertEqual('../../../0000:10:00.0',
                         os.readlink(self.sys(base, 'device')))
        self.assertEqual(tree.UNREADABLE, self.read(base, 'compat_id'))
        fme = base + '/dfl-fme.0'
        self.assertEqual(b'240:0\n', self.read(fme, 'dev'))
        self.assertEqual(b'1\n', self.read(fme, 'ports_num'))
        self.assertEqual(b'0x5010202aecbd6e5\n',
                         self.read(fme, 'bitstream_id'))
        manager = fme + '/dfl-fme-mgr.0/fpga_manager/fpga0'
        self.assertEqual(b'DFL FME FPGA Manager\n', self.read(manager, 'name'))
        self.assertEqual(b'unknown\n', self.read(manager, 'state'))
        self.assertEqual(b'', self.read(manager, 'status'))
        self.assertEqual('../../../dfl-fme-mgr.0',
                         os.readlink(self.sys(manager, 'device')))
        self.assertEqual(b'enabled\n', self.read(
            fme, 'dfl-fme-bridge.0.auto/fpga_bridge/br0/state'))
        pr_region = fme + '/dfl-fme-region.0/fpga_region/region1'
        self.assertEqual(
            simulator.INTERFACE_IDS['n6000'] + '\n',
            self.read(pr_region, 'compat_id').decode())
        self.assertEqual('../../../dfl-fme-region.0',
                         os.readlink(self.sys(pr_region, 'device')))
        port = base + '/dfl-port.0'
        self.assertEqual(b'239:0\n', self.read(port, 'dev'))
        self.assertEqual(b'0\n', self.read(port, 'id'))
        self.assertEqual(simulator.FUNCTION_IDS['n6000'] + '\n',
                         self.read(port, 'afu_id').decode())
        self.assertEqual(b'0x0\n', self.read(port, 'errors/errors'))
        self.assertIn(b'DEVNAME=dfl-port.0\n', self.read(port, 'uevent'))
        self.assertEqual(tree.UNREADABLE,
                         open(self.dev('dfl-fme.0'), 'rb').read())
        self.assertTrue(os.path.isfile(self.dev('dfl-port.0')))

    def test_numbers_are_global_and_consecutive(self):
        links = {name: os.readlink(self.sys('class/fpga_region', name))
                 for name in os.listdir(self.sys('class/fpga_region'))}
        self.assertEqual({
            'region0': '../../%s/fpga_region/region0' % PF0,
            'region1': '../../%s/fpga_region/region0/dfl-fme.0/'
                       'dfl-fme-region.0/fpga_region/region1' % PF0,
            'region2': '../../%s/fpga_region/region2' % PF1,
            'region3': '../../%s/fpga_region/region2/dfl-fme.1/'
                       'dfl-fme-region.1/fpga_region/region3' % PF1,
            'region4': '../../devices/pci0000:00/0000:00:03.0/0000:20:00.0/'
                       'fpga_region/region4',
        }, links)
        self.assertEqual(['fpga0', 'fpga1'],
                         sorted(os.listdir(self.sys('class/fpga_manager'))))
        self.assertEqual(['br0', 'br1'],
                         sorted(os.listdir(self.sys('class/fpga_bridge'))))
        self.assertEqual(
            ['dfl-fme.0', 'dfl-fme.1', 'dfl-fme.2',
             'dfl-port.0', 'dfl-port.1', 'dfl-port.2'],
            sorted(os.listdir(self.host.dev_root)))
        self.assertTrue(os.path.isdir(self.sys(
            PF1, 'fpga_region/region2/dfl-fme.1/dfl-fme-bridge.1.auto')))

    def test_c6100_has_no_pr_and_no_sriov(self):
        fme = self.sys('bus/platform/devices/dfl-fme.2')
        self.assertEqual({'bitstream_id', 'bitstream_metadata', 'cache_size',
                          'dev', 'driver_override', 'errors',
                          'fabric_version', 'modalias', 'numa_node',
                          'ports_num', 'socket_id', 'uevent'},
                         set(os.listdir(fme)))
        self.assertFalse(os.path.exists(self.sys(
            'bus/pci/devices/0000:20:00.0/sriov_numvfs')))


class VfLayoutTest(base.SimulatorTestCase):

    def test_n6000_vfs_next_to_a_kept_port(self):
        self.build('n6000,vfs=3')
        self.assertEqual(b'3\n', self.read(PF0, 'sriov_numvfs'))
        self.assertTrue(os.path.isdir(self.sys(
            PF0, 'fpga_region/region0/dfl-port.0')))
        for number in range(3):
            vf = '0000:10:00.%d' % (number + 1)
            self.assertEqual('../' + vf, os.readlink(self.sys(
                PF0, 'virtfn%d' % number)))
            path = self.sys('bus/pci/devices', vf)
            self.assertEqual('../0000:10:00.0',
                             os.readlink(os.path.join(path, 'physfn')))
            self.assertEqual('vfio-pci', os.path.basename(
                os.readlink(os.path.join(path, 'driver'))))
            self.assertEqual(b'0xbccf\n', self.read(
                'bus/pci/devices', vf, 'device'))
            self.assertFalse(os.path.exists(os.path.join(
                path, 'fpga_region')))

    def test_d5005_releases_its_port_for_the_vf(self):
        self.build('d5005,vfs=1')
        self.assertEqual(b'1\n', self.read(PF0, 'sriov_numvfs'))
        self.assertFalse(os.path.exists(self.sys(
            PF0, 'fpga_region/region0/dfl-port.0')))
        self.assertFalse(os.path.exists(self.dev('dfl-port.0')))
        self.assertFalse(os.path.exists(self.sys(
            'bus/platform/devices/dfl-port.0')))
        self.assertEqual(b'0x0b2c\n', self.read(
            'bus/pci/devices/0000:10:00.1/device'))


class IntelFpgaLayoutTest(base.SimulatorTestCase):

    def test_layout(self):
        self.build('n3000', 'pac_a10')
        dev = PF1 + '/fpga/intel-fpga-dev.1'
        self.assertEqual('../../%s' % dev, os.readlink(
            self.sys('class/fpga/intel-fpga-dev.1')))
        self.assertEqual('../../../0000:18:00.0',
                         os.readlink(self.sys(dev, 'device')))
        fme = dev + '/intel-fpga-fme.1'
        self.assertEqual(b'245:1\n', self.read(fme, 'dev'))
        self.assertEqual(simulator.INTERFACE_IDS['pac_a10'] + '\n',
                         self.read(fme, 'pr/interface_id').decode())
        self.assertEqual(b'Intel FPGA Manager\n',
                         self.read(fme, 'fpga_manager/fpga1/name'))
        port = dev + '/intel-fpga-port.1'
        self.assertEqual(b'244:1\n', self.read(port, 'dev'))
        self.assertEqual(simulator.FUNCTION_IDS['pac_a10'] + '\n',
                         self.read(port, 'afu_id').decode())
        self.assertIn(b'DRIVER=intel-fpga-pci\n', self.read(PF1, 'uevent'))
        self.assertEqual(b'9c5\n', self.read(PF1, 'sriov_vf_device'))
        self.assertFalse(os.path.exists(self.sys('class/fpga_region')))
        self.assertTrue(os.path.isfile(self.dev('intel-fpga-port.1')))


class XrtLayoutTest(base.SimulatorTestCase):

    def test_layout(self):
        self.build('n3000', 'u250,function=%s' % ('ab' * 16))
        mgmt = 'bus/pci/devices/0000:18:00.0/'
        user = 'bus/pci/devices/0000:18:00.1/'
        self.assertEqual(b'', self.read(mgmt, 'mgmt_pf'))
        self.assertEqual(b'1\n', self.read(mgmt, 'ready'))
        self.assertEqual(b'0x5004\n', self.read(mgmt, 'device'))
        lines = self.read(mgmt, 'interface_uuids').decode().splitlines()
        self.assertEqual(simulator.INTERFACE_IDS['u250'], lines[-1])
        self.assertEqual(2, len(lines))
        self.assertEqual(b'6144\n', self.read(mgmt, 'instance'))
        self.assertTrue(os.path.isfile(self.dev('xclmgmt6144')))
        self.assertEqual('xclmgmt', os.path.basename(
            os.readlink(self.sys(mgmt, 'driver'))))
        self.assertEqual(b'', self.read(user, 'user_pf'))
        self.assertEqual(b'0x1\n', self.read(user, 'ready'))
        self.assertEqual(b'0x5005\n', self.read(user, 'device'))
        self.assertEqual(b'abababab-abab-abab-abab-abababababab\n',
                         self.read(user, 'xclbinuuid'))
        self.assertTrue(os.path.isdir(self.sys(user, 'drm/renderD128')))
        self.assertTrue(os.path.isfile(self.dev('dri/renderD128')))
        self.assertTrue(os.path.islink(self.sys(
            'bus/pci/drivers/xocl/0000:18:00.1')))

    def test_nothing_loaded(self):
        self.build('u250')
        self.assertEqual(b'00000000-0000-0000-0000-000000000000\n',
                         self.read('bus/pci/devices/0000:10:00.1/xclbinuuid'))


class ZynqmpLayoutTest(base.SimulatorTestCase):

    def test_layout(self):
        self.build('n6000', 'zynqmp')
        manager = ('devices/platform/firmware:zynqmp-firmware/'
                   'firmware:zynqmp-firmware:pcap/fpga_manager/fpga1')
        self.assertEqual('../../' + manager, os.readlink(
            self.sys('class/fpga_manager/fpga1')))
        self.assertEqual(b'Xilinx ZynqMP FPGA Manager\n',
                         self.read(manager, 'name'))
        self.assertEqual(b'operating\n', self.read(manager, 'state'))
        self.assertEqual(b'', self.read(manager, 'status'))
        self.assertEqual(b'0\n', self.read(manager, 'flags'))
        region = 'devices/platform/fpga-full/fpga_region/region2'
        self.assertEqual('../../' + region, os.readlink(
            self.sys('class/fpga_region/region2')))
        self.assertEqual('../../../fpga-full',
                         os.readlink(self.sys(region, 'device')))
        self.assertFalse(os.path.exists(self.sys(region, 'compat_id')))


class AttributeWriteTest(base.SimulatorTestCase):
    """An attribute is rewritten whole, as the kernel shows it."""

    def test_a_reader_never_sees_a_half_written_attribute(self):
        self.build('n6000')
        (path,) = [os.path.join(directory, 'afu_id')
                   for directory, _, files in os.walk(self.host.sysfs_root)
                   if 'afu_id' in files]
        with open(path, 'rb') as reader:
            before = reader.read()
            self.host.set_function('0000:10:00.0', 0, '0' * 31 + '1')
            # An open reader keeps the whole old value: the new one was
            # put in place, not written over it.
            reader.seek(0)
            self.assertEqual(before, reader.read())
        with open(path, 'rb') as reader:
            self.assertEqual(b'0' * 31 + b'1\n', reader.read())
        self.assertEqual(['afu_id'], [
            name for name in os.listdir(os.path.dirname(path))
            if 'afu_id' in name])
