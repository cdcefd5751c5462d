"""The legacy out-of-tree intel-fpga driver (intel-fpga-pci).

/sys/class/fpga/intel-fpga-dev.N holds intel-fpga-fme.N, whose
``pr/interface_id`` all its ports share, and intel-fpga-port.M.

Programming uses the ioctls of the driver's intel-fpga.h.
"""

import errno
import os
import struct

from nova_fpga.backends import fme_port
from nova_fpga.catalog import boards
from nova_fpga import privsep
from nova_fpga.privsep import kernel
from nova_fpga import sysfs

FME_PORT_PR = 0xB580
FME_PORT_RELEASE = 0xB581
FME_PORT_ASSIGN = 0xB582
PORT_RESET = 0xB540
# struct fpga_fme_port_pr: argsz, flags, port_id, buffer_size,
# buffer_address, status (error bits, written back on EIO).
PORT_PR_ARG = struct.Struct('<IIIIQQ')
# Release and assign: argsz, flags, port_id.
PORT_ID_ARG = struct.Struct('<III')
# The status bits, lowest first.
PR_STATUS = ('PR operation error', 'PR CRC error',
             'PR incompatible bitstream error', 'PR IP protocol error',
             'PR FIFO overflow error', 'PR timeout error',
             'PR secure load error')
FME_PREFIX = 'intel-fpga-fme.'
PORT_PREFIX = 'intel-fpga-port.'


def status_names(status):
    names = [name for bit, name in enumerate(PR_STATUS) if status >> bit & 1]
    unknown = status >> len(PR_STATUS) << len(PR_STATUS)
    if unknown:
        names.append('unknown status bits 0x%x' % unknown)
    return ', '.join(names) or 'no status bits set'


@privsep.sys_admin_pctxt.entrypoint
def port_pr(fme_node, port, bitstream_path, payload_offset):
    fme_port.check_node(fme_node, FME_PREFIX)
    with fme_port.mapped_payload(bitstream_path, payload_offset) as (
            address, size):
        # Mutable, so that the status the driver writes back is seen.
        arg = bytearray(PORT_PR_ARG.pack(
            PORT_PR_ARG.size, 0, port, size, address, 0))
        try:
            kernel.ioctl(fme_node, FME_PORT_PR, arg)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            status = PORT_PR_ARG.unpack(arg)[5]
            raise OSError(errno.EIO, '%s: %s' % (
                e.strerror, status_names(status))) from None


def _port_id(port):
    return PORT_ID_ARG.pack(PORT_ID_ARG.size, 0, port)


@privsep.sys_admin_pctxt.entrypoint
def release_port(fme_node, port):
    fme_port.check_node(fme_node, FME_PREFIX)
    kernel.ioctl(fme_node, FME_PORT_RELEASE, _port_id(port))


@privsep.sys_admin_pctxt.entrypoint
def assign_port(fme_node, port):
    fme_port.check_node(fme_node, FME_PREFIX)
    kernel.ioctl(fme_node, FME_PORT_ASSIGN, _port_id(port))


@privsep.sys_admin_pctxt.entrypoint
def reset_port(port_node):
    fme_port.check_node(port_node, PORT_PREFIX)
    kernel.ioctl(port_node, PORT_RESET, 0)


class IntelFPGABackend(fme_port.FmePortBackend):
    family = 'intel_fpga'
    vendor_ids = boards.family_vendors(family)
    pci_driver = 'intel-fpga-pci'
    class_name = 'fpga'
    container_prefix = 'intel-fpga-dev.'
    fme_prefix = FME_PREFIX
    port_prefix = PORT_PREFIX
    port_pr = staticmethod(port_pr)
    release_port = staticmethod(release_port)
    assign_port = staticmethod(assign_port)
    reset_port = staticmethod(reset_port)

    def interface_ids(self, fme_path, ports_num):
        if not ports_num:
            return []
        pr_dir = fme_path + '/pr'
        interface = sysfs.read_id(pr_dir + '/interface_id', 'pr/interface_id')
        # Read first: an FME that cannot reconfigure has no pr/ at all.
        if interface[0] is None and not os.path.isdir(pr_dir):
            return []
        return [interface] * ports_num
