"""Upstream Linux DFL (dfl-pci): PAC, D5005, N3000, N5010, N6000, C6100.

Base regions under /sys/class/fpga_region hold dfl-fme.N and dfl-port.M;
each port's interface id is the compat_id of the FME's PR region
``dfl-fme-region.K/fpga_region/regionP``. Region numbers are global and
interleaved, so regions are matched by nesting, never by number. PR regions
and the bare base regions of a card's other functions hold neither FME nor
port and are passed over.
"""

import os

from nova_fpga.backends import fme_port
from nova_fpga import sysfs


class DFLBackend(fme_port.FmePortBackend):
    family = 'dfl'
    pci_driver = 'dfl-pci'
    class_name = 'fpga_region'
    container_prefix = 'region'
    fme_prefix = 'dfl-fme.'
    port_prefix = 'dfl-port.'

    def interface_ids(self, fme_path, ports_num):
        # One PR region per port; an FME without PR (C6100) has none.
        ids = []
        for _, pr_dev in sysfs.numbered(fme_path, 'dfl-fme-region.'):
            pr_regions = sysfs.numbered(
                os.path.join(pr_dev, 'fpga_region'), 'region')
            for number, pr_region in pr_regions:
                ids.append(sysfs.read_id(
                    os.path.join(pr_region, 'compat_id'),
                    'compat_id of region%d' % number))
        return ids
