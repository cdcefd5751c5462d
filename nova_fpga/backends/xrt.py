"""AMD/Xilinx Alveo under XRT: xclmgmt manages, xocl serves the guest.

The management function (PF0) stays in the host and programs the card; the
user function (PF1) is what a guest receives. Each card has one dynamic
region, named ``slot0``.

An xclbin is loaded whole (the driver reads its header) with ``xbmgmt
program --user`` on the management function.
"""

import os

from nova_fpga.backends import base
from nova_fpga.catalog import boards
from nova_fpga import model
from nova_fpga import privsep
from nova_fpga.privsep import kernel
from nova_fpga import sysfs

_NOTHING_LOADED = '0' * 32
# What mgmt_reset resets: 1 hot reset (whole card), 2 the dynamic region.
_DYNAMIC_REGION_RESET = 2


@privsep.sys_admin_pctxt.entrypoint
def xbmgmt_program(sysfs_root, mgmt_address, xclbin_path, timeout):
    base.check_pci_address(mgmt_address)
    return kernel.execute(
        sysfs_root, kernel.tool_path('xbmgmt'), 'program', '--device',
        mgmt_address, '--user', xclbin_path, timeout=timeout)


@privsep.sys_admin_pctxt.entrypoint
def reset_dynamic_region(sysfs_root, mgmt_address):
    base.check_pci_address(mgmt_address)
    kernel.write_attr(os.path.join(
        sysfs_root, 'bus', 'pci', 'devices', mgmt_address, 'mgmt_reset'),
        _DYNAMIC_REGION_RESET)


def user_function(address):
    """The user PF sits next to the management PF: same slot, function+1."""
    return '%s%d' % (address[:-1], int(address[-1]) + 1)


class XRTBackend(base.Backend):
    family = 'xrt'
    # Every PCI function's vendor is looked up here at each discovery.
    vendor_ids = boards.family_vendors(family)

    def discover(self):
        devices = []
        for address, ids in sysfs.pci_ids(self.sysfs_root).items():
            if ids.vendor_id not in self.vendor_ids:
                continue
            # The ids tell the management function; the user function next
            # to it is not read whole.
            board = boards.identify(ids.vendor_id, ids.device_id)
            if board and self.family in board.families:
                devices.append(self._device(
                    sysfs.pci_function(self.sysfs_root, address), board))
        return devices

    def _device(self, mgmt, board):
        path = sysfs.pci_dir(self.sysfs_root, mgmt.address)
        problem = mgmt.problem
        regions = ()
        if not os.path.lexists(path + '/mgmt_pf'):
            driver = sysfs.pci_driver(self.sysfs_root, mgmt.address)
            problem = problem or (
                'bound to %s, not xclmgmt' % driver if driver
                else 'xclmgmt driver not bound')
        else:
            problem = problem or self._not_ready(path)
            regions = (self._region(path, mgmt.address),)
        return model.Device(
            address=mgmt.address,
            vendor=boards.vendor_name(mgmt.vendor_id),
            family=self.family,
            board=board.name,
            vendor_id=mgmt.vendor_id,
            device_id=mgmt.device_id,
            numa_node=mgmt.numa_node,
            regions=regions,
            health_reason=problem,
            **boards.memory(board.name))

    @staticmethod
    def _not_ready(path):
        try:
            ready = sysfs.read_int(path + '/ready', 0)
        except sysfs.Unreadable as e:
            return 'ready unreadable: %s' % e.reason
        return None if ready == 1 else 'management function not ready'

    def _region(self, path, address):
        interface_id, problem = self._interface_id(path)
        user = user_function(address)
        user_path = sysfs.pci_dir(self.sysfs_root, user)
        function_id = None
        if not os.path.lexists(user_path + '/user_pf'):
            problem = problem or (
                'user function %s missing or xocl not bound' % user)
        else:
            function_id, id_problem = sysfs.read_id(
                user_path + '/xclbinuuid', 'xclbinuuid')
            problem = problem or id_problem
            if function_id == _NOTHING_LOADED:
                function_id = None
        return model.Region(
            name='slot0',
            interface_id=interface_id,
            function_id=function_id,
            attach=(user,),
            attach_kind=model.PF,
            health_reason=problem)

    @staticmethod
    def _interface_id(path):
        """The last line of interface_uuids: the shell an xclbin must fit."""
        attr = path + '/interface_uuids'
        try:
            lines = sysfs.read_lines(attr)
        except sysfs.Unreadable as e:
            return None, 'interface_uuids unreadable: %s' % e.reason
        if not lines:
            return None, 'interface_uuids is empty'
        try:
            value = model.normalize_id(lines[-1])
        except ValueError as e:
            return None, 'interface_uuids: %s' % e
        if value == sysfs.ALL_F:
            return None, 'interface_uuids reads all f (card not responding)'
        return value, None

    def program(self, device, region, bitstream_path, header, timeout):
        base.run_tool('xbmgmt program --device %s --user %s' % (
            device.address, bitstream_path), xbmgmt_program, self.sysfs_root,
            device.address, bitstream_path, timeout=timeout)
        return self.rediscover(device, region)

    def reset(self, device, region):
        try:
            reset_dynamic_region(self.sysfs_root, device.address)
        except OSError as e:
            raise base.explain(
                'dynamic-region reset of %s' % device.address, e) from e
