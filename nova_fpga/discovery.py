"""Discovery: every enabled backend reads sysfs; one inventory comes out.

FPGA cards get their on-board memory from the board table here.
"""

import functools
import os

from oslo_log import log as logging
import stevedore

from nova_fpga import boards
from nova_fpga import model
from nova_fpga import sysfs

LOG = logging.getLogger(__name__)
NAMESPACE = 'nova_fpga.backends'


class NotSysfs(Exception):
    """The configured sysfs root is missing or not a sysfs tree."""


def check_root(sysfs_root):
    if not os.path.isdir(sysfs_root):
        raise NotSysfs('sysfs root %s does not exist' % sysfs_root)
    for sub in ('devices', 'class'):
        if not os.path.isdir(os.path.join(sysfs_root, sub)):
            raise NotSysfs('%s is not a sysfs tree: it has no %s/ directory'
                           % (sysfs_root, sub))


# Backends hold only their roots; loading them through stevedore costs more
# than a whole discovery, and the periodic update asks again every minute.
@functools.lru_cache(maxsize=16)
def load_backends(names, sysfs_root, dev_root):
    """The backend objects for a tuple of family names, in that order."""
    def missing(names):
        raise ValueError('unknown FPGA backend(s): %s' % ', '.join(names))

    manager = stevedore.NamedExtensionManager(
        NAMESPACE, names=names, name_order=True, invoke_on_load=True,
        invoke_args=(sysfs_root, dev_root),
        on_missing_entrypoints_callback=missing)
    return [ext.obj for ext in manager]


def backend_of(device, sysfs_root, dev_root):
    """The backend of the family that reported ``device``."""
    return load_backends((device.family,), sysfs_root, dev_root)[0]


def discover(sysfs_root, dev_root, backend_names):
    """Return the host's model.Inventory."""
    check_root(sysfs_root)
    found = []
    with sysfs.one_reading():
        for backend in load_backends(tuple(backend_names), sysfs_root,
                                     dev_root):
            found.extend(backend.discover())
    return model.Inventory(
        devices=tuple(boards.with_memory(d) for d in merge(found)))


def discover_from_conf(conf):
    return discover(conf.fpga.sysfs_root, conf.fpga.dev_root,
                    conf.fpga.enabled_backends)


def merge(devices):
    """One device per address: a healthy report beats an unhealthy one.

    Cards that two families can drive (PAC A10 under DFL or intel-fpga) are
    reported unhealthy by the family whose driver is not bound.
    """
    chosen = {}
    for dev in devices:
        current = chosen.get(dev.address)
        if current is None or (dev.healthy and not current.healthy):
            chosen[dev.address] = dev
    return sorted(chosen.values(), key=lambda d: d.address)
