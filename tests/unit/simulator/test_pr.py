import errno
import threading
import time

from nova_fpga import simulator
from nova_fpga.simulator import ioctls
from nova_fpga.simulator import tree
from tests.unit.simulator import base

AFU = '0123456789abcdef0123456789abcdef'
AFU_ID = 'bus/platform/devices/dfl-port.0/afu_id'
STATUS = 'class/fpga_manager/fpga0/status'


class DflPrTest(base.SimulatorTestCase):

    def setUp(self):
        super().setUp()
        self.build('n6000', 'c6100')
        self.good = simulator.make_raw_payload(
            simulator.INTERFACE_IDS['n6000'], AFU)

    def test_success_loads_the_afu(self):
        result = self.dfl_pr('dfl-fme.0', self.good)
        self.assertEqual(ioctls.DFL_PORT_PR.size, len(result))
        self.assertEqual((AFU + '\n').encode(), self.read(AFU_ID))
        self.assertEqual(b'', self.read(STATUS))
        self.assertEqual(AFU, self.host.expected().devices[0]
                         .regions[0].function_id)

    def test_bad_arguments_are_einval(self):
        for kwargs in ({'argsz': 23}, {'flags': 1}, {'port': 1}):
            self.assertErrno(errno.EINVAL, self.dfl_pr, 'dfl-fme.0',
                             self.good, **kwargs)
        self.assertEqual(
            (simulator.FUNCTION_IDS['n6000'] + '\n').encode(),
            self.read(AFU_ID))

    def test_short_struct_is_efault(self):
        self.assertErrno(errno.EFAULT, self.host.ioctl, self.dev('dfl-fme.0'),
                         ioctls.DFL_FPGA_FME_PORT_PR, b'\0' * 16)

    def test_fme_without_pr_is_einval(self):
        self.assertErrno(errno.EINVAL, self.dfl_pr, 'dfl-fme.1', self.good)

    def test_incompatible_image_is_eio_with_status(self):
        other = simulator.make_raw_payload(
            simulator.INTERFACE_IDS['d5005'], AFU)
        self.assertErrno(errno.EIO, self.dfl_pr, 'dfl-fme.0', other)
        self.assertEqual(b'reconfig incompatible image\n', self.read(STATUS))
        self.assertEqual(
            (simulator.FUNCTION_IDS['n6000'] + '\n').encode(),
            self.read(AFU_ID))
        # The next PR starts by clearing the old error.
        self.dfl_pr('dfl-fme.0', self.good)
        self.assertEqual(b'', self.read(STATUS))

    def test_bad_magic_is_operation_error(self):
        payload = b'GARBAGE!' + self.good[8:]
        self.assertErrno(errno.EIO, self.dfl_pr, 'dfl-fme.0', payload)
        self.assertEqual(b'reconfig operation error\n', self.read(STATUS))

    def test_released_port_can_be_programmed(self):
        self.release('dfl-fme.0')
        self.dfl_pr('dfl-fme.0', self.good)
        self.assign('dfl-fme.0')
        self.assertEqual((AFU + '\n').encode(), self.read(AFU_ID))

    def test_concurrent_pr_is_ebusy(self):
        self.host.pr_seconds = 0.3
        errors = []

        def first():
            try:
                self.dfl_pr('dfl-fme.0', self.good)
            except OSError as e:
                errors.append(e)

        thread = threading.Thread(target=first)
        thread.start()
        deadline = time.monotonic() + 2
        while (self.read(AFU_ID) != tree.UNREADABLE
               and time.monotonic() < deadline):
            time.sleep(0.01)
        self.assertEqual(tree.UNREADABLE, self.read(AFU_ID))
        region = self.host.expected().devices[0].regions[0]
        self.assertFalse(region.healthy)
        self.assertIsNone(region.function_id)
        self.assertErrno(errno.EBUSY, self.dfl_pr, 'dfl-fme.0', self.good)
        thread.join()
        self.assertEqual([], errors)
        self.assertEqual((AFU + '\n').encode(), self.read(AFU_ID))
        self.assertTrue(self.host.expected().devices[0].regions[0].healthy)


class LegacyPrTest(base.SimulatorTestCase):

    def setUp(self):
        super().setUp()
        self.build('pac_a10')

    def test_success(self):
        payload = simulator.make_raw_payload(
            simulator.INTERFACE_IDS['pac_a10'], AFU)
        self.assertEqual(0, self.legacy_pr('intel-fpga-fme.0', payload))
        self.assertEqual(0, self.host.last_pr_status)
        self.assertEqual((AFU + '\n').encode(), self.read(
            'bus/platform/devices/intel-fpga-port.0/afu_id'))

    def test_incompatible_fills_status(self):
        payload = simulator.make_raw_payload(
            simulator.INTERFACE_IDS['n6000'], AFU)
        args = []
        self.assertErrno(errno.EIO, self.legacy_pr, 'intel-fpga-fme.0',
                         payload, args)
        # "PR incompatiable bitstream error" is bit 2.
        self.assertEqual(1 << 2, self.host.last_pr_status)
        self.assertEqual(1 << 2, ioctls.FPGA_PORT_PR.unpack(args[0])[5])

    def test_short_argsz_is_einval(self):
        arg = ioctls.FPGA_PORT_PR.pack(24, 0, 0, 0, 0, 0)
        self.assertErrno(errno.EINVAL, self.host.ioctl,
                         self.dev('intel-fpga-fme.0'),
                         ioctls.FPGA_FME_PORT_PR, arg)
