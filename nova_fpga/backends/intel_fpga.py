"""The legacy out-of-tree intel-fpga driver (intel-fpga-pci).

/sys/class/fpga/intel-fpga-dev.N holds intel-fpga-fme.N (interface id in
``pr/interface_id``, shared by all its ports) and intel-fpga-port.M.
"""

import dataclasses
import os

from nova_fpga.backends import fme_port
from nova_fpga import sysfs


class IntelFPGABackend(fme_port.FmePortBackend):
    family = 'intel_fpga'
    pci_driver = 'intel-fpga-pci'

    def fmes_and_ports(self):
        fmes, ports = [], []
        class_dir = os.path.join(self.sysfs_root, 'class', 'fpga')
        for _, dev in sysfs.numbered(class_dir, 'intel-fpga-dev.'):
            address = sysfs.pci_address_of(dev)
            if address is None:
                continue
            for _, fme in sysfs.numbered(dev, 'intel-fpga-fme.'):
                fmes.append(self._fme(address, fme))
            for ordinal, (_, port) in enumerate(
                    sysfs.numbered(dev, 'intel-fpga-port.')):
                ports.append(fme_port.read_port(address, port, ordinal))
        return fmes, ports

    @staticmethod
    def _fme(address, path):
        pr_dir = os.path.join(path, 'pr')
        fme = fme_port.read_fme(address, path, ())
        if not os.path.isdir(pr_dir) or not fme.ports_num:
            return fme
        interface = sysfs.read_id(
            os.path.join(pr_dir, 'interface_id'), 'pr/interface_id')
        return dataclasses.replace(
            fme, interface_ids=(interface,) * fme.ports_num)
