"""A simulated FPGA host: build it, re-open it, act on it as the kernel."""

import errno
import os

from nova_fpga.simulator import expected
from nova_fpga.simulator import faults
from nova_fpga.simulator import fme_port
from nova_fpga.simulator import ioctls
from nova_fpga.simulator import kernel
from nova_fpga.simulator import kernel_state
from nova_fpga.simulator import kinds
from nova_fpga.simulator import pci
from nova_fpga.simulator import soc
from nova_fpga.simulator import spec
from nova_fpga.simulator import sriov
from nova_fpga.simulator import xrt


SYSFS_SKELETON = ('bus/pci/devices', 'class', 'devices', 'kernel')


def build(root, cards, pr_seconds=0.0):
    """Write ``root/sys`` and ``root/dev`` for ``cards`` (CardSpecs).

    Card i gets PCI bus 0x10 + 8*i; kernel-global numbers (regions,
    managers, FME and port ids) are handed out in the order the drivers
    would probe the cards. VFs asked for are enabled afterwards through
    write_attr (and, where the driver insists, port release) like a user
    would.
    """
    root = os.path.abspath(root)
    for name in ('sys', 'dev', kernel_state.FILE):
        if os.path.lexists(os.path.join(root, name)):
            raise ValueError('%s already holds a simulated tree (%s)' % (
                root, name))
    cards = list(cards)
    spec.check_all(cards)
    os.makedirs(os.path.join(root, 'dev'))
    # The skeleton every sysfs has, cards or not.
    for sub in SYSFS_SKELETON:
        os.makedirs(os.path.join(root, 'sys', sub), exist_ok=True)
    sim = kernel.Kernel(root)
    data = kernel_state.new(pr_seconds)
    for index, card_spec in enumerate(cards):
        family = kinds.KINDS[card_spec.kind].family
        card = {
            'kind': card_spec.kind,
            'index': index,
            'address': (soc.REGION_DEVICE if family == kinds.FPGA_REGION
                        else pci.pf_address(index)),
            'numa_node': card_spec.numa_node,
            'removed': False,
            'crashed': False,
            'faults': {},
        }
        layout = sim.layout(card)
        layout.allocate(data, card, card_spec)
        layout.write_card(card)
        data['cards'].append(card)
    kernel_state.save(root, data)
    host = SimulatedHost(root)
    for card_spec, card in zip(cards, data['cards']):
        if card_spec.vfs:
            host._enable_vfs(card, card_spec.vfs)
    return host


