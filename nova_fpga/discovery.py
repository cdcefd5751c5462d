"""Discovery: every enabled backend reads sysfs; one inventory comes out.

``HostInventory`` is the inventory of this host as it is reported and
given to guests: what Nova's own PCI passthrough hands out is withheld.
"""

import functools
import os

from oslo_log import log as logging
import stevedore

from nova_fpga.backends import base
from nova_fpga import model
from nova_fpga import passthrough
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
def load_backends(names, sysfs_root, dev_root, options=base.Options()):
    """The backend objects for a tuple of family names, in that order."""
    def missing(names):
        raise ValueError('unknown FPGA backend(s): %s' % ', '.join(names))

    manager = stevedore.NamedExtensionManager(
        NAMESPACE, names=names, name_order=True, invoke_on_load=True,
        invoke_args=(sysfs_root, dev_root, options),
        on_missing_entrypoints_callback=missing)
    return [ext.obj for ext in manager]


def discover(sysfs_root, dev_root, backend_names):
    """Return the host's model.Inventory."""
    check_root(sysfs_root)
    with sysfs.one_reading():
        backends = load_backends(tuple(backend_names), sysfs_root, dev_root)
        found = [device for backend in backends
                 for device in backend.managed()]
        # A card one family manages is not reported again, unmanaged, by
        # another that could drive it (PAC A10: DFL and intel-fpga).
        taken = model.addresses(found)
        for backend in backends:
            unmanaged = backend.unmanaged(taken)
            found.extend(unmanaged)
            taken |= model.addresses(unmanaged)
    return model.Inventory(devices=tuple(merge(found)))


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


class HostInventory:
    """This host's inventory as reported; its regions found by identifier.

    A region whose PCI function Nova's own PCI passthrough hands out too
    is unhealthy (``passthrough``).
    """

    def __init__(self, conf):
        self.sysfs_root = conf.fpga.sysfs_root
        self.dev_root = conf.fpga.dev_root
        self.backend_names = tuple(conf.fpga.enabled_backends)
        self.options = base.Options.from_conf(conf)
        self.device_spec = passthrough.DeviceSpec(conf)
        # The driver family of each region the last discovery found.
        self.families = {}

    def backend(self, device):
        """The backend of the family that reported ``device``."""
        return load_backends((device.family,), self.sysfs_root,
                             self.dev_root, self.options)[0]

    def _discover(self, backend_names):
        """Discovery; regions Nova's PCI passthrough claims are unhealthy.

        One reading for both, so the PCI functions are read once.
        """
        with sysfs.one_reading():
            return self.device_spec.withhold(
                discover(self.sysfs_root, self.dev_root, backend_names),
                self.sysfs_root)

    def discover(self):
        inventory = self._discover(self.backend_names)
        self.families = {
            model.region_identifier(device, region): device.family
            for device in inventory.devices for region in device.regions}
        return inventory

    def read_device(self, device):
        """``device`` as sysfs shows it now, or None if it is gone."""
        return next((found for found in self._discover([device.family]).devices
                     if found.address == device.address), None)

    def find(self, identifiers):
        """``([(device, region)], [identifiers not found])``, in order.

        Only the families that held the regions at the last discovery (the
        periodic update's) read sysfs again, whole; when one is not found
        there, or it cannot be given to a guest (another family may drive
        its card now), every family does.
        """
        families = {self.families.get(i) for i in identifiers}
        if identifiers and None not in families:
            held, missing = self._find_in(self._discover(
                [name for name in self.backend_names if name in families]),
                identifiers)
            if not missing and all(model.usable(device, region)
                                   for device, region in held):
                return held, missing
        return self._find_in(self.discover(), identifiers)

    @staticmethod
    def _find_in(inventory, identifiers):
        regions = {model.region_identifier(device, region): (device, region)
                   for device in inventory.devices
                   for region in device.regions}
        return ([regions[i] for i in identifiers if i in regions],
                [i for i in identifiers if i not in regions])

    def passed(self, addresses):
        """The regions any of whose PCI functions is in ``addresses``.

        Their identifiers, GPUs left out (nothing scrubs them).
        """
        addresses = set(addresses)
        if not addresses:
            return []
        return [model.region_identifier(device, region)
                for device in self.discover().devices if not device.is_gpu
                for region in device.regions
                if addresses.intersection(region.attach)]
