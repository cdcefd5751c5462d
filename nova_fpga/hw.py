"""The hardware as privileged code sees it: ioctls, sysfs writes, tools.

Everything the backends do to a card goes through ``ioctl``,
``write_attr`` and ``execute`` here: to the Linux kernel and the vendor
tools on real hosts, to a simulated host when ``[fpga] simulator_root`` is
set. The backends pack the same structs and run the same sequences either
way.

Each call names the tree it acts on (a device node, a sysfs file, the
sysfs root), so one process can drive several simulated hosts under
``simulator_root``, each in a directory of its own, as the demo's computes
do.
"""

import errno
import fcntl
import os

from oslo_concurrency import processutils
from oslo_config import cfg

from nova_fpga import conf as fpga_conf
from nova_fpga import simulator

CONF = cfg.CONF
# The privsep daemon imports no other module that would register them.
fpga_conf.register_opts(CONF)


class Linux:

    @staticmethod
    def ioctl(node, request, arg):
        """``fcntl.ioctl`` on a device node opened for the call."""
        fd = os.open(node, os.O_RDWR | os.O_CLOEXEC)
        try:
            return fcntl.ioctl(fd, request, arg)
        finally:
            os.close(fd)

    @staticmethod
    def write_attr(path, value):
        with open(path, 'w') as f:
            f.write(str(value))

    @staticmethod
    def execute(*argv, timeout=None):
        """Run a tool; return ``(exit code, stdout, stderr)``.

        A tool still running after ``timeout`` seconds is killed and
        OSError ETIMEDOUT raised.
        """
        started = []
        try:
            out, err = processutils.execute(
                *argv, timeout=timeout, on_execute=started.append)
        except processutils.ProcessExecutionError as e:
            return e.exit_code, e.stdout, e.stderr
        except Exception:
            # Under eventlet subprocess.TimeoutExpired is another class; a
            # tool still running is what tells a timeout.
            running = [p for p in started if p.poll() is None]
            for process in running:
                process.kill()
                process.wait()
            if not running:
                raise
            raise OSError(errno.ETIMEDOUT, 'still running after %s s, '
                          'killed' % timeout) from None
        return 0, out, err


class Simulated:
    """A nova_fpga.simulator host; of the tools, only xbmgmt program."""

    def __init__(self, root):
        self.host = simulator.SimulatedHost.open(root)

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


def kernel(path):
    """The kernel behind ``path``, a device node or a sysfs path."""
    root = CONF.fpga.simulator_root
    return Simulated.holding(root, path) if root else Linux()


def ioctl(node, request, arg):
    return kernel(node).ioctl(node, request, arg)


def write_attr(path, value):
    kernel(path).write_attr(path, value)


def execute(sysfs_root, *argv, timeout=None):
    """Run a tool on the host whose sysfs is at ``sysfs_root``."""
    return kernel(sysfs_root).execute(*argv, timeout=timeout)