class SimulatedHost:
    """A tree under ``root`` and the kernel behaviour behind it.

    Calls fail like the kernel's, with ``OSError`` and the kernel's errno;
    ValueError means the call itself is wrong (an unknown card).
    """

    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.sysfs_root = os.path.join(self.root, 'sys')
        self.dev_root = os.path.join(self.root, 'dev')
        self._kernel = kernel.Kernel(self.root)

    @classmethod
    def open(cls, root):
        """Attach to a tree built earlier, possibly by another process."""
        if not os.path.isfile(kernel_state.path(root)):
            raise ValueError('%s holds no simulated host' % root)
        return cls(root)

    @property
    def pr_seconds(self):
        """How long a partial reconfiguration takes."""
        with self._kernel.transaction(write=False) as data:
            return data['pr_seconds']

    @pr_seconds.setter
    def pr_seconds(self, seconds):
        with self._kernel.transaction() as data:
            data['pr_seconds'] = float(seconds)

    @property
    def last_pr_status(self):
        """intel-fpga PR status bits of this host object's last PR."""
        return self._kernel.last_pr_status

    def expected(self):
        """The inventory discovery must find (nova_fpga.model.Inventory)."""
        with self._kernel.transaction(write=False) as data:
            return expected.inventory(data)

    def ioctl(self, dev_path, request, arg=0):
        """``fcntl.ioctl`` on the device node at ``dev_path``."""
        return ioctls.call(self._kernel, dev_path, request, arg)

    def write_attr(self, path, value):
        """Write sriov_numvfs, an Alveo's mgmt_reset or zynqmp flags."""
        real = os.path.realpath(path)
        if not real.startswith(os.path.realpath(self.sysfs_root) + os.sep):
            raise ValueError('%s is not in %s' % (path, self.sysfs_root))
        if not os.path.lexists(real):
            raise faults.error(errno.ENOENT)
        if os.path.isdir(real):
            raise faults.error(errno.EISDIR)
        text = value.decode() if isinstance(value, bytes) else str(value)
        directory, name = os.path.split(real)
        with self._kernel.transaction() as data:
            for card in self._kernel.live_cards(data):
                layout = self._kernel.layout(card)
                if (isinstance(layout, fme_port.FmePortLayout)
                        and name == 'sriov_numvfs'
                        and directory == os.path.realpath(
                            layout.pf_dir(card))):
                    return sriov.write_numvfs(data, layout, card, text)
                if (isinstance(layout, xrt.XrtLayout)
                        and directory == os.path.realpath(
                            pci.device_dir(layout.tree, card['index'],
                                           card['address']))):
                    return layout.write_attr(card, name, text)
                if (isinstance(layout, soc.ZynqmpLayout)
                        and directory == os.path.realpath(
                            layout.manager_dir(card))):
                    return layout.write_attr(card, name, text)
        raise faults.error(errno.EACCES)

    def xbmgmt_program(self, mgmt_address, xclbin):
        """``xbmgmt program --device <mgmt_address> --user <file>``."""
        with self._kernel.transaction() as data:
            for card in self._kernel.live_cards(data):
                if (card['address'] == mgmt_address
                        and kinds.KINDS[card['kind']].family == kinds.XRT):
                    return self._kernel.layout(card).program(
                        card, bytes(xclbin))
        raise faults.error(errno.ENODEV)

    def inject_fault(self, address, op, err, count=1):
        """Make the next ``count`` ``op`` calls on the card fail with err.

        ``op``: pr, release, assign, sriov (a sriov_numvfs change),
        program (xbmgmt, zynqmp firmware) or reset (an Alveo's
        mgmt_reset, a DFL or intel-fpga port reset). EIO on PR also leaves
        the manager's error status, as a failed PR does.
        """
        with self._kernel.transaction() as data:
            faults.add(self._kernel.card(data, address), op, err, count)

    def crash(self, address):
        """The card's firmware dies: its ids read all f from now on."""
        with self._kernel.transaction() as data:
            card = self._kernel.card(data, address)
            if kinds.KINDS[card['kind']].family in (kinds.FPGA_REGION,
                                                    kinds.GPU):
                raise ValueError('%s shows no ids to crash' % card['kind'])
            card['crashed'] = True
            self._kernel.layout(card).refresh(card)

    def recover(self, address):
        """The crashed card's firmware is back, as a reload brings it."""
        with self._kernel.transaction() as data:
            card = self._kernel.card(data, address)
            card['crashed'] = False
            self._kernel.layout(card).refresh(card)

    def clear_faults(self, address):
        """The card's injected faults are gone."""
        with self._kernel.transaction() as data:
            self._kernel.card(data, address)['faults'].clear()

    def remove(self, address):
        """The card is gone: its directories, links and nodes vanish."""
        with self._kernel.transaction() as data:
            card = self._kernel.card(data, address)
            self._kernel.layout(card).remove_card(card)
            card['removed'] = True

    def power_cycle(self):
        """The host is powered off and on again.

        Every card comes up with what it loads at power-up (its own
        function, as built), SR-IOV off and every port on its PF, no
        fault pending; what was programmed since is gone. A removed card
        stays removed.
        """
        with self._kernel.transaction() as data:
            for card in self._kernel.live_cards(data):
                layout = self._kernel.layout(card)
                layout.power_up(card)
                layout.refresh(card)

    def set_function(self, address, port, function_id):
        """Load ``function_id`` (None: no AFU / no xclbin) behind ``port``.

        For XRT cards ``port`` is 0 or None (the one slot).
        """
        if function_id is not None:
            function_id = spec.normalize_id(function_id)
        with self._kernel.transaction() as data:
            card = self._kernel.card(data, address)
            family = kinds.KINDS[card['kind']].family
            if family in (kinds.FPGA_REGION, kinds.GPU):
                raise ValueError('%s shows no function id' % card['kind'])
            if family == kinds.XRT:
                if port not in (0, None):
                    raise ValueError('XRT cards have one slot, not %r' % port)
                card['xclbin_id'] = function_id
            elif isinstance(port, int) and 0 <= port < len(card['ports']):
                card['ports'][port]['function_id'] = function_id
            else:
                raise ValueError('%s has no port %r' % (address, port))
            self._kernel.layout(card).refresh(card)

    def _enable_vfs(self, card, count):
        layout = self._kernel.layout(card)
        family = layout.family
        if kinds.KINDS[card['kind']].vfs_need_released_ports:
            node = os.path.join(self.dev_root, layout.fme_node(card))
            for port_id in range(count):
                self.ioctl(node, ioctls.RELEASE[family],
                           ioctls.port_id_arg(family, port_id))
        self.write_attr(os.path.join(layout.pf_dir(card), 'sriov_numvfs'),
                        count)
