"""Cards managed through an FME and ports: upstream DFL and legacy intel-fpga.

Both drivers show one FME (management engine, on the PF) with ``ports_num``
ports; each port is one partial-reconfiguration region. A port stays on the
PF, or is released and carried by a VF. The two families differ only in
where these live in sysfs, so each subclass finds them and this module turns
them into the inventory and programs them.
"""

import abc
import contextlib
import ctypes
import errno
import mmap
import os
import typing as ty

from oslo_log import log as logging

from nova_fpga.backends import base
from nova_fpga.backends import exception
from nova_fpga.catalog import boards
from nova_fpga import model
from nova_fpga import privsep
from nova_fpga.privsep import kernel
from nova_fpga import sysfs

LOG = logging.getLogger(__name__)

# fpgaconf's exit codes (binaries/fpgaconf/fpgaconf.c).
FPGACONF_EXITS = {
    1: 'invalid arguments',
    2: 'the GBS file failed to load or validate',
    3: 'enumerating FPGA resources failed',
    4: 'no suitable slot: no region has the interface the GBS was built '
       'for',
    5: 'more than one suitable slot, or the reconfiguration failed',
}


class Fme(ty.NamedTuple):
    address: str
    ports_num: ty.Optional[int]
    # (id, problem) per port index; empty when the FME cannot reconfigure.
    interface_ids: ty.Tuple[ty.Tuple[ty.Optional[str], ty.Optional[str]],
                            ...] = ()
    problem: ty.Optional[str] = None


class Port(ty.NamedTuple):
    address: str
    port: int
    function_id: ty.Optional[str]
    problem: ty.Optional[str]


def read_fme(address, path, interface_ids):
    """The FME at ``path``; ``interface_ids(path, ports_num)`` reads those."""
    try:
        ports_num = sysfs.read_int(path + '/ports_num')
        problem = None
    except sysfs.Unreadable as e:
        ports_num = None
        problem = 'ports_num of %s unreadable: %s' % (
            os.path.basename(path), e.reason)
    return Fme(address, ports_num, tuple(interface_ids(path, ports_num)),
               problem)


def read_port(address, path, ordinal):
    """A port directory; ``ordinal`` stands in if its id cannot be read."""
    id_problem = None
    try:
        number = sysfs.read_int(path + '/id')
    except sysfs.Unreadable as e:
        number = ordinal
        id_problem = 'id of %s unreadable: %s' % (
            os.path.basename(path), e.reason)
    # A port without an AFU feature has no afu_id at all.
    function_id, problem = sysfs.read_optional_id(
        path + '/afu_id', 'afu_id')
    return Port(address, number, function_id, id_problem or problem)


def check_node(node, prefix):
    """Refuse to send a family's ioctls to any other device node."""
    name = os.path.basename(node)
    if not (name.startswith(prefix) and name[len(prefix):].isdigit()):
        raise OSError(errno.EINVAL, '%s is not a %sN device node' % (
            node, prefix))


@contextlib.contextmanager
def mapped_payload(path, offset):
    """``(address, size)`` of a bitstream file's bytes from ``offset`` on.

    The file is mapped privately and never written, so the kernel reads the
    page cache and no copy of a large bitstream is made.
    """
    with open(path, 'rb') as f:
        size = os.fstat(f.fileno()).st_size - offset
        if size <= 0:
            raise OSError(errno.EINVAL, '%s has no payload after byte %d' % (
                path, offset))
        mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    with mapping:
        start = ctypes.c_char.from_buffer(mapping, offset)
        try:
            yield ctypes.addressof(start), size
        finally:
            # The mapping cannot close while the buffer is exported.
            del start


@privsep.sys_admin_pctxt.entrypoint
def set_sriov_numvfs(sysfs_root, address, count):
    base.check_pci_address(address)
    kernel.write_attr(os.path.join(
        sysfs_root, 'bus', 'pci', 'devices', address, 'sriov_numvfs'),
        int(count))


@privsep.sys_admin_pctxt.entrypoint
def fpgaconf(sysfs_root, address, gbs_path, timeout):
    base.check_pci_address(address)
    return kernel.execute(sysfs_root, kernel.tool_path('fpgaconf'),
                          address, gbs_path, timeout=timeout)


@contextlib.contextmanager
def _undo_after(undo, *args):
    """Run ``undo(*args)`` on the way out.

    When an error is already on its way out, a failing undo is logged
    rather than hiding it.
    """
    try:
        yield
    except Exception:
        try:
            undo(*args)
        except Exception:
            LOG.exception('Could not undo after a failure')
        raise
    undo(*args)


