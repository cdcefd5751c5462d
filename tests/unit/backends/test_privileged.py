"""The privileged entry points: exact ioctl arguments, writes and argv."""

import ctypes
import errno
import os
import struct
import time
from unittest import mock

import fixtures
from oslo_concurrency import processutils

from nova_fpga.backends import dfl
from nova_fpga.backends import fme_port
from nova_fpga.backends import intel_fpga
from nova_fpga.backends import xrt
from nova_fpga.privsep import kernel
from nova_fpga import simulator
from nova_fpga.simulator import privileged
from tests.unit.backends import base

PAYLOAD = bytes(range(256)) * 3


class DflArgumentsTest(base.ProgrammingTestCase):

    def setUp(self):
        super().setUp()
        self.kernel = self.record()
        self.path = self.write('afu.gbs', b'H' * 10 + PAYLOAD)

    def test_port_pr(self):
        seen = []
        self.kernel.fail = lambda node, request, arg: seen.append(
            ctypes.string_at(struct.unpack('<Q', bytes(arg)[16:])[0],
                             len(PAYLOAD)))
        dfl.port_pr('/dev/dfl-fme.3', 1, self.path, 10)
        (call, node, request, arg), = self.kernel.calls
        self.assertEqual(('ioctl', '/dev/dfl-fme.3', 0xB680),
                         (call, node, request))
        self.assertEqual(24, len(arg))
        # argsz, flags, port_id, buffer_size
        self.assertEqual(struct.pack('<IIII', 24, 0, 1, len(PAYLOAD)),
                         arg[:16])
        self.assertEqual([PAYLOAD], seen)

    def test_release_and_assign_take_a_pointer_to_the_port(self):
        dfl.release_port('/dev/dfl-fme.0', 2)
        dfl.assign_port('/dev/dfl-fme.0', 2)
        self.assertEqual([
            ('ioctl', '/dev/dfl-fme.0', 0x4004B681, b'\x02\0\0\0'),
            ('ioctl', '/dev/dfl-fme.0', 0x4004B682, b'\x02\0\0\0'),
        ], self.kernel.calls)

    def test_reset_takes_zero(self):
        dfl.reset_port('/dev/dfl-port.4')
        self.assertEqual([('ioctl', '/dev/dfl-port.4', 0xB640, 0)],
                         self.kernel.calls)

    def test_other_nodes_are_refused(self):
        for call, args in ((dfl.port_pr, ('/dev/sda', 0, self.path, 10)),
                           (dfl.port_pr, ('/dev/intel-fpga-fme.0', 0,
                                          self.path, 10)),
                           (dfl.release_port, ('/dev/dfl-port.0', 0)),
                           (dfl.reset_port, ('/dev/dfl-fme.0',))):
            e = self.assertRaises(OSError, call, *args)
            self.assertEqual(errno.EINVAL, e.errno)
        self.assertEqual([], self.kernel.calls)

    def test_nothing_after_the_header_is_refused(self):
        e = self.assertRaises(OSError, dfl.port_pr, '/dev/dfl-fme.0', 0,
                              self.path, 10 + len(PAYLOAD))
        self.assertEqual(errno.EINVAL, e.errno)
        self.assertIn('has no payload', e.strerror)
        self.assertEqual([], self.kernel.calls)


