import errno
import struct

from nova_fpga import simulator
from nova_fpga.simulator import images
from tests.unit.simulator import base

XCLBIN_ID = '5a5a5a5a0123456789abcdef01234567'
XCLBINUUID = 'bus/pci/devices/0000:10:00.1/xclbinuuid'


class MakeXclbinTest(base.SimulatorTestCase):

    def test_header_fields(self):
        data = simulator.make_xclbin('11' * 16, '22' * 16, payload=b'bits')
        self.assertEqual(500, len(data))
        self.assertEqual(b'xclbin2\0', data[:8])
        self.assertEqual((500,), struct.unpack_from('<Q', data, 304))
        self.assertEqual(b'\x11' * 16, data[336:352])
        self.assertEqual(b'\x22' * 16, data[416:432])
        self.assertEqual((1,), struct.unpack_from('<I', data, 448))
        # One BITSTREAM section at 496.
        self.assertEqual((0, 496, 4), struct.unpack_from('<I20xQQ', data, 456))
        self.assertEqual(b'bits', data[496:])


class XbmgmtProgramTest(base.SimulatorTestCase):

    def setUp(self):
        super().setUp()
        self.build('u250', 'n6000')

    def test_success_sets_xclbinuuid(self):
        self.host.xbmgmt_program('0000:10:00.0', simulator.make_xclbin(
            simulator.INTERFACE_IDS['u250'], XCLBIN_ID))
        self.assertEqual(b'5a5a5a5a-0123-4567-89ab-cdef01234567\n',
                         self.read(XCLBINUUID))
        region = self.host.expected().devices[0].regions[0]
        self.assertEqual(XCLBIN_ID, region.function_id)

    def test_interface_mismatch_is_einval(self):
        self.assertErrno(errno.EINVAL, self.host.xbmgmt_program,
                         '0000:10:00.0', simulator.make_xclbin(
                             simulator.INTERFACE_IDS['n6000'], XCLBIN_ID))
        self.assertEqual(b'00000000-0000-0000-0000-000000000000\n',
                         self.read(XCLBINUUID))

    def test_bad_length_or_magic_is_einval(self):
        good = simulator.make_xclbin(simulator.INTERFACE_IDS['u250'],
                                     XCLBIN_ID)
        for bad in (good + b'\0', good[:-1], b'xclbin1\0' + good[8:],
                    good[:100]):
            self.assertErrno(errno.EINVAL, self.host.xbmgmt_program,
                             '0000:10:00.0', bad)

    def test_not_an_alveo_is_enodev(self):
        self.assertErrno(errno.ENODEV, self.host.xbmgmt_program,
                         '0000:18:00.0', b'')

    def test_read_xclbin(self):
        self.assertEqual(
            ('11' * 16, '22' * 16),
            images.read_xclbin(simulator.make_xclbin('11' * 16, '22' * 16)))


class MgmtResetTest(base.SimulatorTestCase):

    def setUp(self):
        super().setUp()
        self.build('u250')
        self.host.xbmgmt_program('0000:10:00.0', simulator.make_xclbin(
            simulator.INTERFACE_IDS['u250'], XCLBIN_ID))
        self.attr = self.sys('bus/pci/devices/0000:10:00.0/mgmt_reset')

    def test_dynamic_region_reset_keeps_the_xclbin(self):
        self.host.write_attr(self.attr, '2')
        region = self.host.expected().devices[0].regions[0]
        self.assertEqual(XCLBIN_ID, region.function_id)

    def test_bad_value(self):
        self.assertErrno(errno.EINVAL, self.host.write_attr, self.attr, '7')

    def test_injected_fault_and_crashed_card(self):
        self.host.inject_fault('0000:10:00.0', 'reset', errno.EBUSY)
        self.assertErrno(errno.EBUSY, self.host.write_attr, self.attr, '2')
        self.host.crash('0000:10:00.0')
        self.assertErrno(errno.EIO, self.host.write_attr, self.attr, '2')

    def test_other_attributes_are_read_only(self):
        self.assertErrno(errno.EACCES, self.host.write_attr,
                         self.sys('bus/pci/devices/0000:10:00.0/ready'), '1')
