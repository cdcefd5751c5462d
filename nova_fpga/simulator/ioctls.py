"""The FME and port ioctls of the DFL and intel-fpga drivers.

Arguments and results behave like ``fcntl.ioctl``: a buffer stands for a
pointer to a struct (a bytearray is updated in place, bytes give a copy
back), an int is passed as is. Checks come in the drivers' order.
"""

import ctypes
import errno
import os
import struct
import time

from nova_fpga.simulator import faults
from nova_fpga.simulator import fme_port
from nova_fpga.simulator import images
from nova_fpga.simulator import kinds

DFL_FPGA_PORT_RESET = 0xB640
DFL_FPGA_FME_PORT_PR = 0xB680
DFL_FPGA_FME_PORT_RELEASE = 0x4004B681
DFL_FPGA_FME_PORT_ASSIGN = 0x4004B682
FPGA_PORT_RESET = 0xB540
FPGA_FME_PORT_PR = 0xB580
FPGA_FME_PORT_RELEASE = 0xB581
FPGA_FME_PORT_ASSIGN = 0xB582

# argsz, flags, port_id, buffer_size, buffer_address (raw bitstream)
DFL_PORT_PR = struct.Struct('<IIIIQ')
# The same, then status: the PR error bits after -EIO.
FPGA_PORT_PR = struct.Struct('<IIIIQQ')
# Release and assign: DFL takes an int, intel-fpga argsz, flags, port_id.
DFL_PORT_ID = struct.Struct('<i')
FPGA_PORT_ID = struct.Struct('<III')


RELEASE = {kinds.DFL: DFL_FPGA_FME_PORT_RELEASE,
           kinds.INTEL_FPGA: FPGA_FME_PORT_RELEASE}
ASSIGN = {kinds.DFL: DFL_FPGA_FME_PORT_ASSIGN,
          kinds.INTEL_FPGA: FPGA_FME_PORT_ASSIGN}


def port_id_arg(family, port_id):
    """The argument of a release or assign request."""
    if family == kinds.DFL:
        return DFL_PORT_ID.pack(port_id)
    return FPGA_PORT_ID.pack(FPGA_PORT_ID.size, 0, port_id)


def call(kernel, dev_path, request, arg):
    if not os.path.lexists(dev_path):
        raise faults.error(errno.ENOENT)
    with kernel.transaction(write=False) as data:
        owner = kernel.node_owner(data, os.path.basename(dev_path))
    if owner is None:
        raise faults.error(errno.ENOTTY)
    card, port = owner
    family = kinds.KINDS[card['kind']].family
    handler = (_PORT_IOCTLS if port else _FME_IOCTLS).get((family, request))
    if handler is None:
        # Both drivers end their ioctl dispatch with -EINVAL.
        raise faults.error(errno.EINVAL)
    return handler(kernel, card['address'], family, arg)


def _buffer(arg, size):
    """The struct behind a pointer argument."""
    if isinstance(arg, int):
        raise faults.error(errno.EFAULT)
    data = bytes(arg)
    if len(data) < size:
        raise faults.error(errno.EFAULT)
    return data


def _reply(arg, data):
    """What fcntl.ioctl gives back once the driver wrote ``data``."""
    if isinstance(arg, bytearray):
        arg[:len(data)] = data
        return 0
    return data + bytes(arg)[len(data):]


def _locked_card(kernel, data, address):
    try:
        card = kernel.card(data, address)
    except ValueError:
        raise faults.error(errno.ENODEV) from None
    return card, kernel.layout(card)


def _port_id(family, arg):
    if family == kinds.DFL:
        raw = _buffer(arg, DFL_PORT_ID.size)
        return DFL_PORT_ID.unpack_from(raw)[0], raw
    raw = _buffer(arg, FPGA_PORT_ID.size)
    argsz, flags, port_id = FPGA_PORT_ID.unpack_from(raw)
    if argsz < FPGA_PORT_ID.size or flags:
        raise faults.error(errno.EINVAL)
    return port_id, raw


def _port(card, port_id):
    if not 0 <= port_id < len(card['ports']):
        raise faults.error(errno.ENODEV)
    return card['ports'][port_id]


def release(kernel, address, family, arg):
    """The port's device vanishes; PR through the FME still works."""
    port_id, raw = _port_id(family, arg)
    with kernel.transaction() as data:
        card, layout = _locked_card(kernel, data, address)
        port = _port(card, port_id)
        if port['released']:
            raise faults.error(errno.EBUSY)
        faults.check(card, 'release')
        layout.remove_port(card, port)
        port['released'] = True
    return _reply(arg, raw)


