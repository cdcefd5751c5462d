"""Upstream DFL: dfl-pci, a base region holding dfl-fme.N and dfl-port.M.

The FME's PR sub-feature adds a manager, and per port a bridge and a PR
region whose compat_id is the interface id; the base region has no
compat_id (reads fail with ENOENT). Region numbers come from one global
counter, so a PR region never shares its base region's number.
"""

import os

from nova_fpga.simulator import fme_port
from nova_fpga.simulator import kernel_state


class DflLayout(fme_port.FmePortLayout):
    family = 'dfl'
    pci_driver = 'dfl-pci'
    fme_name = 'dfl-fme'
    port_name = 'dfl-port'
    fme_major = 240
    port_major = 239
    port_errors = {
        'errors': '0x0',
        'first_error': '0x0',
        'first_malformed_req': '0x' + '0' * 32,
        'revision': 2,
    }

    def allocate_container(self, data, card):
        card['base_region'] = kernel_state.take(data, 'region')

    def allocate_pr(self, data, card, kind):
        if not kind.has_pr:
            card['manager'], card['bridges'] = None, []
            return
        card['manager'] = kernel_state.take(data, 'fpga_manager')
        # Per port: platform auto id (names both the bridge and the region
        # device), fpga_bridge number, fpga_region number.
        card['bridges'] = [
            [kernel_state.take(data, 'platform_auto'),
             kernel_state.take(data, 'fpga_bridge'),
             kernel_state.take(data, 'region')]
            for _ in range(kind.ports_num)]

    def container(self, card):
        return os.path.join(self.pf_dir(card), 'fpga_region',
                            'region%d' % card['base_region'])

    def manager_dir(self, card):
        return os.path.join(
            self.fme_dir(card), 'dfl-fme-mgr.%d' % card['fme'],
            'fpga_manager', 'fpga%d' % card['manager'])

    def pr_region_dirs(self, card):
        return [os.path.join(self.fme_dir(card), 'dfl-fme-region.%d' % auto,
                             'fpga_region', 'region%d' % region)
                for auto, _, region in card['bridges']]

    def write_container(self, card):
        base = self.container(card)
        self.class_device(base, self.pf_dir(card))
        self.tree.unreadable(os.path.join(base, 'compat_id'))

    def write_fme(self, card, kind, fme):
        self.tree.attrs(fme, {'fabric_version': 0})
        self.tree.attrs(os.path.join(fme, 'errors'), {
            name: '0x0' for name in (
                'pcie0_errors', 'pcie1_errors', 'nonfatal_errors',
                'catfatal_errors', 'inject_errors', 'fme_errors',
                'first_error', 'next_error')})
        self.tree.attrs(os.path.join(fme, 'errors'), {'revision': 1})
        if not kind.has_pr:
            return
        manager = self.manager_dir(card)
        self.platform_device(os.path.dirname(os.path.dirname(manager)),
                             'dfl-fme-mgr', card)
        self.class_device(manager, os.path.dirname(os.path.dirname(manager)))
        self.tree.attrs(manager, {'name': 'DFL FME FPGA Manager',
                                  'state': 'unknown'})
        for (auto, bridge, _), region in zip(card['bridges'],
                                             self.pr_region_dirs(card)):
            parent = os.path.join(fme, 'dfl-fme-bridge.%d.auto' % auto)
            self.platform_device(parent, 'dfl-fme-bridge', card)
            path = os.path.join(parent, 'fpga_bridge', 'br%d' % bridge)
            self.class_device(path, parent)
            self.tree.attrs(path, {'name': 'DFL FPGA FME Bridge',
                                   'state': 'enabled'})
            parent = os.path.dirname(os.path.dirname(region))
            self.platform_device(parent, 'dfl-fme-region', card)
            self.class_device(region, parent)

    def show_interface_id(self, card):
        for region in self.pr_region_dirs(card):
            self.tree.attrs(region, {'compat_id': self.interface_id(card)})
        if card['manager'] is not None:
            error = card['pr_error']
            self.tree.write(
                os.path.join(self.manager_dir(card), 'status'),
                fme_port.PR_ERRORS[error][0] + '\n' if error else '')

    def remove_class_links(self, card):
        links = [('fpga_region', 'region%d' % card['base_region'])]
        if card['manager'] is not None:
            links.append(('fpga_manager', 'fpga%d' % card['manager']))
        for _, bridge, region in card['bridges']:
            links += [('fpga_bridge', 'br%d' % bridge),
                      ('fpga_region', 'region%d' % region)]
        self.tree.remove(*(self.tree.sys('class', *link) for link in links))
