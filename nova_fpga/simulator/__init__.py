"""A simulated FPGA host: a faithful sysfs and /dev tree, and the kernel.

``build(root, parse_card('n6000:2,vfs=3'))`` writes ``root/sys`` and
``root/dev`` laid out like the real drivers (DFL, intel-fpga, XRT, SoC
fpga_region) lay them out; the returned SimulatedHost then does what the
kernel does on ioctls and sysfs writes, errors included. It stands in for
the hardware only: discovery and programming read and call it as they
would a real host.
"""

from nova_fpga.simulator.host import build
from nova_fpga.simulator.host import SimulatedHost
from nova_fpga.simulator.images import make_gbs
from nova_fpga.simulator.images import make_raw_payload
from nova_fpga.simulator.images import make_xclbin
from nova_fpga.simulator.images import RAW_MAGIC
from nova_fpga.simulator.kinds import FUNCTION_IDS
from nova_fpga.simulator.kinds import INTERFACE_IDS
from nova_fpga.simulator.kinds import KINDS
from nova_fpga.simulator.spec import CardSpec
from nova_fpga.simulator.spec import parse_card

__all__ = [
    'CardSpec', 'FUNCTION_IDS', 'INTERFACE_IDS', 'KINDS', 'RAW_MAGIC',
    'SimulatedHost', 'build', 'make_gbs', 'make_raw_payload', 'make_xclbin',
    'parse_card',
]
