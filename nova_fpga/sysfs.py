"""Reading sysfs attributes the way the FPGA and PCI drivers write them.

Every read failure becomes :class:`Unreadable` with a reason a person can act
on; discovery turns those into a health reason rather than a traceback.
A file of NUL bytes counts as unreadable: that is how sysfs captures record an
attribute whose read failed on the real host.
"""

import contextlib
import errno
import functools
import os
import re
import threading
import typing as ty

from nova_fpga import model

ALL_F = 'f' * 32
_ALL_F_BYTES = ALL_F.encode()
_DIGITS = '0123456789'
# The last PCI address among a path's components (the match is greedy).
_PCI_ADDRESS_IN_PATH = re.compile(
    r'(?:.*/)?([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])(?=/|$)')
# An id attribute as the kernel writes it (32 lowercase hex digits).
_KERNEL_ID = re.compile(rb'([0-9a-f]{32})\n?')


class Unreadable(Exception):
    def __init__(self, path, reason):
        super().__init__('%s: %s' % (path, reason))
        self.path = path
        self.reason = reason


class Missing(Unreadable):
    """The attribute does not exist (ENOENT)."""


def _unreadable(path, error):
    reason = os.strerror(error.errno) if error.errno else str(error)
    if error.errno == errno.ENOENT:
        return Missing(path, reason)
    return Unreadable(path, reason)


def _read_bytes(path):
    # One read(2) is what an attribute takes; io's layers are most of the
    # cost of a small read.
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            return os.read(fd, 65536)
        finally:
            os.close(fd)
    except OSError as e:
        raise _unreadable(path, e) from None


def _text(path, data):
    text = data.replace(b'\0', b'').decode('utf-8', 'replace').strip()
    if data and not text:
        raise Unreadable(path, 'read failed (no data)')
    return text


def _first_line(path, data):
    return _text(path, data).partition('\n')[0].strip()


def read(path):
    """Return the first line of a sysfs attribute, stripped."""
    return _first_line(path, _read_bytes(path))


def read_lines(path):
    """All non-empty lines of a multi-line attribute (interface_uuids)."""
    text = _text(path, _read_bytes(path))
    return [line.strip() for line in text.splitlines() if line.strip()]


def read_int(path, base=10):
    # As _read_bytes, in place: discovery reads most attributes here.
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            data = os.read(fd, 65536)
        finally:
            os.close(fd)
    except OSError as e:
        raise _unreadable(path, e) from None
    try:
        # int() takes the bytes, surrounding whitespace and all.
        return int(data, base)
    except ValueError:
        pass
    text = _first_line(path, data)
    try:
        return int(text, base)
    except ValueError:
        raise Unreadable(path, 'not a number: %r' % text) from None


def read_id(path, what):
    """Return ``(id, problem)``: a normalised id, or None and why not."""
    try:
        data = _read_bytes(path)
    except Unreadable as e:
        return None, '%s unreadable: %s' % (what, e.reason)
    return _id(path, data, what)


def read_optional_id(path, what):
    """As read_id, but ``(None, None)`` where the attribute does not exist.

    Trying the read costs less than asking first whether it exists.
    """
    try:
        data = _read_bytes(path)
    except Missing:
        return None, None
    except Unreadable as e:
        return None, '%s unreadable: %s' % (what, e.reason)
    return _id(path, data, what)


def _id(path, data, what):
    # An id as the kernel writes it needs no more than its digits.
    found = _KERNEL_ID.fullmatch(data)
    if found and found.group(1) != _ALL_F_BYTES:
        return found.group(1).decode(), None
    try:
        return parse_id(_first_line(path, data), what)
    except Unreadable as e:
        return None, '%s unreadable: %s' % (what, e.reason)


def parse_id(text, what):
    """``(id, problem)`` of the text of an id attribute."""
    try:
        value = model.normalize_id(text)
    except ValueError:
        return None, '%s is not a 32-digit id: %r' % (what, text)
    if value == ALL_F:
        return None, '%s reads all f (card not responding)' % what
    return value, None


def _last_pci_address(path):
    found = _PCI_ADDRESS_IN_PATH.match(path)
    return found.group(1).lower() if found else None


def pci_address_of(path, target=None):
    """The last PCI address on the real path of a sysfs directory.

    ``target`` is the path's link target where it is already known.
    """
    # Class entries are links into devices/ whose target names the
    # addresses; resolving every component is needed only otherwise.
    if target is None:
        try:
            target = os.readlink(path)
        except OSError:
            target = ''
    return (_last_pci_address(target) or
            _last_pci_address(os.path.realpath(path)))


def link_name(path):
    """The last component a symlink points to, or None if it is not one."""
    try:
        return os.readlink(path).rpartition('/')[2]
    except OSError:
        return None


def numbered(directory, prefix):
    """``(n, path)`` for directories named ``<prefix><n>``, sorted by n.

    Entries that are not directories (dangling links, stray files) are
    passed over.
    """
    return numbered_groups(directory, (prefix,))[prefix]


def numbered_groups(directory, prefixes):
    """``{prefix: numbered(directory, prefix)}``, listing it once."""
    found = {prefix: [] for prefix in prefixes}
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                name = entry.name
                prefix = name.rstrip(_DIGITS)
                held = found.get(prefix)
                if held is None or prefix == name:
                    continue
                try:
                    if entry.is_dir():
                        held.append((int(name[len(prefix):]), entry.path))
                except OSError:
                    pass
    except OSError:
        pass
    for paths in found.values():
        paths.sort()
    return found


class _Reading(threading.local):
    memo = None


_run = _Reading()
_UNREAD = object()