class IntelFpgaArgumentsTest(base.ProgrammingTestCase):

    def setUp(self):
        super().setUp()
        self.kernel = self.record()
        self.path = self.write('afu.gbs', b'H' * 10 + PAYLOAD)

    def test_port_pr(self):
        seen = []

        def kernel(node, request, arg):
            self.assertIsInstance(arg, bytearray)
            seen.append(ctypes.string_at(
                struct.unpack_from('<Q', arg, 16)[0], len(PAYLOAD)))
        self.kernel.fail = kernel
        intel_fpga.port_pr('/dev/intel-fpga-fme.0', 0, self.path, 10)
        (call, node, request, arg), = self.kernel.calls
        self.assertEqual(('ioctl', '/dev/intel-fpga-fme.0', 0xB580),
                         (call, node, request))
        self.assertEqual(32, len(arg))
        self.assertEqual(struct.pack('<IIII', 32, 0, 0, len(PAYLOAD)),
                         arg[:16])
        self.assertEqual(b'\0' * 8, arg[24:])
        self.assertEqual([PAYLOAD], seen)

    def test_eio_names_the_status_bits(self):
        def kernel(node, request, arg):
            # PR CRC error and PR timeout error, as the driver writes back.
            struct.pack_into('<Q', arg, 24, 0b100010)
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        self.kernel.fail = kernel
        e = self.assertRaises(OSError, intel_fpga.port_pr,
                              '/dev/intel-fpga-fme.0', 0, self.path, 10)
        self.assertEqual(errno.EIO, e.errno)
        self.assertEqual('Input/output error: PR CRC error, PR timeout error',
                         e.strerror)

    def test_status_names(self):
        self.assertEqual('PR operation error, unknown status bits 0x100',
                         intel_fpga.status_names(0x101))
        self.assertEqual('no status bits set', intel_fpga.status_names(0))

    def test_release_assign_and_reset(self):
        intel_fpga.release_port('/dev/intel-fpga-fme.1', 0)
        intel_fpga.assign_port('/dev/intel-fpga-fme.1', 0)
        intel_fpga.reset_port('/dev/intel-fpga-port.1')
        port_id = struct.pack('<III', 12, 0, 0)
        self.assertEqual([
            ('ioctl', '/dev/intel-fpga-fme.1', 0xB581, port_id),
            ('ioctl', '/dev/intel-fpga-fme.1', 0xB582, port_id),
            ('ioctl', '/dev/intel-fpga-port.1', 0xB540, 0),
        ], self.kernel.calls)


class WritesAndToolsTest(base.ProgrammingTestCase):

    def setUp(self):
        super().setUp()
        self.kernel = self.record()

    def test_sriov_numvfs(self):
        fme_port.set_sriov_numvfs('/sys', '0000:3b:00.0', 3)
        self.assertEqual(
            [('write_attr', '/sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs',
              3)], self.kernel.calls)

    def test_dynamic_region_reset(self):
        xrt.reset_dynamic_region('/sys', '0000:3b:00.0')
        self.assertEqual(
            [('write_attr', '/sys/bus/pci/devices/0000:3b:00.0/mgmt_reset',
              2)], self.kernel.calls)

    def test_pci_addresses_are_checked(self):
        for call, args in ((fme_port.set_sriov_numvfs, ('/sys', '../x', 0)),
                           (xrt.reset_dynamic_region, ('/sys', 'x')),
                           (fme_port.fpgaconf, ('/sys', '-h', 'f.gbs', 1)),
                           (xrt.xbmgmt_program,
                            ('/sys', '0000:3b:00', 'f', 1))):
            e = self.assertRaises(OSError, call, *args)
            self.assertEqual(errno.EINVAL, e.errno)
        self.assertEqual([], self.kernel.calls)

    def test_fpgaconf_command_line(self):
        fme_port.fpgaconf('/sys', '0000:3b:00.0', '/cache/afu.gbs', 30)
        self.assertEqual(
            [('execute', ('fpgaconf', '0000:3b:00.0', '/cache/afu.gbs'), 30)],
            self.kernel.calls)

    def test_xbmgmt_command_line(self):
        xrt.xbmgmt_program('/sys', '0000:3b:00.0', '/cache/k.xclbin', 30)
        self.assertEqual(
            [('execute', ('/opt/xilinx/xrt/bin/xbmgmt', 'program',
                          '--device', '0000:3b:00.0', '--user',
                          '/cache/k.xclbin'), 30)],
            self.kernel.calls)

    def test_tool_paths_are_options(self):
        self.conf.config(fpgaconf_path='/usr/bin/fpgaconf',
                         xbmgmt_path='xbmgmt', group='fpga')
        fme_port.fpgaconf('/sys', '0000:3b:00.0', 'a.gbs', 1)
        xrt.xbmgmt_program('/sys', '0000:3b:00.0', 'k.xclbin', 1)
        self.assertEqual(['/usr/bin/fpgaconf', 'xbmgmt'],
                         [call[1][0] for call in self.kernel.calls])


