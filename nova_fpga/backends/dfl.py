"""Upstream Linux DFL (dfl-pci): PAC, D5005, N3000, N5010, N6000, C6100.

Base regions under /sys/class/fpga_region hold dfl-fme.N and dfl-port.M;
each port's interface id is the compat_id of the FME's PR region
``dfl-fme-region.K/fpga_region/regionP``. Region numbers are global and
interleaved, so regions are matched by nesting, never by number. PR regions
and the bare base regions of a card's other functions hold neither FME nor
port and are passed over.

Programming uses the ioctls of include/uapi/linux/fpga-dfl.h.
"""

import os
import struct

from nova_fpga.backends import fme_port
from nova_fpga.catalog import boards
from nova_fpga import privsep
from nova_fpga.privsep import kernel
from nova_fpga import sysfs

FME_PORT_PR = 0xB680
FME_PORT_RELEASE = 0x4004B681
FME_PORT_ASSIGN = 0x4004B682
PORT_RESET = 0xB640
# struct dfl_fpga_fme_port_pr: argsz, flags, port_id, buffer_size,
# buffer_address (of the raw payload).
PORT_PR_ARG = struct.Struct('<IIIIQ')
# Release and assign take a pointer to the port id.
PORT_ID_ARG = struct.Struct('<i')
FME_PREFIX = 'dfl-fme.'
PORT_PREFIX = 'dfl-port.'
# In a class link's target: ``.../dfl-fme.N/dfl-fme-region.K/fpga_region/
# regionP`` is a PR region.
PR_PREFIX = 'dfl-fme-region.'
PR_DEVICE = '/' + PR_PREFIX


@sysfs.once_per_reading
def pr_regions(sysfs_root):
    """``{FME path: [(P, class path of regionP)]}`` in the kernel's order.

    The class links say which FME each PR region is under, so no FME is
    listed to find them: the PR device ``dfl-fme-region.K`` of an FME and
    the region below it, sorted by K, then P.
    """
    regions = sysfs.class_devices(sysfs_root, 'fpga_region', 'region')
    bases = {target: path for _, path, target, _ in regions if target}
    held = []
    for number, path, target, _ in regions:
        if PR_DEVICE not in target:
            continue
        holder, _, below = target.partition(PR_DEVICE)
        base, _, fme = holder.rpartition('/')
        index = below.split('/', 1)[0]
        if base in bases and index.isdigit():
            held.append((bases[base] + '/' + fme, int(index), number, path))
    found = {}
    for fme, _, number, path in sorted(held):
        found.setdefault(fme, []).append((number, path))
    return found


def unlinked_pr_regions(fme_path):
    """``[(P, path of regionP)]`` of the PR devices under an FME.

    Kernels before the PR regions were linked under /sys/class/fpga_region
    (OPAE's dfl0 patch sets, early D5005 and N3000 drivers) show them only
    there, as OPAE finds them: ``dfl-fme-region.K/fpga_region/regionP``.
    """
    return [(number, path)
            for _, pr_device in sysfs.numbered(fme_path, PR_PREFIX)
            for number, path in sysfs.numbered(
                os.path.join(pr_device, 'fpga_region'), 'region')]


@privsep.sys_admin_pctxt.entrypoint
def port_pr(fme_node, port, bitstream_path, payload_offset):
    fme_port.check_node(fme_node, FME_PREFIX)
    with fme_port.mapped_payload(bitstream_path, payload_offset) as (
            address, size):
        kernel.ioctl(fme_node, FME_PORT_PR, PORT_PR_ARG.pack(
            PORT_PR_ARG.size, 0, port, size, address))


@privsep.sys_admin_pctxt.entrypoint
def release_port(fme_node, port):
    fme_port.check_node(fme_node, FME_PREFIX)
    kernel.ioctl(fme_node, FME_PORT_RELEASE, PORT_ID_ARG.pack(port))


@privsep.sys_admin_pctxt.entrypoint
def assign_port(fme_node, port):
    fme_port.check_node(fme_node, FME_PREFIX)
    kernel.ioctl(fme_node, FME_PORT_ASSIGN, PORT_ID_ARG.pack(port))


@privsep.sys_admin_pctxt.entrypoint
def reset_port(port_node):
    fme_port.check_node(port_node, PORT_PREFIX)
    kernel.ioctl(port_node, PORT_RESET, 0)


class DFLBackend(fme_port.FmePortBackend):
    family = 'dfl'
    vendor_ids = boards.family_vendors(family)
    pci_driver = 'dfl-pci'
    class_name = 'fpga_region'
    container_prefix = 'region'
    fme_prefix = FME_PREFIX
    port_prefix = PORT_PREFIX
    port_pr = staticmethod(port_pr)
    release_port = staticmethod(release_port)
    assign_port = staticmethod(assign_port)
    reset_port = staticmethod(reset_port)

    def holds_fme_or_port(self, target):
        return PR_DEVICE not in target

    def interface_ids(self, fme_path, ports_num):
        # One PR region per port; an FME without PR (C6100) has none.
        regions = (pr_regions(self.sysfs_root).get(fme_path) or
                   unlinked_pr_regions(fme_path))
        found = [sysfs.read_id(path + '/compat_id',
                               'compat_id of region%d' % number)
                 for number, path in regions]
        if found or not sysfs.numbered(fme_path, PR_PREFIX):
            return found
        # A PR device with no region under it: no id to trust.
        return [(None, 'no PR region under %s: its interface id cannot be '
                 'read' % os.path.join(fme_path, PR_PREFIX + 'N'))
                ] * (ports_num or 1)

    def pr_errors(self, fme_path):
        """The FME manager's status lines ("reconfig CRC error", ...)."""
        lines = []
        for _, mgr in sysfs.numbered(fme_path, 'dfl-fme-mgr.'):
            managers = sysfs.numbered(
                os.path.join(mgr, 'fpga_manager'), 'fpga')
            for _, manager in managers:
                try:
                    lines += sysfs.read_lines(
                        os.path.join(manager, 'status'))
                except sysfs.Unreadable:
                    pass
        return 'fpga_manager status: %s' % '; '.join(lines) if lines else None
