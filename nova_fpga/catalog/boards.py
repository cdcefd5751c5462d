"""Known FPGA cards by PCI id: vendor and board names used in traits.

Ids come from the kernel's dfl-pci table and XRT's xocl device table.
The N6000-family subsystem ids follow the kernel (0x1770 N6000, 0x1771
N6001); OPAE's comments swap the two, so treat them as hints.
"""

import dataclasses
import typing as ty

from nova_fpga import model

VENDORS = {'8086': 'intel', '10ee': 'xilinx', '1c2c': 'silicom'}


@dataclasses.dataclass(frozen=True)
class Board:
    name: str
    vendor_id: str
    device_id: str
    vf_device_id: ty.Optional[str] = None
    subsystem_device_id: ty.Optional[str] = None
    # XRT cards: the user function's device id (the management one is
    # device_id).
    user_device_id: ty.Optional[str] = None
    # The driver families that can manage the card.
    families: ty.Tuple[str, ...] = ('dfl',)


BOARDS = (
    Board('pac_a10', '8086', '09c4', vf_device_id='09c5',
          families=('dfl', 'intel_fpga')),
    Board('xeon_fpga', '8086', 'bcc0', vf_device_id='bcc1',
          families=('dfl', 'intel_fpga')),
    Board('xeon_fpga', '8086', 'bcbd', vf_device_id='bcbf',
          families=('dfl', 'intel_fpga')),
    Board('n3000', '8086', '0b30', families=('dfl', 'intel_fpga')),
    Board('d5005', '8086', '0b2b', vf_device_id='0b2c',
          families=('dfl', 'intel_fpga')),
    Board('n5010', '1c2c', '1000'),
    Board('n5011', '1c2c', '1001'),
    Board('d5005', '8086', 'bcce', 'bccf', subsystem_device_id='138d'),
    Board('n6000', '8086', 'bcce', 'bccf', subsystem_device_id='1770'),
    Board('n6001', '8086', 'bcce', 'bccf', subsystem_device_id='1771'),
    Board('c6100', '8086', 'bcce', 'bccf', subsystem_device_id='17d4'),
    Board('ofs', '8086', 'bcce', 'bccf'),
    Board('u200', '10ee', '5000', user_device_id='5001',
          families=('xrt',)),
    Board('u250', '10ee', '5004', user_device_id='5005',
          families=('xrt',)),
    Board('u50', '10ee', '5020', user_device_id='5021',
          families=('xrt',)),
    Board('u55c', '10ee', '505c', user_device_id='505d',
          families=('xrt',)),
    Board('u50c', '10ee', '506c', user_device_id='506d',
          families=('xrt',)),
)


def vendor_name(vendor_id):
    return VENDORS.get(vendor_id, vendor_id or 'unknown')


# Discovery asks of every PCI function: looked up, not searched.
# {(vendor, device, subsystem device or None): board}; None is the board
# of any subsystem id not listed.
_BY_ID = {(b.vendor_id, b.device_id, b.subsystem_device_id): b
          for b in BOARDS}


def family_vendors(family):
    """The vendor ids of the cards a driver family can manage."""
    return frozenset(b.vendor_id for b in BOARDS if family in b.families)


def identify(vendor_id, device_id, subsystem_device_id=None):
    """The Board of a management or physical function, or None."""
    return (_BY_ID.get((vendor_id, device_id, subsystem_device_id)) or
            _BY_ID.get((vendor_id, device_id, None)))


def board_name(vendor_id, device_id, subsystem_device_id=None):
    board = identify(vendor_id, device_id, subsystem_device_id)
    if board:
        return board.name
    return '%s_%s' % (vendor_id or 'unknown', device_id or 'unknown')


@dataclasses.dataclass(frozen=True)
class Memory:
    """A card's on-board memory, reachable from each of its regions."""

    gib: int
    type: str


# From the vendors' board data sheets. The DFL and XRT drivers show no
# memory size in sysfs, so this table is the only source for FPGA cards.
MEMORY = {
    'pac_a10': Memory(8, 'ddr4'),
    'n3000': Memory(9, 'ddr4'),
    'd5005': Memory(32, 'ddr4'),
    'n6000': Memory(16, 'ddr4'),
    'n6001': Memory(16, 'ddr4'),
    'u200': Memory(64, 'ddr4'),
    'u250': Memory(64, 'ddr4'),
    'u50': Memory(8, 'hbm2'),
    'u55c': Memory(16, 'hbm2'),
}


def memory(board):
    """The Device fields of a board's on-board memory, where it is known.

    Backends pass them when they make a card's Device.
    """
    found = MEMORY.get(board)
    if found is None:
        return {}
    return {'memory_mb': found.gib * 1024,
            'memory_source': model.MEMORY_TABLE, 'memory_type': found.type}


def with_memory(device):
    """The device with its board's memory filled in, where known."""
    if device.memory_mb is not None:
        return device
    return device._replace(**memory(device.board))


# SoC FPGAs have no PCI id: the fpga_manager's name tells vendor and board.
MANAGERS = {
    'Xilinx ZynqMP FPGA Manager': ('xilinx', 'zynqmp'),
    'Xilinx Zynq FPGA Manager': ('xilinx', 'zynq'),
    'Xilinx Versal FPGA Manager': ('xilinx', 'versal'),
    'Altera SOCFPGA FPGA Manager': ('intel', 'socfpga'),
    'SoCFPGA Arria10 FPGA Manager': ('intel', 'arria10_soc'),
}
