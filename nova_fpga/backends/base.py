"""The interface every driver family implements."""

import abc
import dataclasses
import errno
import os
import time

from nova_fpga.backends import exception
from nova_fpga import model

# Reading a port's id right after programming can find it busy.
READ_ATTEMPTS = 10
READ_DELAY = 0.2

_HINTS = {
    errno.EBUSY: 'the card is busy: another reconfiguration runs or the '
                 'port is open',
    errno.ETIMEDOUT: 'the card did not respond in time',
}


@dataclasses.dataclass(frozen=True)
class Options:
    """What the ``[fpga]`` options tell the backends, handed in."""

    # How DFL and intel-fpga regions are programmed: ioctl or fpgaconf.
    intel_programmer: str = 'ioctl'

    @classmethod
    def from_conf(cls, conf):
        return cls(intel_programmer=conf.fpga.intel_programmer)


def check_pci_address(address):
    """Refuse a privileged write under anything but a PCI function."""
    if not model.is_pci_address(address):
        raise OSError(errno.EINVAL, '%r is not a PCI address' % address)


def explain(what, error, detail=None):
    """A HardwareError for an OSError raised while doing ``what``.

    A bare kernel errno gets a hint at what it means for a card.
    """
    reason = error.strerror or os.strerror(error.errno)
    if reason == os.strerror(error.errno):
        detail = detail or _HINTS.get(error.errno)
    return exception.HardwareError('%s failed: %s%s' % (
        what, reason, ' (%s)' % detail if detail else ''))


def run_tool(what, entrypoint, *args, timeout, meanings=None):
    """Run a tool through a privileged entry point; raise unless it exits 0.

    ``meanings`` tells what the tool's exit codes mean.
    """
    try:
        code, out, err = entrypoint(*args, timeout)
    except OSError as e:
        raise explain(what, e) from e
    if code:
        meaning = (meanings or {}).get(code)
        said = (err or out or '').strip().splitlines()
        raise exception.HardwareError('%s failed with exit code %d%s%s' % (
            what, code, ': %s' % meaning if meaning else '',
            ' (%s)' % said[-1].strip() if said else ''))


class Backend(metaclass=abc.ABCMeta):
    """One driver family (DFL, intel-fpga, XRT, fpga_region).

    Loaded through the ``nova_fpga.backends`` stevedore namespace with the
    sysfs and dev roots, so tests and the simulator can point it anywhere,
    and the Options.
    """

    #: The family name reported in the inventory and used in nova.conf.
    family = None

    def __init__(self, sysfs_root, dev_root, options=Options()):
        self.sysfs_root = sysfs_root
        self.dev_root = dev_root
        self.options = options

    @abc.abstractmethod
    def discover(self):
        """Return the family's devices (a list of model.Device).

        Must not raise for bad sysfs content: report the device or region
        unhealthy with a reason instead.
        """

    def managed(self):
        """The devices a driver of the family manages: all, by default."""
        return self.discover()

    def unmanaged(self, taken):
        """Cards the family could drive that no driver of it manages.

        Those at an address in ``taken`` (another family manages them) are
        left out. Discovery asks every family's managed devices first.
        """
        return []

    def program(self, device, region, bitstream_path, header, timeout):
        """Load a bitstream into a region; return the region as now read.

        ``header`` is the parsed bitstream header; its ``payload_offset``
        is where the raw payload starts. ``timeout`` bounds a vendor tool.
        The caller holds the card's lock. Raises HardwareError, and leaves
        the card as it found it where it can (SR-IOV, released ports).
        """
        raise exception.NotSupported(
            'programming %s regions is not supported' % self.family)

    def reset(self, device, region):
        """Reset the region's user logic; what is loaded stays loaded."""
        raise exception.NotSupported(
            'resetting %s regions is not supported' % self.family)

    def rediscover(self, device, region):
        """The region as sysfs shows it now, or None if it is gone.

        Read again while its function id is unreadable (a port reads busy
        for a moment after programming).
        """
        for attempt in range(READ_ATTEMPTS):
            if attempt:
                time.sleep(READ_DELAY)
            found = next(
                (r for d in self.discover() if d.address == device.address
                 for r in d.regions if r.name == region.name), None)
            if found is None or found.function_id or found.healthy:
                break
        return found