def _call(what, func, *args):
    try:
        return func(*args)
    except OSError as e:
        raise base.explain(what, e) from e


class FmePortBackend(base.Backend, metaclass=abc.ABCMeta):
    """Subclasses say where FMEs and ports live and how interface ids read.

    FMEs and ports sit in container directories listed under
    ``/sys/class/<class_name>``, named ``<container_prefix>N``.
    """

    #: The PCI driver that creates the FME, for messages about unbound cards.
    pci_driver = None
    #: The vendor ids of the family's cards (boards.family_vendors).
    vendor_ids = frozenset()
    class_name = None
    container_prefix = None
    fme_prefix = None
    port_prefix = None

    @abc.abstractmethod
    def interface_ids(self, fme_path, ports_num):
        """``(id, problem)`` per port index of the FME at ``fme_path``."""

    # The family's privileged entry points, taking device node paths.

    @staticmethod
    @abc.abstractmethod
    def port_pr(fme_node, port, bitstream_path, payload_offset):
        """Partial reconfiguration of a port with the raw payload."""

    @staticmethod
    @abc.abstractmethod
    def release_port(fme_node, port):
        """Take the port from the PF so that a VF can carry it."""

    @staticmethod
    @abc.abstractmethod
    def assign_port(fme_node, port):
        """Give a released port back to the PF."""

    @staticmethod
    @abc.abstractmethod
    def reset_port(port_node):
        """Soft-reset the port's user logic."""

    def pr_errors(self, fme_path):
        """What the card tells about a PR that failed with EIO, or None."""
        return None

    def _containers(self):
        """``(PCI address, path)`` of the directories holding FMEs, ports."""
        for _, container, target, address in sysfs.class_devices(
                self.sysfs_root, self.class_name, self.container_prefix):
            if address is not None and self.holds_fme_or_port(target):
                yield address, container

    def holds_fme_or_port(self, target):
        """Whether a class entry, by its link target, may hold either."""
        return True

    def fmes_and_ports(self):
        """The FMEs, and the ports by the PCI function they are on."""
        fmes, ports = [], {}
        for address, container in self._containers():
            found = sysfs.numbered_groups(
                container, (self.fme_prefix, self.port_prefix))
            for _, path in found[self.fme_prefix]:
                fmes.append(read_fme(address, path, self.interface_ids))
            for ordinal, (_, path) in enumerate(found[self.port_prefix]):
                ports.setdefault(address, []).append(
                    read_port(address, path, ordinal))
        return fmes, ports

    def discover(self):
        with sysfs.one_reading():
            devices = self.managed()
            return devices + self.unmanaged(model.addresses(devices))

    def managed(self):
        fmes, ports = self.fmes_and_ports()
        return [self._device(fme, ports) for fme in fmes]

    def _device(self, fme, ports):
        pf = sysfs.pci_function(self.sysfs_root, fme.address)
        on_card = {}
        for address in (pf.address,) + pf.virtfns:
            for port in ports.get(address, ()):
                on_card[port.port] = port
        count = fme.ports_num
        if count is None:
            count = max(on_card) + 1 if on_card else 0
        released = [i for i in range(count) if i not in on_card]
        free_vfs = [vf for vf in pf.virtfns if vf not in ports]
        # Sysfs does not say which VF carries which released port; with one
        # port per card (all known boards) the pairing is exact.
        vf_of = dict(zip(released, free_vfs))
        interface_ids = fme.interface_ids
        regions = []
        for index in range(count):
            interface_id, interface_problem = (
                interface_ids[index] if index < len(interface_ids)
                else (None, None))
            port = on_card.get(index)
            if port is None:
                vf = vf_of.get(index)
                function_id = None
                attach, kind = ((vf,), model.VF) if vf else ((), model.PF)
                port_problem = None if vf else (
                    'port %d is released and no VF carries it' % index)
            else:
                function_id = port.function_id
                port_problem = port.problem
                if port.address != pf.address:
                    attach, kind = (port.address,), model.VF
                elif free_vfs and not released:
                    # OFS cards: VFs of the PR slot while the port stays.
                    attach, kind = tuple(free_vfs), model.VF
                else:
                    attach, kind = (pf.address,), model.PF
            regions.append(model.Region(
                name='port%d' % index,
                port=index,
                interface_id=interface_id,
                function_id=function_id,
                attach=attach,
                attach_kind=kind,
                health_reason=interface_problem or port_problem))
        return self._make_device(pf, regions, pf.problem or fme.problem)

    def _make_device(self, pf, regions, problem):
        board = boards.board_name(
            pf.vendor_id, pf.device_id, pf.subsystem_device_id)
        return model.Device(
            address=pf.address,
            vendor=boards.vendor_name(pf.vendor_id),
            family=self.family,
            board=board,
            vendor_id=pf.vendor_id,
            device_id=pf.device_id,
            numa_node=pf.numa_node,
            regions=tuple(regions),
            health_reason=problem,
            **boards.memory(board))

    def unmanaged(self, taken):
        """Cards of this family with no FME: the driver is not managing them.

        Only function 0 is looked at: multi-function cards (N6000, C6100)
        keep their FME there, and their other functions have none.
        """
        found = []
        for address, ids in sysfs.pci_ids(self.sysfs_root).items():
            if (address in taken or not address.endswith('.0') or
                    ids.vendor_id not in self.vendor_ids):
                continue
            fn = sysfs.pci_function(self.sysfs_root, address)
            board = boards.identify(
                fn.vendor_id, fn.device_id, fn.subsystem_device_id)
            if (not board or self.family not in board.families or
                    sysfs.pci_physfn(self.sysfs_root, address)):
                continue
            driver = sysfs.pci_driver(self.sysfs_root, address)
            if driver and driver != self.pci_driver:
                problem = 'bound to %s, not %s' % (driver, self.pci_driver)
            else:
                problem = 'no FME found: is the %s driver loaded?' % (
                    self.pci_driver)
            found.append(self._make_device(fn, [], problem))
        return found

    def _node(self, path):
        return os.path.join(self.dev_root, os.path.basename(path))

    def _fme_and_ports(self, address):
        """The card's FME directory and its ports on the PF, by port id."""
        for found, container in self._containers():
            fmes = sysfs.numbered(container, self.fme_prefix)
            if found == address and fmes:
                paths = [path for _, path in
                         sysfs.numbered(container, self.port_prefix)]
                return fmes[0][1], {
                    read_port(address, path, ordinal).port: path
                    for ordinal, path in enumerate(paths)}
        raise exception.HardwareError('%s has no %sN device: is %s bound?' % (
            address, self.fme_prefix, self.pci_driver))

    @contextlib.contextmanager
    def _port_on_pf(self, device, region):
        """The card's FME directory, with the region's port on the PF.

        Mainline drivers hand a port to a VF by releasing it from the PF.
        OPAE's order for PR is SR-IOV off, PR, SR-IOV on; the port is
        assigned meanwhile so that it can be read, reset and opened (by
        fpgaconf). Ports kept on the PF (OFS cards) need none of this.
        """
        fme, ports = self._fme_and_ports(device.address)
        if region.port in ports:
            yield fme
            return
        node = self._node(fme)
        try:
            numvfs = sysfs.read_int(os.path.join(
                self.sysfs_root, 'bus', 'pci', 'devices', device.address,
                'sriov_numvfs'))
        except sysfs.Unreadable as e:
            raise exception.HardwareError(
                'port %d is released and SR-IOV state is unreadable: %s' % (
                    region.port, e.reason)) from e
        _call('disabling SR-IOV of %s' % device.address, set_sriov_numvfs,
              self.sysfs_root, device.address, 0)
        with _undo_after(_call, 'restoring %d VF(s) of %s' % (
                numvfs, device.address), set_sriov_numvfs, self.sysfs_root,
                device.address, numvfs):
            _call('assigning port %d to the PF through %s' % (
                region.port, node), self.assign_port, node, region.port)
            with _undo_after(_call, 'releasing port %d through %s' % (
                    region.port, node), self.release_port, node,
                    region.port):
                yield fme

    def program(self, device, region, bitstream_path, header, timeout):
        with self._port_on_pf(device, region) as fme:
            if self.options.intel_programmer == 'fpgaconf':
                base.run_tool('fpgaconf %s %s' % (
                    device.address, bitstream_path), fpgaconf,
                    self.sysfs_root, device.address, bitstream_path,
                    timeout=timeout, meanings=FPGACONF_EXITS)
            else:
                self._partial_reconfigure(fme, region.port, bitstream_path,
                                          header.payload_offset)
            # Read now: a port given back to a VF shows no afu_id.
            return self.rediscover(device, region)

    def _partial_reconfigure(self, fme, port, bitstream_path, offset):
        node = self._node(fme)
        try:
            self.port_pr(node, port, bitstream_path, offset)
        except OSError as e:
            raise base.explain(
                'partial reconfiguration of port %d through %s' % (
                    port, node), e,
                self.pr_errors(fme) if e.errno == errno.EIO else None) from e

    def reset(self, device, region):
        with self._port_on_pf(device, region):
            _, ports = self._fme_and_ports(device.address)
            node = self._node(ports[region.port])
            _call('reset of %s' % node, self.reset_port, node)
