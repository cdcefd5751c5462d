import errno
import os
import struct

from nova_fpga.simulator import ioctls
from tests.unit.simulator import base

PORT_DIR = ('bus/pci/devices/0000:10:00.0/fpga_region/region0/dfl-port.0')


class ReleaseAssignTest(base.SimulatorTestCase):

    def setUp(self):
        super().setUp()
        self.build('n6000')

    def test_release_removes_the_port(self):
        self.assertEqual(struct.pack('<i', 0), self.release('dfl-fme.0'))
        self.assertFalse(os.path.exists(self.sys(PORT_DIR)))
        self.assertFalse(os.path.lexists(self.sys(
            'bus/platform/devices/dfl-port.0')))
        self.assertFalse(os.path.exists(self.dev('dfl-port.0')))
        self.assertErrno(errno.EBUSY, self.release, 'dfl-fme.0')

    def test_release_unknown_port_is_enodev(self):
        self.assertErrno(errno.ENODEV, self.release, 'dfl-fme.0', port=1)
        self.assertErrno(errno.ENODEV, self.release, 'dfl-fme.0', port=-1)

    def test_assign_brings_the_port_back(self):
        self.assertErrno(errno.EBUSY, self.assign, 'dfl-fme.0')
        self.release('dfl-fme.0')
        self.assign('dfl-fme.0')
        self.assertEqual(b'0\n', self.read(PORT_DIR, 'id'))
        self.assertTrue(os.path.exists(self.dev('dfl-port.0')))
        self.assertTrue(os.path.exists(self.sys(
            'bus/platform/devices/dfl-port.0/afu_id')))

    def test_argument_must_point_somewhere(self):
        self.assertErrno(errno.EFAULT, self.host.ioctl, self.dev('dfl-fme.0'),
                         ioctls.DFL_FPGA_FME_PORT_RELEASE, 0)


class DispatchTest(base.SimulatorTestCase):

    def setUp(self):
        super().setUp()
        self.build('n6000', 'u250')

    def test_missing_node_is_enoent(self):
        self.assertErrno(errno.ENOENT, self.host.ioctl, self.dev('dfl-fme.9'),
                         ioctls.DFL_FPGA_FME_PORT_RELEASE, b'\0' * 4)

    def test_unknown_request_is_einval_like_the_driver(self):
        self.assertErrno(errno.EINVAL, self.host.ioctl, self.dev('dfl-fme.0'),
                         ioctls.DFL_FPGA_PORT_RESET, 0)
        self.assertErrno(errno.EINVAL, self.host.ioctl,
                         self.dev('dfl-port.0'),
                         ioctls.FPGA_PORT_RESET, 0)

    def test_not_an_fpga_node_is_enotty(self):
        self.assertErrno(errno.ENOTTY, self.host.ioctl,
                         self.dev('xclmgmt6144'),
                         ioctls.DFL_FPGA_PORT_RESET, 0)

    def test_port_reset(self):
        self.assertEqual(0, self.host.ioctl(self.dev('dfl-port.0'),
                                            ioctls.DFL_FPGA_PORT_RESET, 0))
        self.assertErrno(errno.EINVAL, self.host.ioctl,
                         self.dev('dfl-port.0'), ioctls.DFL_FPGA_PORT_RESET, 1)
        self.host.crash('0000:10:00.0')
        self.assertErrno(errno.ETIMEDOUT, self.host.ioctl,
                         self.dev('dfl-port.0'), ioctls.DFL_FPGA_PORT_RESET, 0)


class LegacyReleaseTest(base.SimulatorTestCase):

    def test_argsz_and_flags_are_checked(self):
        self.build('pac_a10')
        node = self.dev('intel-fpga-fme.0')
        for arg in (struct.pack('<III', 8, 0, 0),
                    struct.pack('<III', 12, 1, 0)):
            self.assertErrno(errno.EINVAL, self.host.ioctl, node,
                             ioctls.FPGA_FME_PORT_RELEASE, arg)
        arg = bytearray(ioctls.port_id_arg('intel_fpga', 0))
        self.assertEqual(0, self.host.ioctl(node,
                                            ioctls.FPGA_FME_PORT_RELEASE, arg))
        self.assertFalse(os.path.exists(self.dev('intel-fpga-port.0')))
        self.assign('intel-fpga-fme.0', family='intel_fpga')
        self.assertTrue(os.path.exists(self.dev('intel-fpga-port.0')))
