"""Whole GPUs: the PCI function, its audio companion and its IOMMU group.

Bound to vfio-pci (with its /dev/vfio/<group> node) unless the card spec
names a host driver; amdgpu then shows the memory size. The ``resource``
file lists the BARs as drivers/pci/pci-sysfs.c writes them.
"""

import os

from nova_fpga.simulator import kernel_state
from nova_fpga.simulator import kinds
from nova_fpga.simulator import pci

VFIO = 'vfio-pci'
GIB = 1 << 30
MIB = 1 << 20
# include/linux/ioport.h
IORESOURCE_IO = 0x100
IORESOURCE_MEM = 0x200
IORESOURCE_PREFETCH = 0x2000
IORESOURCE_SIZEALIGN = 0x40000
IORESOURCE_MEM_64 = 0x100000
RESOURCE_LINES = 13
AUDIO_DRIVER = 'snd_hda_intel'


def _bars(aperture):
    """``(size, flags)`` of BAR0..BAR5: registers, aperture, more, I/O."""
    mem = IORESOURCE_MEM | IORESOURCE_SIZEALIGN
    prefetch = mem | IORESOURCE_PREFETCH | IORESOURCE_MEM_64
    return [(16 * MIB, mem), (aperture, prefetch), (0, 0),
            (32 * MIB, prefetch), (0, 0),
            (128, IORESOURCE_IO | IORESOURCE_SIZEALIGN)]


def resource_text(index, aperture):
    # 1 TiB of address space per card.
    base = 0x200000000000 + (index << 40)
    lines = []
    for size, flags in _bars(aperture):
        if size:
            start = base
            base += max(size, 4096)
            lines.append('0x%016x 0x%016x 0x%016x' % (start, start + size - 1,
                                                      flags))
        else:
            lines.append('0x%016x 0x%016x 0x%016x' % (0, 0, 0))
    lines += ['0x%016x 0x%016x 0x%016x' % (0, 0, 0)] * (
        RESOURCE_LINES - len(lines))
    return ''.join(line + '\n' for line in lines)


class GpuLayout:
    family = kinds.GPU

    def __init__(self, tree):
        self.tree = tree

    def allocate(self, data, card, spec):
        kind = kinds.KINDS[card['kind']]
        card.update(
            iommu_group=kernel_state.take(data, 'iommu_group', 10),
            driver=spec.driver or VFIO,
            audio_address=(pci.function_address(card['address'], 1)
                           if kind.audio_device_id else None))

    def write_card(self, card):
        kind = kinds.KINDS[card['kind']]
        path = pci.add(self.tree, card['index'], pci.Function(
            card['address'], kind.vendor_id, kind.device_id,
            kind.subsystem_device_id, card['driver'], card['iommu_group'],
            card['numa_node'], revision=0xa1, pci_class=kind.pci_class))
        self.tree.write(os.path.join(path, 'resource'), resource_text(
            card['index'], kind.aperture_gib * GIB))
        self.tree.attrs(path, {'boot_vga': 0, 'power_state': 'D0'})
        if card['driver'] == 'amdgpu' and kind.vram_gib:
            self.tree.attrs(path, {'mem_info_vram_total':
                                   kind.vram_gib * GIB})
        if card['audio_address']:
            pci.add(self.tree, card['index'], pci.Function(
                card['audio_address'], kind.vendor_id, kind.audio_device_id,
                kind.subsystem_device_id,
                VFIO if card['driver'] == VFIO else AUDIO_DRIVER,
                card['iommu_group'], card['numa_node'], revision=0xa1,
                pci_class=kinds.AUDIO_DEVICE))
        if card['driver'] == VFIO:
            self.tree.node(os.path.join('vfio', str(card['iommu_group'])))

    def power_up(self, card):
        """A power cycle leaves nothing of its own to undo here."""
        card['faults'].clear()

    def refresh(self, card):
        """Nothing a GPU shows changes."""

    def remove_card(self, card):
        if card['driver'] == VFIO:
            self.tree.remove_node(os.path.join('vfio',
                                               str(card['iommu_group'])))
        if card['audio_address']:
            pci.remove(self.tree, card['index'], card['audio_address'])
        pci.remove(self.tree, card['index'], card['address'])