@contextlib.contextmanager
def one_reading():
    """Within it, PCI ids and links and class listings are read once.

    Whoever asks: pci_ids, pci_driver, pci_physfn, class_devices and the
    like are answered from what the reading read first.

    A discovery run holds one: every backend looks at the same PCI
    devices, and nothing there changes in the milliseconds a run takes.
    """
    if _run.memo is not None:
        yield
        return
    _run.memo = {}
    try:
        yield
    finally:
        _run.memo = None


def once_per_reading(func):
    """``func``'s result for the same arguments, once within one_reading."""
    @functools.wraps(func)
    def wrapper(*args):
        memo = _run.memo
        if memo is None:
            return func(*args)
        key = (func, args)
        value = memo.get(key, _UNREAD)
        if value is _UNREAD:
            value = memo[key] = func(*args)
        return value
    return wrapper


@once_per_reading
def class_devices(sysfs_root, class_name, prefix):
    """``(n, path, target, address)`` of each ``<prefix><n>`` of a class.

    Sorted by n. Class entries are links into devices/, and ``target`` is
    what one says ('' for a directory that is no link); ``address`` is the
    PCI function the entry is under, or None. The links are read, not
    followed: a dangling one finds nothing when its directory is listed or
    read.
    """
    found = []
    try:
        with os.scandir(os.path.join(sysfs_root, 'class',
                                     class_name)) as entries:
            for entry in entries:
                name = entry.name
                if name.rstrip(_DIGITS) != prefix or name == prefix:
                    continue
                try:
                    target = os.readlink(entry.path)
                except OSError:
                    # Not a link (captures): a directory is taken as is.
                    if not _is_dir(entry):
                        continue
                    target = ''
                found.append((int(name[len(prefix):]), entry.path, target,
                              pci_address_of(entry.path, target)))
    except OSError:
        pass
    return sorted(found)


def _is_dir(entry):
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


class PciFunction(ty.NamedTuple):
    address: str
    vendor_id: ty.Optional[str]
    device_id: ty.Optional[str]
    subsystem_device_id: ty.Optional[str]
    numa_node: ty.Optional[int]
    virtfns: ty.Tuple[str, ...]
    problem: ty.Optional[str]


def pci_dir(sysfs_root, address):
    """The directory of a PCI function (joined plainly: it is asked often)."""
    return '%s/bus/pci/devices/%s' % (sysfs_root, address)


class PciIds(ty.NamedTuple):
    vendor_id: ty.Optional[str]
    device_id: ty.Optional[str]
    # Why the vendor or device id cannot be read, or None.
    problem: ty.Optional[str]


def _hex_id(path):
    """``(id, reason)``: a hex id as 4 digits, or None and why not."""
    try:
        return '%04x' % read_int(path, 16), None
    except Unreadable as e:
        return None, e.reason


def _read_ids(base):
    try:
        vendor_id = '%04x' % read_int(base + '/vendor', 16)
    except Unreadable as e:
        return PciIds(None, _hex_id(base + '/device')[0],
                      'PCI vendor id unreadable: %s' % e.reason)
    try:
        device_id = '%04x' % read_int(base + '/device', 16)
    except Unreadable as e:
        return PciIds(vendor_id, None,
                      'PCI device id unreadable: %s' % e.reason)
    return PciIds(vendor_id, device_id, None)


@once_per_reading
def pci_ids(sysfs_root):
    """``{address: PciIds}`` of every PCI function, in address order.

    Every backend looks for its devices by these ids among all functions:
    they are read once a run, for all at once.
    """
    devices = pci_dir(sysfs_root, '')
    return {address: _read_ids(devices + address)
            for address in pci_addresses(sysfs_root)}


def pci_class(sysfs_root, address):
    """The function's class code (base class and subclass), or None."""
    try:
        return read_int('%s/bus/pci/devices/%s/class' % (
            sysfs_root, address), 16) >> 8
    except Unreadable:
        return None


@once_per_reading
def pci_driver(sysfs_root, address):
    """The driver bound to a PCI function, or None.

    Links are read only when asked: a card whose FME was found needs
    neither its driver nor its physfn.
    """
    return link_name(pci_dir(sysfs_root, address) + '/driver')


@once_per_reading
def pci_physfn(sysfs_root, address):
    """The PF of a VF, or None for a PF."""
    return link_name(pci_dir(sysfs_root, address) + '/physfn')


def _virtfns(base):
    # The kernel numbers a function's VFs from 0 without gaps, so the
    # links are read in turn until one is missing; most functions have none.
    found = []
    try:
        while True:
            found.append(os.readlink(
                '%s/virtfn%d' % (base, len(found))).rpartition('/')[2])
    except OSError:
        return tuple(found)


def pci_function(sysfs_root, address):
    """What discovery needs of one PCI function, tolerating missing files.

    Captures leave out ``driver`` links and some attributes, so only an
    unreadable vendor or device id is a problem.
    """
    base = pci_dir(sysfs_root, address)
    # Within a reading every function's ids are read already.
    ids = ((_run.memo is not None and pci_ids(sysfs_root).get(address)) or
           _read_ids(base))
    try:
        numa = read_int(base + '/numa_node')
    except Unreadable:
        numa = -1
    try:
        subsystem_device_id = '%04x' % read_int(
            base + '/subsystem_device', 16)
    except Unreadable:
        subsystem_device_id = None
    return PciFunction(
        address=address,
        vendor_id=ids.vendor_id,
        device_id=ids.device_id,
        subsystem_device_id=subsystem_device_id,
        numa_node=numa if numa >= 0 else None,
        virtfns=_virtfns(base),
        problem=ids.problem)


def pci_addresses(sysfs_root):
    try:
        names = os.listdir(pci_dir(sysfs_root, ''))
    except OSError:
        return ()
    return sorted([n.lower() for n in names if model.is_pci_address(n)])
