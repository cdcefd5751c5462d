"""The legacy out-of-tree intel-fpga driver (intel-fpga-pci).

``<PF>/fpga/intel-fpga-dev.N`` holds intel-fpga-fme.N, whose ``pr/``
group shows the interface id, and intel-fpga-port.M. There are no
fpga_region devices; the card is found through /sys/class/fpga.
"""

import os

from nova_fpga.simulator import fme_port
from nova_fpga.simulator import kernel_state


class IntelFpgaLayout(fme_port.FmePortLayout):
    family = 'intel_fpga'
    pci_driver = 'intel-fpga-pci'
    fme_name = 'intel-fpga-fme'
    port_name = 'intel-fpga-port'
    fme_major = 245
    port_major = 244
    port_errors = {
        'errors': '0x0',
        'first_error': '0x0',
        'first_malformed_req': '0x' + '0' * 32,
        'revision': 1,
    }

    def allocate_container(self, data, card):
        card['container'] = kernel_state.take(data, 'intel-fpga-dev')

    def allocate_pr(self, data, card, kind):
        card['manager'] = kernel_state.take(data, 'fpga_manager')

    def container_name(self, card):
        return 'intel-fpga-dev.%d' % card['container']

    def container(self, card):
        return os.path.join(self.pf_dir(card), 'fpga',
                            self.container_name(card))

    def write_container(self, card):
        path = self.container(card)
        self.tree.write(os.path.join(path, 'uevent'), '')
        self.tree.link(os.path.join(path, 'device'), self.pf_dir(card))
        self.tree.link(
            self.tree.sys('class', 'fpga', self.container_name(card)), path)

    def write_fme(self, card, kind, fme):
        self.tree.attrs(fme, {'version': 0, 'revision': 0})
        self.tree.attrs(os.path.join(fme, 'pr'), {'revision': 1})
        errors = os.path.join(fme, 'errors')
        self.tree.attrs(errors, {
            name: '0x0' for name in (
                'pcie0_errors', 'pcie1_errors', 'nonfatal_errors',
                'catfatal_errors', 'inject_error')})
        self.tree.attrs(errors, {'revision': 1})
        self.tree.attrs(os.path.join(errors, 'fme-errors'), {
            'errors': '0x0', 'first_error': '0x0', 'next_error': '0x0'})
        manager = os.path.join(fme, 'fpga_manager',
                               'fpga%d' % card['manager'])
        self.class_device(manager, fme)
        self.tree.attrs(manager, {'name': 'Intel FPGA Manager',
                                  'state': 'unknown'})

    def add_port(self, card, port):
        super().add_port(card, port)
        path = self.port_dir(card, port)
        self.tree.attrs(path, {'revision': 0})
        # Write-only: clears the port errors.
        self.tree.unreadable(os.path.join(path, 'errors', 'clear'))

    def show_interface_id(self, card):
        self.tree.attrs(os.path.join(self.fme_dir(card), 'pr'),
                        {'interface_id': self.interface_id(card)})

    def remove_class_links(self, card):
        self.tree.remove(
            self.tree.sys('class', 'fpga', self.container_name(card)),
            self.tree.sys('class', 'fpga_manager', 'fpga%d' % card['manager']))
