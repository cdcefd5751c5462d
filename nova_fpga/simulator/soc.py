"""A ZynqMP SoC: the generic fpga_manager and fpga_region classes.

The manager sits on the firmware's PCAP device, the region on the
``fpga-full`` platform device and has no compat_id. Mainline has no
userspace programming ABI; the vendor kernel's ``flags`` and ``firmware``
attributes load a file from the firmware directory.
"""

import errno
import os

from nova_fpga.simulator import faults
from nova_fpga.simulator import kernel_state

FIRMWARE_DEVICE = 'firmware:zynqmp-firmware'
PCAP = 'firmware:zynqmp-firmware:pcap'
REGION_DEVICE = 'fpga-full'
MANAGER_NAME = 'Xilinx ZynqMP FPGA Manager'


class ZynqmpLayout:
    family = 'fpga_region'

    def __init__(self, tree):
        self.tree = tree
        self.firmware_dir = os.path.join(tree.root, 'lib', 'firmware')

    def allocate(self, data, card, spec):
        card.update(manager=kernel_state.take(data, 'fpga_manager'),
                    region=kernel_state.take(data, 'region'),
                    flags=0, firmware=None, manager_state='operating')

    def manager_dir(self, card):
        return self.tree.sys('devices', 'platform', FIRMWARE_DEVICE, PCAP,
                             'fpga_manager', 'fpga%d' % card['manager'])

    def region_dir(self, card):
        return self.tree.sys('devices', 'platform', REGION_DEVICE,
                             'fpga_region', 'region%d' % card['region'])

    def _class_links(self, card):
        return [(self.tree.sys('class', 'fpga_manager',
                               'fpga%d' % card['manager']),
                 self.manager_dir(card)),
                (self.tree.sys('class', 'fpga_region',
                               'region%d' % card['region']),
                 self.region_dir(card)),
                (self.tree.sys('bus', 'platform', 'devices', REGION_DEVICE),
                 self.tree.sys('devices', 'platform', REGION_DEVICE))]

    def write_card(self, card):
        os.makedirs(self.firmware_dir, exist_ok=True)
        for path in (self.manager_dir(card), self.region_dir(card)):
            self.tree.write(os.path.join(path, 'uevent'), '')
            self.tree.link(os.path.join(path, 'device'),
                           os.path.dirname(os.path.dirname(path)))
        manager = self.manager_dir(card)
        self.tree.attrs(manager, {'name': MANAGER_NAME})
        self.tree.write(os.path.join(manager, 'status'), '')
        # Write-only.
        self.tree.unreadable(os.path.join(manager, 'firmware'))
        for link, target in self._class_links(card):
            self.tree.link(link, target)
        self.refresh(card)

    def power_up(self, card):
        """A power cycle leaves nothing of its own to undo here."""
        card['faults'].clear()

    def refresh(self, card):
        self.tree.attrs(self.manager_dir(card), {
            'state': card['manager_state'], 'flags': '%x' % card['flags']})

    def remove_card(self, card):
        self.tree.remove(*(link for link, _ in self._class_links(card)))
        self.tree.remove(self.tree.sys('devices', 'platform', REGION_DEVICE),
                         os.path.dirname(self.manager_dir(card)))

    def write_attr(self, card, name, text):
        """The vendor kernel's ``flags`` and ``firmware`` attributes."""
        if name == 'flags':
            try:
                card['flags'] = int(text.strip(), 16)
            except ValueError:
                raise faults.error(errno.EINVAL) from None
        elif name == 'firmware':
            self._load(card, text.rstrip('\n'))
        else:
            raise faults.error(errno.EACCES)
        self.refresh(card)

    def _load(self, card, name):
        err = faults.take(card, 'program')
        if err is not None:
            card['manager_state'] = 'write error'
        elif not os.path.isfile(os.path.join(self.firmware_dir, name)):
            err = errno.ENOENT
            card['manager_state'] = 'firmware request error'
        else:
            card.update(firmware=name, manager_state='operating')
        if err is not None:
            self.refresh(card)
            raise faults.error(err)
