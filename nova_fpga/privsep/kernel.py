"""The hardware as privileged code sees it: ioctls, sysfs writes, tools.

Everything the backends do to a card goes through ``ioctl``,
``write_attr`` and ``execute`` here, called from their privileged entry
points: to the Linux kernel and the vendor tools on real hosts, to a
simulated host (``nova_fpga.simulator.privileged``, loaded only then) when
``[fpga] simulator_root`` is set. The backends pack the same structs and
run the same sequences either way.

Each call names the tree it acts on (a device node, a sysfs file, the
sysfs root), so one process can drive several simulated hosts under
``simulator_root``, each in a directory of its own, as the demo's computes
do. The options read here are the privileged process's own: the paths of
the tools it runs are never taken from its caller.
"""

import errno
import fcntl
import os

from oslo_concurrency import processutils
from oslo_config import cfg

from nova_fpga import conf as fpga_conf

CONF = cfg.CONF
# The privsep daemon imports no other module that would register them.
fpga_conf.register_opts(CONF)

# The vendor tools, and the [fpga] option that says where each is.
TOOL_OPTIONS = {'fpgaconf': 'fpgaconf_path', 'xbmgmt': 'xbmgmt_path'}


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


def kernel_of(path):
    """The kernel behind ``path``, a device node or a sysfs path."""
    root = CONF.fpga.simulator_root
    if not root:
        return Linux()
    # Imported here only: a real host never loads the simulator.
    from nova_fpga.simulator import privileged
    return privileged.SimulatedKernel.holding(root, path)


def tool_path(tool):
    """Where the vendor tool ``tool`` (fpgaconf, xbmgmt) is."""
    return CONF.fpga[TOOL_OPTIONS[tool]]


def ioctl(node, request, arg):
    return kernel_of(node).ioctl(node, request, arg)


def write_attr(path, value):
    kernel_of(path).write_attr(path, value)


def execute(sysfs_root, *argv, timeout=None):
    """Run a tool on the host whose sysfs is at ``sysfs_root``."""
    return kernel_of(sysfs_root).execute(*argv, timeout=timeout)
