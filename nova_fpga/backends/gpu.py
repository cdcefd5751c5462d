"""Whole GPUs (NVIDIA, AMD, Intel) passed through to guests.

A GPU is a PCI VGA or 3D controller of a known vendor. The guest receives
it with its companions: the other functions of the same slot in its IOMMU
group (the HDMI/DP audio function), which VFIO must take along. Nothing is
programmed; ``program`` and ``reset`` stay NotSupported.

A GPU bound to a driver other than vfio-pci is in the host's use; it is
reported with that driver, and reporting leaves it alone unless the
operator names it in ``[fpga] gpu_host_driver_allowlist``.
"""

import os

from nova_fpga.backends import base
from nova_fpga.catalog import gpus
from nova_fpga import model
from nova_fpga import sysfs

# Bridges share IOMMU groups with what is behind them; VFIO accepts them.
BRIDGE_CLASS = 0x0604
MIB = 1024 * 1024
# drivers/pci/pci-sysfs.c writes a "start end flags" line per resource;
# the first six are the BARs. include/linux/ioport.h:
IORESOURCE_MEM = 0x200
IORESOURCE_PREFETCH = 0x2000
BARS = 6
# Memory sizes the host drivers show, relative to the PCI function.
MEMORY_ATTRS = ('mem_info_vram_total',  # amdgpu
                'tile0/physical_vram_size_bytes')  # xe


def _function_dir(sysfs_root, address, *parts):
    return os.path.join(sysfs_root, 'bus', 'pci', 'devices', address, *parts)


def _slot(address):
    return address.rsplit('.', 1)[0]


def largest_prefetchable_bar(path):
    """The size of the largest prefetchable memory BAR in bytes, or None.

    On a GPU that is the aperture onto its memory: as large as the memory
    with resizable BAR, often 256 MiB without, larger on some (H100).
    """
    try:
        lines = sysfs.read_lines(path)[:BARS]
    except sysfs.Unreadable:
        return None
    sizes = []
    for line in lines:
        try:
            start, end, flags = (int(f, 16) for f in line.split())
        except ValueError:
            continue
        wanted = IORESOURCE_MEM | IORESOURCE_PREFETCH
        if end > start and flags & wanted == wanted:
            sizes.append(end - start + 1)
    return max(sizes, default=None)


class GPUBackend(base.Backend):
    family = model.GPU

    def discover(self):
        found = []
        for address, ids in sysfs.pci_ids(self.sysfs_root).items():
            # The class is read only for the GPU vendors' functions.
            if ids.vendor_id in gpus.VENDORS and gpus.is_gpu(
                    ids.vendor_id, ids.device_id,
                    sysfs.pci_class(self.sysfs_root, address)):
                found.append(self._device(address))
        return found

    def _device(self, address):
        fn = sysfs.pci_function(self.sysfs_root, address)
        found = gpus.identify(fn.vendor_id, fn.device_id)
        group, members = self._iommu_group(address)
        companions = tuple(m for m in members
                           if m != address and _slot(m) == _slot(address))
        memory_mb, source = self._memory(address, found)
        return model.Device(
            address=address,
            vendor=gpus.vendor_name(fn.vendor_id),
            family=self.family,
            board=found.name,
            vendor_id=fn.vendor_id,
            device_id=fn.device_id,
            numa_node=fn.numa_node,
            regions=(model.Region(name='gpu',
                                  attach=(address,) + companions),),
            health_reason=fn.problem or self._group_problem(
                address, group, members, companions),
            architecture=found.architecture,
            memory_mb=memory_mb,
            memory_source=source,
            iommu_group=group,
            driver=sysfs.pci_driver(self.sysfs_root, address))

    def _iommu_group(self, address):
        """``(group number, sorted member addresses)``; (None, ()) if none."""
        name = sysfs.link_name(_function_dir(self.sysfs_root, address,
                                             'iommu_group'))
        if name is None or not name.isdigit():
            return None, ()
        directory = os.path.join(self.sysfs_root, 'kernel', 'iommu_groups',
                                 name, 'devices')
        try:
            members = os.listdir(directory)
        except OSError:
            members = [address]
        return int(name), tuple(sorted(
            m.lower() for m in members if model.is_pci_address(m)))

    def _group_problem(self, address, group, members, companions):
        if group is None:
            return ('no IOMMU group: the IOMMU is off (intel_iommu=on or '
                    'amd_iommu=on), so VFIO cannot pass the GPU through')
        shared = [m for m in members
                  if m != address and m not in companions and
                  sysfs.pci_class(self.sysfs_root, m) != BRIDGE_CLASS]
        if shared:
            return ('IOMMU group %d is shared with host device(s) %s: VFIO '
                    'would take them from the host too' % (
                        group, ', '.join(shared)))
        return None

    def _memory(self, address, found):
        """``(MiB, source)`` of the GPU's memory, or (None, None)."""
        for attr in MEMORY_ATTRS:
            try:
                size = sysfs.read_int(_function_dir(self.sysfs_root, address,
                                                    attr))
            except sysfs.Unreadable:
                continue
            if size > 0:
                return size // MIB, model.MEMORY_SYSFS
        if found.memory_gib:
            return found.memory_gib * 1024, model.MEMORY_TABLE
        bar = largest_prefetchable_bar(
            _function_dir(self.sysfs_root, address, 'resource'))
        if bar:
            return bar // MIB, model.MEMORY_BAR
        return None, None
