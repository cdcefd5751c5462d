import errno
import os

from tests.unit.simulator import base

PF_VFS = 'bus/pci/devices/0000:10:00.0/sriov_numvfs'


class SriovTest(base.SimulatorTestCase):

    def vfs(self):
        return sorted(name for name in os.listdir(self.sys('bus/pci/devices'))
                      if not name.endswith('.0'))

    def test_above_totalvfs_is_erange(self):
        self.build('n6000')
        self.assertErrno(errno.ERANGE, self.host.write_attr,
                         self.sys(PF_VFS), '4')
        self.assertEqual([], self.vfs())

    def test_same_value_is_a_no_op(self):
        self.build('n6000,vfs=2')
        self.host.write_attr(self.sys(PF_VFS), '2\n')
        self.assertEqual(['0000:10:00.1', '0000:10:00.2'], self.vfs())

    def test_changing_a_non_zero_count_is_ebusy(self):
        self.build('n6000,vfs=2')
        self.assertErrno(errno.EBUSY, self.host.write_attr,
                         self.sys(PF_VFS), '3')
        self.host.write_attr(self.sys(PF_VFS), b'0')
        self.assertEqual([], self.vfs())
        self.assertFalse(os.path.lexists(self.sys(
            'bus/pci/devices/0000:10:00.0/virtfn0')))
        self.assertFalse(os.path.lexists(self.sys(
            'bus/pci/drivers/vfio-pci/0000:10:00.1')))
        self.host.write_attr(self.sys(PF_VFS), 3)
        self.assertEqual(b'3\n', self.read(PF_VFS))

    def test_not_a_number_is_einval(self):
        self.build('n6000')
        self.assertErrno(errno.EINVAL, self.host.write_attr,
                         self.sys(PF_VFS), 'three')

    def test_mainline_needs_released_ports(self):
        for kind, family, node in (('d5005', 'dfl', 'dfl-fme.0'),
                                   ('pac_a10', 'intel_fpga',
                                    'intel-fpga-fme.0')):
            self.build(kind)
            self.assertErrno(errno.EINVAL, self.host.write_attr,
                             self.sys(PF_VFS), '1')
            self.release(node, family=family)
            self.host.write_attr(self.sys(PF_VFS), '1')
            self.assertEqual(['0000:10:00.1'], self.vfs())
            # Disabling leaves the port released.
            self.host.write_attr(self.sys(PF_VFS), '0')
            self.assertEqual(b'0\n', self.read(PF_VFS))
            self.assertFalse(os.path.exists(self.dev(
                node.replace('fme', 'port'))))

    def test_no_sriov_is_enoent(self):
        self.build('c6100', 'n3000')
        for pf in ('0000:10:00.0', '0000:18:00.0'):
            self.assertErrno(errno.ENOENT, self.host.write_attr,
                             self.sys('bus/pci/devices', pf, 'sriov_numvfs'),
                             '1')

    def test_other_attributes_are_read_only(self):
        self.build('n6000')
        self.assertErrno(errno.EACCES, self.host.write_attr,
                         self.sys('bus/pci/devices/0000:10:00.0/vendor'), '1')
        self.assertEqual(b'0x8086\n',
                         self.read('bus/pci/devices/0000:10:00.0/vendor'))
        self.assertErrno(errno.EISDIR, self.host.write_attr,
                         self.sys('bus/pci/devices/0000:10:00.0'), '1')
        self.assertRaises(ValueError, self.host.write_attr, '/etc/hostname',
                          'x')
