"""The generic fpga_manager / fpga_region classes of SoC FPGAs.

Regions here are not behind PCI (those belong to the PCI families). The
region's parent platform device names the device; the FPGA manager's name
tells vendor and board. Mainline keeps the loaded image out of sysfs, so the
function id is unknown, and nothing is PCI-attachable.

Hence no programming either (Backend.program raises NotSupported): no
guest could receive the region, mainline has no userspace ABI to load it,
and sysfs would not show what got loaded.
"""

import collections
import os

from nova_fpga.backends import base
from nova_fpga.catalog import boards
from nova_fpga import model
from nova_fpga import sysfs


class FPGARegionBackend(base.Backend):
    family = 'fpga_region'

    def discover(self):
        by_parent = collections.defaultdict(list)
        for number, path in self._not_pci('fpga_region', 'region'):
            parent = (sysfs.link_name(os.path.join(path, 'device'))
                      or 'region%d' % number)
            by_parent[parent].append(self._region(number, path))
        if not by_parent:
            # Hosts of PCI cards only: their managers are not read.
            return []
        vendor, board, problem = self._manager()
        return [
            model.Device(address=parent, vendor=vendor, family=self.family,
                         board=board, regions=tuple(regions),
                         health_reason=problem)
            for parent, regions in sorted(by_parent.items())]

    def _not_pci(self, class_name, prefix):
        """``(n, path)`` of the class's directories that are not PCI's."""
        return [
            (number, path) for number, path, _, address in
            sysfs.class_devices(self.sysfs_root, class_name, prefix)
            if address is None and os.path.isdir(path)]

    @staticmethod
    def _region(number, path):
        interface_id, problem = sysfs.read_optional_id(
            os.path.join(path, 'compat_id'), 'compat_id')
        return model.Region(name='region%d' % number,
                            interface_id=interface_id, health_reason=problem)

    def _manager(self):
        """``(vendor, board, problem)`` from the host's one SoC manager."""
        managers = [path for _, path in self._not_pci('fpga_manager', 'fpga')]
        if len(managers) != 1:
            return 'unknown', 'unknown', (
                'no fpga_manager found' if not managers else None)
        path = managers[0]
        try:
            name = sysfs.read(os.path.join(path, 'name'))
            state = sysfs.read(os.path.join(path, 'state'))
        except sysfs.Unreadable as e:
            return 'unknown', 'unknown', 'fpga_manager unreadable: %s' % e
        vendor, board = boards.MANAGERS.get(
            name, ('unknown', name.lower().replace(' ', '_')))
        problem = None
        if 'error' in state:
            problem = '%s is in state "%s"' % (os.path.basename(path), state)
        return vendor, board, problem
