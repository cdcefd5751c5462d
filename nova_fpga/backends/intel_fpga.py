"""The legacy out-of-tree intel-fpga driver (intel-fpga-pci).

/sys/class/fpga/intel-fpga-dev.N holds intel-fpga-fme.N, whose
``pr/interface_id`` all its ports share, and intel-fpga-port.M.
"""

import os

from nova_fpga.backends import fme_port
from nova_fpga import sysfs


class IntelFPGABackend(fme_port.FmePortBackend):
    family = 'intel_fpga'
    pci_driver = 'intel-fpga-pci'
    class_name = 'fpga'
    container_prefix = 'intel-fpga-dev.'
    fme_prefix = 'intel-fpga-fme.'
    port_prefix = 'intel-fpga-port.'

    def interface_ids(self, fme_path, ports_num):
        pr_dir = os.path.join(fme_path, 'pr')
        if not os.path.isdir(pr_dir) or not ports_num:
            return []
        interface = sysfs.read_id(
            os.path.join(pr_dir, 'interface_id'), 'pr/interface_id')
        return [interface] * ports_num
