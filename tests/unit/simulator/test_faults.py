import errno
import os
import subprocess
import sys

from nova_fpga import simulator
from nova_fpga.simulator import kinds
from tests.unit.simulator import base

AFU = '0123456789abcdef0123456789abcdef'
PF = 'bus/pci/devices/0000:10:00.0/'


class InjectFaultTest(base.SimulatorTestCase):

    def setUp(self):
        super().setUp()
        self.build('n6000', 'u250')
        self.good = simulator.make_raw_payload(
            simulator.INTERFACE_IDS['n6000'], AFU)

    def test_count_failures_then_success(self):
        self.host.inject_fault('0000:10:00.0', 'pr', errno.EIO, count=2)
        for _ in range(2):
            self.assertErrno(errno.EIO, self.dfl_pr, 'dfl-fme.0', self.good)
            self.assertEqual(b'reconfig operation error\n',
                             self.read('class/fpga_manager/fpga0/status'))
        self.dfl_pr('dfl-fme.0', self.good)
        self.assertEqual(b'', self.read('class/fpga_manager/fpga0/status'))

    def test_faults_are_per_operation_and_card(self):
        self.host.inject_fault('0000:10:00.0', 'release', errno.ETIMEDOUT)
        self.host.inject_fault('0000:10:00.0', 'sriov', errno.EIO)
        self.host.inject_fault('0000:18:00.0', 'program', errno.EBUSY)
        self.dfl_pr('dfl-fme.0', self.good)
        self.assertErrno(errno.ETIMEDOUT, self.release, 'dfl-fme.0')
        self.assertTrue(os.path.exists(self.dev('dfl-port.0')))
        self.release('dfl-fme.0')
        self.host.inject_fault('0000:10:00.0', 'assign', errno.EIO)
        self.assertErrno(errno.EIO, self.assign, 'dfl-fme.0')
        self.assign('dfl-fme.0')
        self.assertErrno(errno.EIO, self.host.write_attr,
                         self.sys(PF, 'sriov_numvfs'), '1')
        self.assertEqual(b'0\n', self.read(PF, 'sriov_numvfs'))
        xclbin = simulator.make_xclbin(simulator.INTERFACE_IDS['u250'], AFU)
        self.assertErrno(errno.EBUSY, self.host.xbmgmt_program,
                         '0000:18:00.0', xclbin)
        self.host.xbmgmt_program('0000:18:00.0', xclbin)

    def test_bad_fault(self):
        self.assertRaises(ValueError, self.host.inject_fault, '0000:10:00.0',
                          'erase', errno.EIO)
        self.assertRaises(ValueError, self.host.inject_fault, '0000:99:00.0',
                          'pr', errno.EIO)


class CrashTest(base.SimulatorTestCase):

    def test_ids_read_all_f(self):
        self.build('n6000', 'pac_a10', 'u250')
        for address in ('0000:10:00.0', '0000:18:00.0', '0000:20:00.0'):
            self.host.crash(address)
        all_f = (kinds.ALL_F + '\n').encode()
        self.assertEqual(all_f, self.read(
            'bus/platform/devices/dfl-port.0/afu_id'))
        self.assertEqual(all_f, self.read(
            'class/fpga_region/region1/compat_id'))
        self.assertEqual(all_f, self.read(
            'bus/platform/devices/intel-fpga-fme.0/pr/interface_id'))
        self.assertEqual(
            all_f * 2, self.read('bus/pci/devices/0000:20:00.0/'
                                 'interface_uuids'))
        for device in self.host.expected().devices:
            self.assertFalse(device.regions[0].healthy, device.address)
            self.assertIsNone(device.regions[0].interface_id)
        self.assertErrno(errno.ETIMEDOUT, self.dfl_pr, 'dfl-fme.0',
                         simulator.make_raw_payload(kinds.ALL_F, AFU))


class RemoveTest(base.SimulatorTestCase):

    def test_everything_of_the_card_vanishes(self):
        self.build('n6000,vfs=2', 'u250')
        self.host.remove('0000:10:00.0')
        self.host.remove('0000:18:00.0')
        for directory in ('bus/pci/devices', 'bus/pci/drivers/dfl-pci',
                          'bus/pci/drivers/vfio-pci', 'bus/pci/drivers/xocl',
                          'class/fpga_region', 'class/fpga_manager',
                          'class/fpga_bridge', 'bus/platform/devices',
                          'kernel/iommu_groups'):
            self.assertEqual([], os.listdir(self.sys(directory)), directory)
        self.assertEqual(['dri'], os.listdir(self.host.dev_root))
        self.assertEqual([], os.listdir(self.sys(
            'devices/pci0000:00/0000:00:01.0')))
        self.assertEqual((), self.host.expected().devices)
        self.assertRaises(ValueError, self.host.remove, '0000:10:00.0')


class SetFunctionTest(base.SimulatorTestCase):

    def test_ports_and_slots(self):
        self.build('n6000', 'u250')
        self.host.set_function('0000:10:00.0', 0, AFU.upper())
        self.assertEqual((AFU + '\n').encode(), self.read(
            'bus/platform/devices/dfl-port.0/afu_id'))
        self.host.set_function('0000:10:00.0', 0, None)
        self.assertFalse(os.path.exists(self.sys(
            'bus/platform/devices/dfl-port.0/afu_id')))
        self.host.set_function('0000:18:00.0', 0, AFU)
        self.assertEqual(AFU, self.host.expected().devices[1]
                         .regions[0].function_id)
        self.assertRaises(ValueError, self.host.set_function,
                          '0000:10:00.0', 1, AFU)


class OpenTest(base.SimulatorTestCase):

    def test_reattach_sees_released_ports(self):
        self.build('d5005,vfs=1')
        again = simulator.SimulatedHost.open(self.host.root)
        self.assertEqual(self.host.sysfs_root, again.sysfs_root)
        self.assertEqual(self.host.expected(), again.expected())
        self.host = again
        # The kernel still knows port 0 is released.
        self.assertErrno(errno.EBUSY, self.release, 'dfl-fme.0')
        self.host.write_attr(self.sys(PF, 'sriov_numvfs'), '0')
        self.assign('dfl-fme.0')
        self.assertTrue(os.path.exists(self.dev('dfl-port.0')))

    def test_another_process_acts_on_the_same_host(self):
        self.build('n6000')
        script = (
            'import sys, struct\n'
            'from nova_fpga import simulator\n'
            'host = simulator.SimulatedHost.open(sys.argv[1])\n'
            'host.inject_fault("0000:10:00.0", "assign", 5)\n'
            'host.ioctl(sys.argv[2], 0x4004B681, struct.pack("<i", 0))\n')
        subprocess.run([sys.executable, '-c', script, self.host.root,
                        self.dev('dfl-fme.0')], check=True)
        region = self.host.expected().devices[0].regions[0]
        self.assertFalse(region.healthy)
        self.assertEqual((), region.attach)
        self.assertErrno(errno.EIO, self.assign, 'dfl-fme.0')
