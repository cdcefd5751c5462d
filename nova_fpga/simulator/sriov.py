"""Writing ``sriov_numvfs``: drivers/pci/iov.c and the FPGA PF drivers.

VFs appear at function 1 onwards (offset 1, stride 1), bound to vfio-pci
for passthrough, so they get no fpga_region of their own.
"""

import errno
import os

from nova_fpga.simulator import faults
from nova_fpga.simulator import kernel_state
from nova_fpga.simulator import kinds
from nova_fpga.simulator import pci


def write_numvfs(data, layout, card, text):
    kind = kinds.KINDS[card['kind']]
    try:
        count = int(text.strip(), 0)
    except ValueError:
        raise faults.error(errno.EINVAL) from None
    if count < 0:
        raise faults.error(errno.EINVAL)
    if count > kind.totalvfs:
        raise faults.error(errno.ERANGE)
    current = len(card['vfs'])
    if count == current:
        return
    if count and current:
        # "Disable before enabling"
        raise faults.error(errno.EBUSY)
    released = sum(port['released'] for port in card['ports'])
    if count and kind.vfs_need_released_ports and count != released:
        raise faults.error(errno.EINVAL)
    faults.check(card, 'sriov')
    if count:
        _enable(data, layout, card, kind, count)
    else:
        disable(layout, card)


def _enable(data, layout, card, kind, count):
    pf = layout.pf_dir(card)
    for number in range(count):
        vf = pci.add(layout.tree, card['index'], pci.Function(
            pci.function_address(card['address'], number + 1),
            kind.vendor_id, kind.vf_device_id, kind.subsystem_device_id,
            'vfio-pci', kernel_state.take(data, 'iommu_group', 10),
            card['numa_node'], revision=0, reset_method='flr'))
        layout.tree.link(os.path.join(vf, 'physfn'), pf)
        layout.tree.link(os.path.join(pf, 'virtfn%d' % number), vf)
        card['vfs'].append(os.path.basename(vf))
    layout.tree.attrs(pf, {'sriov_numvfs': count})


def disable(layout, card):
    """Released ports stay released: only PORT_ASSIGN brings them back."""
    pf = layout.pf_dir(card)
    for number, vf in reversed(list(enumerate(card['vfs']))):
        layout.tree.remove(os.path.join(pf, 'virtfn%d' % number))
        pci.remove(layout.tree, card['index'], vf)
    card['vfs'] = []
    layout.tree.attrs(pf, {'sriov_numvfs': 0})
