"""The PCI functions Nova's own PCI passthrough hands out too.

A function that ``[pci] device_spec`` matches is Nova's PCI tracker's to
give to guests. Were a region or GPU of ours to pass the same function,
two servers could be given one device; so such a region is reported
unhealthy, which keeps it reserved in Placement and never attached, and
its reason names the function and the option.
"""


import nova.conf  # noqa: F401 (registers [pci], read below)
from nova.pci import whitelist

from nova_fpga import sysfs


class DeviceSpec:
    """``[pci] device_spec`` of ``conf``, matched as Nova's tracker does."""

    def __init__(self, conf):
        # Parsed on first use: nova-compute's PCI tracker refuses an
        # invalid spec at start-up with its own message.
        self._specs = tuple(conf.pci.device_spec)
        self._whitelist = None

    def __bool__(self):
        return bool(self._specs)

    def claims(self, sysfs_root, address):
        """Whether the spec matches the PCI function at ``address``."""
        if self._whitelist is None:
            self._whitelist = whitelist.Whitelist(self._specs)
        function = sysfs.pci_function(sysfs_root, address)
        return self._whitelist.device_assignable({
            'vendor_id': function.vendor_id,
            'product_id': function.device_id,
            'address': address,
            'parent_addr': sysfs.pci_physfn(sysfs_root, address),
        }) is not None

    def withhold(self, inventory, sysfs_root):
        """``inventory``, where it claims a region's function, unhealthy."""
        if not self:
            return inventory
        devices = tuple(
            device._replace(regions=tuple(
                self._withheld(region, sysfs_root)
                for region in device.regions))
            for device in inventory.devices)
        return inventory._replace(devices=devices)

    def _withheld(self, region, sysfs_root):
        claimed = [address for address in region.attach
                   if self.claims(sysfs_root, address)]
        # An unhealthy region is held anyway; this shows once it is not.
        if not claimed or not region.healthy:
            return region
        return region._replace(health_reason=(
            'PCI function %s is in [pci] device_spec too, so Nova\'s PCI '
            'passthrough hands it out: remove it from there to use it '
            'here' % ', '.join(claimed)))
