"""Cards managed through an FME and ports: upstream DFL and legacy intel-fpga.

Both drivers show one FME (management engine, on the PF) with ``ports_num``
ports; each port is one partial-reconfiguration region. A port stays on the
PF, or is released and carried by a VF. The two families differ only in
where these live in sysfs, so each subclass finds them and this module turns
them into the inventory.
"""

import abc
import dataclasses
import os
import typing as ty

from nova_fpga.backends import base
from nova_fpga import boards
from nova_fpga import model
from nova_fpga import sysfs


@dataclasses.dataclass(frozen=True)
class Fme:
    address: str
    ports_num: ty.Optional[int]
    # (id, problem) per port index; empty when the FME cannot reconfigure.
    interface_ids: ty.Tuple[ty.Tuple[ty.Optional[str], ty.Optional[str]],
                            ...] = ()
    problem: ty.Optional[str] = None


@dataclasses.dataclass(frozen=True)
class Port:
    address: str
    port: int
    function_id: ty.Optional[str]
    problem: ty.Optional[str]


def read_fme(address, path):
    try:
        ports_num = sysfs.read_int(os.path.join(path, 'ports_num'))
        problem = None
    except sysfs.Unreadable as e:
        ports_num = None
        problem = 'ports_num of %s unreadable: %s' % (
            os.path.basename(path), e.reason)
    return Fme(address, ports_num, problem=problem)


def read_port(address, path, ordinal):
    """A port directory; ``ordinal`` stands in if its id cannot be read."""
    problems = []
    try:
        number = sysfs.read_int(os.path.join(path, 'id'))
    except sysfs.Unreadable as e:
        number = ordinal
        problems.append('id of %s unreadable: %s' % (
            os.path.basename(path), e.reason))
    afu_path = os.path.join(path, 'afu_id')
    if os.path.lexists(afu_path):
        function_id, problem = sysfs.read_id(afu_path, 'afu_id')
        problems.append(problem)
    else:
        # A port without an AFU feature has no afu_id at all.
        function_id = None
    problem = next((p for p in problems if p), None)
    return Port(address, number, function_id, problem)


def _first(*problems):
    return next((p for p in problems if p), None)


class FmePortBackend(base.Backend, metaclass=abc.ABCMeta):
    """Subclasses say where FMEs and ports live and how interface ids read.

    FMEs and ports sit in container directories listed under
    ``/sys/class/<class_name>``, named ``<container_prefix>N``.
    """

    #: The PCI driver that creates the FME, for messages about unbound cards.
    pci_driver = None
    class_name = None
    container_prefix = None
    fme_prefix = None
    port_prefix = None

    @abc.abstractmethod
    def interface_ids(self, fme_path, ports_num):
        """``(id, problem)`` per port index of the FME at ``fme_path``."""

    def fmes_and_ports(self):
        fmes, ports = [], []
        class_dir = os.path.join(self.sysfs_root, 'class', self.class_name)
        for _, container in sysfs.numbered(class_dir, self.container_prefix):
            address = sysfs.pci_address_of(container)
            if address is None:
                continue
            for _, path in sysfs.numbered(container, self.fme_prefix):
                fme = read_fme(address, path)
                fmes.append(dataclasses.replace(
                    fme, interface_ids=tuple(
                        self.interface_ids(path, fme.ports_num))))
            for ordinal, (_, path) in enumerate(
                    sysfs.numbered(container, self.port_prefix)):
                ports.append(read_port(address, path, ordinal))
        return fmes, ports

    def discover(self):
        fmes, ports = self.fmes_and_ports()
        devices = [self._device(fme, ports) for fme in fmes]
        seen = {fme.address for fme in fmes} | {p.address for p in ports}
        return devices + self._unbound(seen)

    def _device(self, fme, ports):
        pf = sysfs.pci_function(self.sysfs_root, fme.address)
        on_card = {p.port: p for p in ports
                   if p.address == pf.address or p.address in pf.virtfns}
        count = fme.ports_num
        if count is None:
            count = max(on_card) + 1 if on_card else 0
        released = [i for i in range(count) if i not in on_card]
        free_vfs = [vf for vf in pf.virtfns
                    if vf not in {p.address for p in on_card.values()}]
        # Sysfs does not say which VF carries which released port; with one
        # port per card (all known boards) the pairing is exact.
        vf_of = dict(zip(released, free_vfs))
        regions = []
        for index in range(count):
            interface_id, interface_problem = (
                fme.interface_ids[index] if index < len(fme.interface_ids)
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
                health_reason=_first(interface_problem, port_problem)))
        return self._make_device(pf, regions, _first(pf.problem, fme.problem))

    def _make_device(self, pf, regions, problem):
        return model.Device(
            address=pf.address,
            vendor=boards.vendor_name(pf.vendor_id),
            family=self.family,
            board=boards.board_name(
                pf.vendor_id, pf.device_id, pf.subsystem_device_id),
            vendor_id=pf.vendor_id,
            device_id=pf.device_id,
            numa_node=pf.numa_node,
            regions=tuple(regions),
            health_reason=problem)

    def _unbound(self, seen):
        """Cards of this family with no FME: the driver is not managing them.

        Only function 0 is looked at: multi-function cards (N6000, C6100)
        keep their FME there, and their other functions have none.
        """
        found = []
        for address in sysfs.pci_addresses(self.sysfs_root):
            if address in seen or not address.endswith('.0'):
                continue
            fn = sysfs.pci_function(self.sysfs_root, address)
            board = boards.identify(
                fn.vendor_id, fn.device_id, fn.subsystem_device_id)
            if fn.physfn or not board or self.family not in board.families:
                continue
            if fn.driver and fn.driver != self.pci_driver:
                problem = 'bound to %s, not %s' % (fn.driver, self.pci_driver)
            else:
                problem = 'no FME found: is the %s driver loaded?' % (
                    self.pci_driver)
            found.append(self._make_device(fn, [], problem))
        return found
