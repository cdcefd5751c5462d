"""The simulated host as privileged code reaches it (privsep.kernel)."""

import errno
import os

from nova_fpga.simulator import host as host_mod


class SimulatedKernel:
    """A simulated host's kernel; of the tools, only xbmgmt program."""

    def __init__(self, root):
        self.host = host_mod.SimulatedHost.open(root)

    @classmethod
    def holding(cls, simulator_root, path):
        """The host under ``simulator_root`` whose tree holds ``path``."""
        top = os.path.realpath(simulator_root)
        here = os.path.realpath(path)
        while here == top or here.startswith(top + os.sep):
            try:
                return cls(here)
            except ValueError:
                here = os.path.dirname(here)
        raise ValueError('%s is in no simulated host under %s' % (
            path, simulator_root))

    def ioctl(self, node, request, arg):
        return self.host.ioctl(node, request, arg)

    def write_attr(self, path, value):
        self.host.write_attr(path, value)

    def execute(self, *argv, timeout=None):
        tool, args = os.path.basename(argv[0]), argv[1:]
        if (tool != 'xbmgmt' or len(args) != 5 or
                args[:2] + args[3:4] != ('program', '--device', '--user')):
            raise FileNotFoundError(
                errno.ENOENT, '%s is not simulated' % ' '.join(argv[:2]))
        with open(args[4], 'rb') as f:
            xclbin = f.read()
        try:
            self.host.xbmgmt_program(args[2], xclbin)
        except OSError as e:
            return 1, '', 'ERROR: %s\n' % e.strerror
        return 0, 'INFO: Successfully downloaded xclbin\n', ''
