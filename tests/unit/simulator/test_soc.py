import errno
import os

from tests.unit.simulator import base

MANAGER = 'class/fpga_manager/fpga0'


class ZynqmpFirmwareTest(base.SimulatorTestCase):

    def setUp(self):
        super().setUp()
        self.build('zynqmp')

    def test_flags(self):
        self.host.write_attr(self.sys(MANAGER, 'flags'), '1\n')
        self.assertEqual(b'1\n', self.read(MANAGER, 'flags'))
        self.assertErrno(errno.EINVAL, self.host.write_attr,
                         self.sys(MANAGER, 'flags'), 'partial')

    def test_firmware_loads_a_file_from_the_firmware_dir(self):
        with open(os.path.join(self.host.root, 'lib', 'firmware',
                               'pl.bit.bin'), 'wb') as f:
            f.write(b'bits')
        self.host.write_attr(self.sys(MANAGER, 'firmware'), 'pl.bit.bin\n')
        self.assertEqual(b'operating\n', self.read(MANAGER, 'state'))
        self.assertTrue(self.host.expected().devices[0].healthy)

    def test_missing_firmware_is_enoent(self):
        self.assertErrno(errno.ENOENT, self.host.write_attr,
                         self.sys(MANAGER, 'firmware'), 'nothing.bin')
        self.assertEqual(b'firmware request error\n',
                         self.read(MANAGER, 'state'))
        self.assertFalse(self.host.expected().devices[0].healthy)

    def test_name_is_read_only(self):
        self.assertErrno(errno.EACCES, self.host.write_attr,
                         self.sys(MANAGER, 'name'), 'x')
