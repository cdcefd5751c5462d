"""Loading xclbins into simulated Alveo cards with xbmgmt."""

from unittest import mock

from oslo_concurrency import processutils

from nova_fpga.bitstream import headers
from nova_fpga.regions import exception
from nova_fpga.regions import programming
from nova_fpga import simulator
from nova_fpga.simulator import images
from tests.unit.backends import base

MGMT = '0000:10:00.0'
U250 = simulator.INTERFACE_IDS['u250']


class XrtTest(base.ProgrammingTestCase):

    def setUp(self):
        super().setUp()
        self.build('u250')
        self.backend_ = self.backend('xrt')
        self.dev = self.device(self.backend_, MGMT)
        self.region = self.dev.regions[0]

    def program(self, interface_id=U250, xclbin_id=base.AFU,
                expected=base.AFU):
        path = self.write('k.xclbin',
                          simulator.make_xclbin(interface_id, xclbin_id))
        return path, programming.program_region(
            self.backend_, self.dev, self.region, path,
            headers.parse(path), expected, 10)

    def test_whole_xclbin_loaded(self):
        calls = self.spy()
        path, result = self.program()
        self.assertEqual(programming.PROGRAMMED, result)
        self.assertEqual([('execute', 'xbmgmt', 'program')], calls)
        self.assertEqual(
            images.dashed(base.AFU) + '\n',
            self.read('bus', 'pci', 'devices', '0000:10:00.1', 'xclbinuuid'))
        self.assertEqual(base.AFU,
                         self.device(self.backend_, MGMT).regions[0]
                         .function_id)

    def test_skipped_when_loaded(self):
        self.program()
        self.region = self.device(self.backend_, MGMT).regions[0]
        calls = self.spy()
        self.assertEqual(programming.SKIPPED, self.program()[1])
        self.assertEqual([], calls)

    def test_refused_by_the_driver(self):
        e = self.assertRaises(exception.ProgrammingFailed, self.program,
                              simulator.INTERFACE_IDS['n6000'])
        self.assertIn('xbmgmt program --device %s --user ' % MGMT, str(e))
        self.assertIn('failed with exit code 1 (ERROR: Invalid argument)',
                      str(e))

    def test_exit_code_through_processutils(self):
        self.conf.config(simulator_root='', group='fpga')
        with mock.patch.object(
                processutils, 'execute', side_effect=(
                    processutils.ProcessExecutionError(
                        exit_code=2, stdout='',
                        stderr='ERROR: Root privileges are required to '
                               'download xclbin\n'))) as execute:
            e = self.assertRaises(exception.ProgrammingFailed,
                                  self.program)
        path = execute.call_args[0][-1]
        self.assertEqual(('/opt/xilinx/xrt/bin/xbmgmt', 'program',
                          '--device', MGMT, '--user', path),
                         execute.call_args[0])
        self.assertEqual(
            'Programming FPGA region %s slot0 with %s failed: xbmgmt '
            'program --device %s --user %s failed with exit code 2 (ERROR: '
            'Root privileges are required to download xclbin)' % (
                MGMT, path, MGMT, path), str(e))

    def test_timeout(self):
        self.conf.config(simulator_root='', group='fpga')
        process = mock.Mock(**{'poll.return_value': None})

        def execute(*argv, **kwargs):
            kwargs['on_execute'](process)
            raise RuntimeError('TimeoutExpired of another subprocess module')
        with mock.patch.object(processutils, 'execute', execute):
            e = self.assertRaises(exception.ProgrammingFailed,
                                  self.program)
        process.kill.assert_called_once_with()
        self.assertIn('failed: still running after 10 s, killed', str(e))

    def test_reset_writes_mgmt_reset(self):
        kernel = self.record()
        self.assertEqual(programming.RESET, programming.scrub_region(
            self.backend_, self.dev, self.region, 'reset', 10))
        self.assertEqual([('write_attr', self.pci(MGMT, 'mgmt_reset'), 2)],
                         kernel.calls)


class FpgaRegionTest(base.ProgrammingTestCase):

    def test_not_supported(self):
        self.build('zynqmp')
        backend = self.backend('fpga_region')
        dev = backend.discover()[0]
        path = self.write('full.bit.bin', b'\0' * 64)
        for call in (
                lambda: programming.program_region(
                    backend, dev, dev.regions[0], path, None, base.AFU, 10),
                lambda: programming.scrub_region(
                    backend, dev, dev.regions[0], 'reset', 10)):
            e = self.assertRaises(exception.Failed, call)
            self.assertIn('fpga_region regions is not supported', str(e))
