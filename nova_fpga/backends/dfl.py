"""Upstream Linux DFL (dfl-pci): PAC, D5005, N3000, N5010, N6000, C6100.

Base regions under /sys/class/fpga_region hold dfl-fme.N and dfl-port.M;
each port's interface id is the compat_id of the FME's PR region
``dfl-fme-region.K/fpga_region/regionP``. Region numbers are global and
interleaved, so regions are matched by nesting, never by number.
"""

import os

from nova_fpga.backends import fme_port
from nova_fpga import sysfs


class DFLBackend(fme_port.FmePortBackend):
    family = 'dfl'
    pci_driver = 'dfl-pci'

    def fmes_and_ports(self):
        fmes, ports = [], []
        class_dir = os.path.join(self.sysfs_root, 'class', 'fpga_region')
        for _, region in sysfs.numbered(class_dir, 'region'):
            address = sysfs.pci_address_of(region)
            if address is None:
                continue
            for _, fme in sysfs.numbered(region, 'dfl-fme.'):
                fmes.append(fme_port.read_fme(
                    address, fme, self._interface_ids(fme)))
            for ordinal, (_, port) in enumerate(
                    sysfs.numbered(region, 'dfl-port.')):
                ports.append(fme_port.read_port(address, port, ordinal))
        return fmes, ports

    @staticmethod
    def _interface_ids(fme):
        ids = []
        for _, pr_dev in sysfs.numbered(fme, 'dfl-fme-region.'):
            pr_regions = sysfs.numbered(
                os.path.join(pr_dev, 'fpga_region'), 'region')
            for number, pr_region in pr_regions:
                ids.append(sysfs.read_id(
                    os.path.join(pr_region, 'compat_id'),
                    'compat_id of region%d' % number))
        return ids
