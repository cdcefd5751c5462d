"""Reading sysfs attributes the way the FPGA and PCI drivers write them.

Every read failure becomes :class:`Unreadable` with a reason a person can act
on; discovery turns those into a health reason rather than a traceback.
A file of NUL bytes counts as unreadable: that is how sysfs captures record an
attribute whose read failed on the real host.
"""

import contextlib
import dataclasses
import errno
import functools
import os
import re
import threading
import typing as ty

ALL_F = 'f' * 32
_PCI_ADDRESS = re.compile(
    r'^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$')
_HEX_ID = re.compile(r'^[0-9a-f]{32}$')


class Unreadable(Exception):
    def __init__(self, path, reason):
        super().__init__('%s: %s' % (path, reason))
        self.path = path
        self.reason = reason


class Missing(Unreadable):
    """The attribute does not exist (ENOENT)."""


def _read_text(path):
    # One read(2) is what an attribute takes; io's layers are most of the
    # cost of a small read.
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            data = os.read(fd, 65536)
        finally:
            os.close(fd)
    except OSError as e:
        reason = os.strerror(e.errno) if e.errno else str(e)
        if e.errno == errno.ENOENT:
            raise Missing(path, reason) from None
        raise Unreadable(path, reason) from None
    text = data.replace(b'\0', b'').decode('utf-8', 'replace').strip()
    if data and not text:
        raise Unreadable(path, 'read failed (no data)')
    return text


def read(path):
    """Return the first line of a sysfs attribute, stripped."""
    text = _read_text(path)
    return text.splitlines()[0].strip() if text else ''


def read_lines(path):
    """All non-empty lines of a multi-line attribute (interface_uuids)."""
    return [line.strip() for line in _read_text(path).splitlines()
            if line.strip()]


def read_int(path, base=10):
    text = read(path)
    try:
        return int(text, base)
    except ValueError:
        raise Unreadable(path, 'not a number: %r' % text) from None


def normalize_id(text):
    """An interface or function id as 32 lowercase hex digits.

    Accepts the kernel's form (32 hex), dashed UUIDs (GBS, xclbin) and a
    ``0x`` prefix. Raises ValueError for anything else.
    """
    value = text.strip().lower().replace('-', '')
    if value.startswith('0x'):
        value = value[2:]
    if not _HEX_ID.match(value):
        raise ValueError('not a 32-digit hex id: %r' % text)
    return value


def read_id(path, what):
    """Return ``(id, problem)``: a normalised id, or None and why not."""
    try:
        text = read(path)
    except Unreadable as e:
        return None, '%s unreadable: %s' % (what, e.reason)
    try:
        value = normalize_id(text)
    except ValueError:
        return None, '%s is not a 32-digit id: %r' % (what, text)
    if value == ALL_F:
        return None, '%s reads all f (card not responding)' % what
    return value, None


def is_pci_address(name):
    return bool(_PCI_ADDRESS.match(name))


def _last_pci_address(path):
    for part in reversed(path.split(os.sep)):
        if is_pci_address(part):
            return part.lower()
    return None


def pci_address_of(path):
    """The last PCI address on the real path of a sysfs directory."""
    # Class entries are links into devices/ whose target names the
    # addresses; resolving every component is needed only otherwise.
    try:
        address = _last_pci_address(os.readlink(path))
    except OSError:
        address = None
    return address or _last_pci_address(os.path.realpath(path))


def link_name(path):
    """The last component a symlink points to, or None if it is not one."""
    try:
        return os.path.basename(os.readlink(path))
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
                for prefix in prefixes:
                    if not name.startswith(prefix):
                        continue
                    suffix = name[len(prefix):]
                    try:
                        if suffix.isdigit() and entry.is_dir():
                            found[prefix].append((int(suffix), entry.path))
                    except OSError:
                        pass
    except OSError:
        pass
    return {prefix: sorted(paths) for prefix, paths in found.items()}


_run = threading.local()


@contextlib.contextmanager
def one_reading():
    """Within it, each PCI function is read once, whoever asks.

    A discovery run holds one: every backend looks at the same PCI
    devices, and nothing there changes in the milliseconds a run takes.
    """
    if getattr(_run, 'memo', None) is not None:
        yield
        return
    _run.memo = {}
    try:
        yield
    finally:
        _run.memo = None


def _once_per_reading(func):
    @functools.wraps(func)
    def wrapper(*args):
        memo = getattr(_run, 'memo', None)
        if memo is None:
            return func(*args)
        key = (func.__name__,) + args
        if key not in memo:
            memo[key] = func(*args)
        return memo[key]
    return wrapper


@dataclasses.dataclass(frozen=True)
class PciFunction:
    address: str
    vendor_id: ty.Optional[str]
    device_id: ty.Optional[str]
    subsystem_device_id: ty.Optional[str]
    numa_node: ty.Optional[int]
    physfn: ty.Optional[str]
    virtfns: ty.Tuple[str, ...]
    driver: ty.Optional[str]
    problem: ty.Optional[str]


def _hex16(path):
    return '%04x' % read_int(path, 16)


@_once_per_reading
def pci_vendor_id(sysfs_root, address):
    """Just the vendor id, to pass over other vendors' devices cheaply."""
    path = os.path.join(sysfs_root, 'bus', 'pci', 'devices', address,
                        'vendor')
    try:
        return _hex16(path)
    except Unreadable:
        return None


@_once_per_reading
def pci_function(sysfs_root, address):
    """What discovery needs of one PCI function, tolerating missing files.

    Captures leave out ``driver`` links and some attributes, so only an
    unreadable vendor or device id is a problem.
    """
    base = os.path.join(sysfs_root, 'bus', 'pci', 'devices', address)
    problem = None
    ids = {}
    for attr in ('vendor', 'device', 'subsystem_device'):
        try:
            ids[attr] = _hex16(os.path.join(base, attr))
        except Unreadable as e:
            ids[attr] = None
            if attr != 'subsystem_device' and problem is None:
                problem = 'PCI %s id unreadable: %s' % (attr, e.reason)
    try:
        numa = read_int(os.path.join(base, 'numa_node'))
    except Unreadable:
        numa = None
    # The kernel numbers VFs from 0: without virtfn0 there is no VF, and
    # most functions have none, so their directory is not listed.
    virtfns = ()
    if os.path.lexists(os.path.join(base, 'virtfn0')):
        virtfns = tuple(link_name(path)
                        for _, path in numbered(base, 'virtfn'))
    return PciFunction(
        address=address,
        vendor_id=ids['vendor'],
        device_id=ids['device'],
        subsystem_device_id=ids['subsystem_device'],
        numa_node=numa if numa is not None and numa >= 0 else None,
        physfn=link_name(os.path.join(base, 'physfn')),
        virtfns=virtfns,
        driver=link_name(os.path.join(base, 'driver')),
        problem=problem)


@_once_per_reading
def pci_addresses(sysfs_root):
    try:
        names = os.listdir(os.path.join(sysfs_root, 'bus', 'pci', 'devices'))
    except OSError:
        return ()
    return tuple(sorted(n.lower() for n in names if is_pci_address(n)))