class LinuxTest(base.ProgrammingTestCase):
    """The real kernel side of the seam."""

    def test_ioctl_opens_the_node(self):
        path = self.write('not-a-device', b'')
        e = self.assertRaises(OSError, kernel.Linux.ioctl, path, 0xB640, 0)
        self.assertEqual(errno.ENOTTY, e.errno)

    def test_write_attr(self):
        path = self.write('sriov_numvfs', b'1\n')
        kernel.Linux.write_attr(path, 0)
        with open(path) as f:
            self.assertEqual('0', f.read())

    def test_execute_reports_the_exit_code(self):
        self.assertEqual(
            (4, 'out\n', 'err\n'),
            kernel.Linux.execute('sh', '-c', 'echo out; echo err >&2; exit 4'))
        self.assertEqual((0, 'x\n', ''), kernel.Linux.execute('echo', 'x'))

    def test_a_tool_past_its_timeout_is_killed(self):
        started = []
        real = processutils.execute

        def execute(*argv, **kwargs):
            on_execute = kwargs['on_execute']
            kwargs['on_execute'] = lambda p: (started.append(p),
                                              on_execute(p))
            return real(*argv, **kwargs)
        self.useFixture(fixtures.MockPatchObject(
            processutils, 'execute', execute))
        begin = time.monotonic()
        e = self.assertRaises(OSError, kernel.Linux.execute, 'sleep', '30',
                              timeout=0.2)
        self.assertLess(time.monotonic() - begin, 10)
        self.assertEqual(errno.ETIMEDOUT, e.errno)
        self.assertEqual('still running after 0.2 s, killed', e.strerror)
        self.assertIsNotNone(started[0].poll())

    def test_kernel_is_chosen_by_simulator_root(self):
        self.assertIsInstance(kernel.kernel_of('/sys'), kernel.Linux)
        host = self.build('n6000')
        self.assertIsInstance(kernel.kernel_of(host.sysfs_root),
                              privileged.SimulatedKernel)

    def test_each_call_acts_on_the_simulated_host_holding_its_path(self):
        # Two hosts under one root, each with its card at 0000:10:00.0.
        top = os.path.join(self.tmp, 'hosts')
        self.conf.config(simulator_root=top, group='fpga')
        intel, amd = (
            simulator.build(os.path.join(top, name),
                            simulator.parse_card(kind))
            for name, kind in (('intel', 'n6000'), ('amd', 'u250')))
        for host in (intel, amd):
            for path in (host.sysfs_root, host.dev_root,
                         os.path.join(host.sysfs_root, 'bus', 'pci',
                                      'devices', '0000:10:00.0')):
                self.assertEqual(host.root, kernel.kernel_of(path).host.root)
        xclbin = self.write('k.xclbin', simulator.make_xclbin(
            simulator.INTERFACE_IDS['u250'], base.AFU))
        self.assertEqual(0, kernel.execute(
            amd.sysfs_root, 'xbmgmt', 'program', '--device', '0000:10:00.0',
            '--user', xclbin)[0])
        loaded = {host: host.expected().devices[0].regions[0].function_id
                  for host in (intel, amd)}
        self.assertEqual({intel: simulator.FUNCTION_IDS['n6000'],
                          amd: base.AFU}, loaded)

    def test_a_path_outside_every_simulated_host_is_refused(self):
        self.build('n6000')
        for path in ('/sys', self.tmp):
            self.assertRaises(ValueError, kernel.kernel_of, path)

    def test_the_simulated_tools_are_only_xbmgmt_program(self):
        host = self.build('u250')
        sim = kernel.kernel_of(host.sysfs_root)
        for argv in (('fpgaconf', '0000:10:00.0', 'a.gbs'),
                     ('xbmgmt', 'reset', '--device', '0000:10:00.0'),
                     ('xbmgmt', 'program', '--device', '0000:10:00.0',
                      '--base', 'x')):
            self.assertRaises(FileNotFoundError, sim.execute, *argv)

    def test_processutils_gets_the_timeout(self):
        with mock.patch.object(processutils, 'execute',
                               return_value=('', '')) as execute:
            kernel.Linux.execute('xbmgmt', 'program', timeout=7)
        execute.assert_called_once_with(
            'xbmgmt', 'program', timeout=7, on_execute=mock.ANY)
