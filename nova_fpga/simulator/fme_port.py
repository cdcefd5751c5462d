"""What DFL and intel-fpga cards share: a PF with one FME and its ports.

Subclasses say where the FME and ports live and what the FME holds for
partial reconfiguration. The dynamic attributes (afu_id, interface ids,
manager status) are rewritten from the state by refresh() after every
change, so the tree never disagrees with the state.
"""

import abc
import os

from nova_fpga.simulator import kernel_state
from nova_fpga.simulator import kinds
from nova_fpga.simulator import pci
from nova_fpga.simulator import sriov

# fpga_manager status lines, and the intel-fpga status bits, of PR errors.
PR_ERRORS = {
    'operation': ('reconfig operation error', 1 << 0),
    'incompatible': ('reconfig incompatible image', 1 << 2),
}


class FmePortLayout(metaclass=abc.ABCMeta):
    family = None
    pci_driver = None
    fme_name = None
    port_name = None
    fme_major = None
    port_major = None
    # The port's errors/ directory.
    port_errors = {}

    def __init__(self, tree):
        self.tree = tree

    # Kernel numbers, taken in the order the drivers create the objects.

    def allocate(self, data, card, spec):
        kind = kinds.KINDS[card['kind']]
        card['iommu_group'] = kernel_state.take(data, 'iommu_group', 10)
        self.allocate_container(data, card)
        card['fme'] = kernel_state.take(data, self.fme_name)
        self.allocate_pr(data, card, kind)
        function_id = spec.function_id or kinds.FUNCTION_IDS[card['kind']]
        card.update(vfs=[], busy=None, pr_error=None,
                    power_up_function=function_id, ports=[
            {'number': kernel_state.take(data, self.port_name),
             'function_id': function_id, 'released': False}
            for _ in range(kind.ports_num)])

    @abc.abstractmethod
    def allocate_container(self, data, card):
        """Number the device that holds the FME and the ports."""

    @abc.abstractmethod
    def allocate_pr(self, data, card, kind):
        """Number the FME's PR objects: manager, bridges, regions."""

    # Paths.

    def pf_dir(self, card):
        return pci.device_dir(self.tree, card['index'], card['address'])

    @abc.abstractmethod
    def container(self, card):
        """The directory holding the FME and the ports."""

    def fme_node(self, card):
        return '%s.%d' % (self.fme_name, card['fme'])

    def port_node(self, port):
        return '%s.%d' % (self.port_name, port['number'])

    def fme_dir(self, card):
        return os.path.join(self.container(card), self.fme_node(card))

    def port_dir(self, card, port):
        return os.path.join(self.container(card), self.port_node(port))

    # Writing.

    def platform_device(self, path, driver, card, major=None, number=None):
        uevent = 'DRIVER=%s\nMODALIAS=platform:%s\n' % (driver, driver)
        if major is not None:
            uevent = 'MAJOR=%d\nMINOR=%d\nDEVNAME=%s.%d\n%s' % (
                major, number, driver, number, uevent)
            self.tree.attrs(path, {'dev': '%d:%d' % (major, number)})
            self.tree.link(self.tree.sys(
                'bus', 'platform', 'devices', os.path.basename(path)), path)
        self.tree.write(os.path.join(path, 'uevent'), uevent)
        self.tree.attrs(path, {'modalias': 'platform:%s' % driver,
                               'driver_override': '(null)',
                               'numa_node': card['numa_node']})

    def class_device(self, path, parent):
        """A device of the fpga_* classes, linked from /sys/class."""
        class_name = os.path.basename(os.path.dirname(path))
        self.tree.write(os.path.join(path, 'uevent'), '')
        self.tree.link(os.path.join(path, 'device'), parent)
        self.tree.link(
            self.tree.sys('class', class_name, os.path.basename(path)), path)

    def write_card(self, card):
        kind = kinds.KINDS[card['kind']]
        pf = pci.add(self.tree, card['index'], pci.Function(
            card['address'], kind.vendor_id, kind.device_id,
            kind.subsystem_device_id, self.pci_driver, card['iommu_group'],
            card['numa_node']))
        if kind.totalvfs:
            self.tree.attrs(pf, {
                'sriov_totalvfs': kind.totalvfs,
                'sriov_numvfs': 0,
                'sriov_offset': 1,
                'sriov_stride': 1,
                'sriov_vf_device': '%x' % int(kind.vf_device_id, 16),
                'sriov_drivers_autoprobe': 1,
            })
        self.write_container(card)
        fme = self.fme_dir(card)
        self.platform_device(fme, self.fme_name, card, self.fme_major,
                             card['fme'])
        self.tree.attrs(fme, {
            'ports_num': kind.ports_num,
            'bitstream_id': kind.bitstream_id,
            'bitstream_metadata': kind.bitstream_metadata,
            'cache_size': 0,
            'socket_id': 0,
        })
        self.write_fme(card, kind, fme)
        self.tree.node(self.fme_node(card))
        for port in card['ports']:
            if not port['released']:
                self.add_port(card, port)
        self.refresh(card)

    @abc.abstractmethod
    def write_container(self, card):
        """Write the holding device and its class link."""

    @abc.abstractmethod
    def write_fme(self, card, kind, fme):
        """Write what is particular to the FME: errors, PR objects."""

    def add_port(self, card, port):
        path = self.port_dir(card, port)
        self.platform_device(path, self.port_name, card, self.port_major,
                             port['number'])
        self.tree.attrs(path, {
            'id': card['ports'].index(port),
            'ltr': 1,
            'power_state': '0x0',
            'ap1_event': 0,
            'ap2_event': 0,
        })
        self.tree.attrs(os.path.join(path, 'errors'), self.port_errors)
        self.tree.node(self.port_node(port))
        self.show_afu_id(card, port)

    def remove_port(self, card, port):
        self.tree.remove(
            self.tree.sys('bus', 'platform', 'devices', self.port_node(port)),
            self.port_dir(card, port))
        self.tree.remove_node(self.port_node(port))

    def power_up(self, card):
        """As after a power cycle: the card's own image, no VFs.

        The flash loads the same function into every port; the PF driver
        probes with SR-IOV off and every port on the PF.
        """
        if card['vfs']:
            sriov.disable(self, card)
        for port in card['ports']:
            if port['released']:
                port['released'] = False
                self.add_port(card, port)
            port['function_id'] = card['power_up_function']
        card.update(busy=None, pr_error=None, crashed=False)
        card['faults'].clear()

    def refresh(self, card):
        for port in card['ports']:
            if not port['released']:
                self.show_afu_id(card, port)
        self.show_interface_id(card)

    def show_afu_id(self, card, port):
        path = os.path.join(self.port_dir(card, port), 'afu_id')
        busy = card['busy'] and card['busy'][1] == card['ports'].index(port)
        if busy:
            # The port is disabled while it is reprogrammed: reads fail.
            self.tree.unreadable(path)
        elif not port['function_id']:
            # A port without an AFU feature has no afu_id at all.
            self.tree.remove(path)
        else:
            self.tree.attrs(os.path.dirname(path), {
                'afu_id': kinds.ALL_F if card['crashed']
                else port['function_id']})

    def interface_id(self, card):
        """The id the FME shows for its PR region(s), as read now."""
        if card['crashed']:
            return kinds.ALL_F
        return kinds.INTERFACE_IDS[card['kind']]

    @abc.abstractmethod
    def show_interface_id(self, card):
        """Write the interface id (and PR status) as read now."""

    def remove_card(self, card):
        for port in card['ports']:
            if not port['released']:
                self.remove_port(card, port)
        self.tree.remove(self.tree.sys(
            'bus', 'platform', 'devices', self.fme_node(card)))
        self.tree.remove_node(self.fme_node(card))
        self.remove_class_links(card)
        for vf in card['vfs']:
            pci.remove(self.tree, card['index'], vf)
        pci.remove(self.tree, card['index'], card['address'])

    @abc.abstractmethod
    def remove_class_links(self, card):
        """Remove the card's /sys/class links."""
