"""AMD/Xilinx Alveo under XRT: xclmgmt on function 0, xocl on function 1.

Both functions are physical; the user one is what a guest receives. The
management function's ``interface_uuids`` ends with the interface an xclbin
must be built for; the user function's ``xclbinuuid`` shows what is loaded.
"""

import errno
import os

from nova_fpga.simulator import faults
from nova_fpga.simulator import images
from nova_fpga.simulator import kernel_state
from nova_fpga.simulator import kinds
from nova_fpga.simulator import pci

NOTHING_LOADED = '0' * 32
DRM_MAJOR = 226
LOGIC_ID = '4c1f7c56b2d9e1a8a3e0d4b6c7f80912'


def instance(address):
    """XOCL_DEV_ID: (domain << 16) | (bus << 8) | devfn."""
    domain, bus, slot_function = address.split(':')
    slot, function = slot_function.split('.')
    return ((int(domain, 16) << 16) | (int(bus, 16) << 8)
            | (int(slot, 16) << 3) | int(function))


class XrtLayout:
    family = 'xrt'

    def __init__(self, tree):
        self.tree = tree

    def allocate(self, data, card, spec):
        card.update(
            user_address=pci.function_address(card['address'], 1),
            iommu_groups=[kernel_state.take(data, 'iommu_group', 10)
                          for _ in range(2)],
            render=kernel_state.take(data, 'render', 128),
            xclbin_id=spec.function_id, power_up_function=spec.function_id)

    def power_up(self, card):
        """As after a power cycle: the shell's own dynamic region."""
        card['xclbin_id'] = card['power_up_function']
        card['faults'].clear()

    def node(self, card):
        return 'xclmgmt%d' % instance(card['address'])

    def user_dir(self, card):
        return pci.device_dir(self.tree, card['index'], card['user_address'])

    def write_card(self, card):
        kind = kinds.KINDS[card['kind']]
        mgmt_group, user_group = card['iommu_groups']
        mgmt = pci.add(self.tree, card['index'], pci.Function(
            card['address'], kind.vendor_id, kind.device_id,
            kind.subsystem_device_id, 'xclmgmt', mgmt_group,
            card['numa_node']))
        user = pci.add(self.tree, card['index'], pci.Function(
            card['user_address'], kind.vendor_id, kind.user_device_id,
            kind.subsystem_device_id, 'xocl', user_group, card['numa_node']))
        self.tree.write(os.path.join(mgmt, 'mgmt_pf'), '')
        # Write-only in the kernel; reads here give nothing.
        self.tree.write(os.path.join(mgmt, 'mgmt_reset'), '')
        self.tree.attrs(mgmt, {
            'ready': 1,
            'instance': instance(card['address']),
            'board_name': card['kind'],
            'logic_uuids': LOGIC_ID,
        })
        self.tree.write(os.path.join(user, 'user_pf'), '')
        self.tree.attrs(user, {
            'ready': '0x1',
            'board_name': card['kind'],
            'logic_uuids': LOGIC_ID,
        })
        render = 'renderD%d' % card['render']
        drm = os.path.join(user, 'drm', render)
        self.tree.attrs(drm, {'dev': '%d:%d' % (DRM_MAJOR, card['render'])})
        self.tree.write(os.path.join(drm, 'uevent'), 'MAJOR=%d\nMINOR=%d\n'
                        'DEVNAME=dri/%s\n' % (DRM_MAJOR, card['render'],
                                              render))
        self.tree.node(self.node(card))
        self.tree.node(os.path.join('dri', render))
        self.refresh(card)

    def refresh(self, card):
        interfaces = [kinds.XRT_BASE_INTERFACE_ID,
                      kinds.INTERFACE_IDS[card['kind']]]
        if card['crashed']:
            interfaces = [kinds.ALL_F] * len(interfaces)
        text = ''.join(line + '\n' for line in interfaces)
        loaded = images.dashed(card['xclbin_id'] or NOTHING_LOADED)
        for path in (pci.device_dir(self.tree, card['index'],
                                    card['address']),
                     self.user_dir(card)):
            self.tree.write(os.path.join(path, 'interface_uuids'), text)
        self.tree.attrs(self.user_dir(card), {'xclbinuuid': loaded})

    def remove_card(self, card):
        self.tree.remove_node(self.node(card))
        self.tree.remove_node(os.path.join('dri', 'renderD%d' %
                                           card['render']))
        pci.remove(self.tree, card['index'], card['user_address'])
        pci.remove(self.tree, card['index'], card['address'])

    def write_attr(self, card, name, text):
        """Writes to the management function: only ``mgmt_reset``.

        1 hot-resets the card, 2 resets the dynamic region, 3 ERT and
        4 soft kernels; none of them unloads the xclbin.
        """
        if name != 'mgmt_reset':
            raise faults.error(errno.EACCES)
        if text.strip() not in ('1', '2', '3', '4'):
            raise faults.error(errno.EINVAL)
        faults.check(card, 'reset')
        if card['crashed']:
            raise faults.error(errno.EIO)

    def program(self, card, xclbin):
        """What xclmgmt does with ``xbmgmt program --user``."""
        faults.check(card, 'program')
        if card['crashed']:
            raise faults.error(errno.EIO)
        try:
            interface_id, xclbin_id = images.read_xclbin(xclbin)
        except ValueError:
            raise faults.error(errno.EINVAL) from None
        if interface_id != kinds.INTERFACE_IDS[card['kind']]:
            # icap: "interface uuids do not match"
            raise faults.error(errno.EINVAL)
        card['xclbin_id'] = xclbin_id
        self.refresh(card)
