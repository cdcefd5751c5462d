"""Helpers shared by the simulator tests."""

import ctypes
import os
import shutil
import tempfile

import testtools

from nova_fpga import simulator
from nova_fpga.simulator import ioctls


class SimulatorTestCase(testtools.TestCase):

    def make_root(self):
        root = tempfile.mkdtemp(prefix='nova-fpga-sim-')
        self.addCleanup(shutil.rmtree, root)
        return root

    def build(self, *texts, **kwargs):
        cards = [spec for text in texts
                 for spec in simulator.parse_card(text)]
        self.host = simulator.build(self.make_root(), cards, **kwargs)
        return self.host

    def sys(self, *parts):
        return os.path.join(self.host.sysfs_root, *parts)

    def dev(self, name):
        return os.path.join(self.host.dev_root, name)

    def read(self, *parts):
        with open(self.sys(*parts), 'rb') as f:
            return f.read()

    def assertErrno(self, code, func, *args, **kwargs):
        e = self.assertRaises(OSError, func, *args, **kwargs)
        self.assertEqual(code, e.errno)
        return e

    def dfl_pr(self, node, payload, port=0, flags=0, argsz=24):
        buf = ctypes.create_string_buffer(payload, len(payload))
        arg = ioctls.DFL_PORT_PR.pack(argsz, flags, port, len(payload),
                                      ctypes.addressof(buf))
        return self.host.ioctl(self.dev(node), ioctls.DFL_FPGA_FME_PORT_PR,
                               arg)

    def legacy_pr(self, node, payload, arg_out=None, port=0):
        buf = ctypes.create_string_buffer(payload, len(payload))
        arg = bytearray(ioctls.FPGA_PORT_PR.pack(
            32, 0, port, len(payload), ctypes.addressof(buf), 0))
        if arg_out is not None:
            arg_out.append(arg)
        return self.host.ioctl(self.dev(node), ioctls.FPGA_FME_PORT_PR, arg)

    def release(self, node, port=0, family='dfl'):
        return self.host.ioctl(self.dev(node), ioctls.RELEASE[family],
                               ioctls.port_id_arg(family, port))

    def assign(self, node, port=0, family='dfl'):
        return self.host.ioctl(self.dev(node), ioctls.ASSIGN[family],
                               ioctls.port_id_arg(family, port))