def assign(kernel, address, family, arg):
    port_id, raw = _port_id(family, arg)
    with kernel.transaction() as data:
        card, layout = _locked_card(kernel, data, address)
        port = _port(card, port_id)
        if not port['released']:
            raise faults.error(errno.EBUSY)
        faults.check(card, 'assign')
        port['released'] = False
        layout.add_port(card, port)
    return _reply(arg, raw)


def reset(kernel, address, family, arg):
    if not isinstance(arg, int) or arg:
        raise faults.error(errno.EINVAL)
    # Written back: a fault taken counts down.
    with kernel.transaction() as data:
        card, _ = _locked_card(kernel, data, address)
        faults.check(card, 'reset')
        if card['crashed']:
            # The port never acknowledges the soft reset.
            raise faults.error(errno.ETIMEDOUT)
    return 0


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def partial_reconfigure(kernel, address, family, arg):
    """Program a port's PR region with a raw payload.

    Takes ``pr_seconds``, during which the port's afu_id is unreadable and
    any other PR on the card fails with EBUSY (the region and manager are
    try-locked, not queued).
    """
    layout_struct = DFL_PORT_PR if family == kinds.DFL else FPGA_PORT_PR
    raw = _buffer(arg, layout_struct.size)
    argsz, flags, port_id, size, pointer = layout_struct.unpack_from(raw)[:5]
    with kernel.transaction(write=False) as data:
        card, _ = _locked_card(kernel, data, address)
        kind = kinds.KINDS[card['kind']]
    # Without a PR sub-feature no driver code handles the request.
    if (not kind.has_pr or argsz < layout_struct.size or flags
            or port_id >= kind.ports_num):
        raise faults.error(errno.EINVAL)
    if size and not pointer:
        raise faults.error(errno.EFAULT)
    payload = ctypes.string_at(pointer, size) if size else b''
    with kernel.transaction() as data:
        card, layout = _locked_card(kernel, data, address)
        if card['busy'] and _alive(card['busy'][0]):
            raise faults.error(errno.EBUSY)
        card['pr_error'] = None
        err = faults.take(card, 'pr')
        if err is None and card['crashed']:
            # Disabling the port (the FME bridge) times out.
            err = errno.ETIMEDOUT
        if err is not None:
            card['pr_error'] = 'operation' if err == errno.EIO else None
            layout.refresh(card)
            _fail(kernel, family, arg, raw, card, err)
        card['busy'] = [os.getpid(), port_id]
        layout.refresh(card)
        seconds = data['pr_seconds']
    time.sleep(seconds)
    with kernel.transaction() as data:
        card, layout = _locked_card(kernel, data, address)
        card['busy'] = None
        ids = images.read_raw_payload(payload)
        if ids is None:
            card['pr_error'] = 'operation'
        elif ids[0] != kinds.INTERFACE_IDS[card['kind']]:
            card['pr_error'] = 'incompatible'
        else:
            card['ports'][port_id]['function_id'] = ids[1]
        layout.refresh(card)
        if card['pr_error']:
            _fail(kernel, family, arg, raw, card, errno.EIO)
    if family == kinds.DFL:
        return _reply(arg, raw)
    kernel.last_pr_status = 0
    return _reply(arg, raw[:24] + struct.pack('<Q', 0))


def _fail(kernel, family, arg, raw, card, err):
    """Raise ``err``; intel-fpga first copies the status bits back.

    Like fcntl.ioctl, only a mutable buffer sees them; the host keeps
    them in ``last_pr_status`` too.
    """
    if family == kinds.INTEL_FPGA:
        error = card['pr_error']
        status = fme_port.PR_ERRORS[error][1] if error else 0
        kernel.last_pr_status = status
        _reply(arg, raw[:24] + struct.pack('<Q', status))
    raise faults.error(err)


_FME_IOCTLS = {
    (kinds.DFL, DFL_FPGA_FME_PORT_PR): partial_reconfigure,
    (kinds.DFL, DFL_FPGA_FME_PORT_RELEASE): release,
    (kinds.DFL, DFL_FPGA_FME_PORT_ASSIGN): assign,
    (kinds.INTEL_FPGA, FPGA_FME_PORT_PR): partial_reconfigure,
    (kinds.INTEL_FPGA, FPGA_FME_PORT_RELEASE): release,
    (kinds.INTEL_FPGA, FPGA_FME_PORT_ASSIGN): assign,
}
_PORT_IOCTLS = {
    (kinds.DFL, DFL_FPGA_PORT_RESET): reset,
    (kinds.INTEL_FPGA, FPGA_PORT_RESET): reset,
}
