"""What the demo builds: hosts, people, bitstreams, images, flavors, servers.

Names here are the demo's own; ids of functions are made up, 32 hex
digits as the hardware shows them.
"""

import collections

from nova_fpga.catalog import boards
from nova_fpga import model
from nova_fpga import placement
from nova_fpga import simulator

Host = collections.namedtuple('Host', 'name cards description')
Person = collections.namedtuple('Person', 'user project roles')
Bitstream = collections.namedtuple('Bitstream', 'name kind function_id')
Server = collections.namedtuple('Server', 'name flavor image host function')

HOSTS = (
    Host('compute-intel', ('n6000:2',), '2 Intel N6000'),
    Host('compute-xilinx', ('u250', 'h100:2'),
         '1 AMD Alveo U250, 2 NVIDIA H100 on vfio-pci'),
)
# Where a server moves by cold migration; started once the others run,
# with a free region kept loaded with a bitstream ([fpga] warm_bitstreams).
MOVE_HOST = Host('compute-intel-2', ('n6000:1',), '1 Intel N6000')
WARM = {MOVE_HOST.name: ('nlb3', 1)}
# The architecture the GPU flavor asks for, as its trait names it.
GPU_ARCH = 'hopper'
GPU_COUNT = 2

# Flavors are the operator's; servers and their images the user's.
OPERATOR = Person('admin', 'ops', ('admin', 'member', 'reader'))
USER = Person('alice', 'demo', ('member', 'reader'))
# Another project's member, refused on alice's regions.
OTHER = Person('bob', 'other', ('member', 'reader'))

# Published by the operator for every project.
BITSTREAMS = (
    Bitstream('nlb3', 'n6000', '7a3f0c1e5b2d4e6f8091a2b3c4d5e6f7'),
    Bitstream('dma', 'n6000', '0f1e2d3c4b5a69788796a5b4c3d2e1f0'),
    Bitstream('vadd', 'u250', '5eadd0c0ffee4a11b0a7d5e7f00dcafe'),
)
# What scrubbing loads into a region of each kind ([fpga] blank_bitstreams).
BLANKS = {
    'n6000': Bitstream('blank', 'n6000', 'b1a4c0000000400080000000000000a1'),
    'u250': Bitstream('blank', 'u250', 'b1a4c0000000400080000000000000a2'),
}

# VM images: their properties, ``{name}`` standing for a bitstream's id.
VM_IMAGES = {
    'vm': {},
    'vm-nlb3': {'fpga_function': 'nlb3'},
    'vm-dma': {'fpga_bitstream': '{dma}'},
}

# Flavor extra specs, ``{name}`` standing for a bitstream's id.
FLAVORS = {
    'fpga.intel.nlb3': {'resources:FPGA': '1',
                        'trait:CUSTOM_FPGA_INTEL': 'required',
                        'fpga:bitstream': '{nlb3}'},
    'fpga.xilinx.vadd': {'resources:FPGA': '1',
                         'trait:CUSTOM_FPGA_XILINX': 'required',
                         'fpga:function': 'vadd'},
    'fpga.intel.dma': {'resources:FPGA': '1',
                       'trait:CUSTOM_FPGA_INTEL': 'required',
                       'fpga:bitstream': '{dma}'},
    'fpga.intel': {'resources:FPGA': '1',
                   'trait:CUSTOM_FPGA_INTEL': 'required'},
    'gpu.hopper.2': placement.gpu_flavor_specs(GPU_COUNT, GPU_ARCH),
}

# How each asks for its bitstream: by id in the flavor, by function in
# the flavor, by function on the VM image.
SERVERS = (
    Server('fpga-by-id', 'fpga.intel.nlb3', 'vm', 'compute-intel', 'nlb3'),
    Server('fpga-by-function', 'fpga.xilinx.vadd', 'vm', 'compute-xilinx',
           'vadd'),
    Server('fpga-by-image', 'fpga.intel', 'vm-nlb3', 'compute-intel',
           'nlb3'),
)
# Two whole GPUs of one architecture, beside the FPGA servers.
GPU_SERVER = Server('gpu-hopper', 'gpu.hopper.2', 'vm', 'compute-xilinx',
                    None)
# Rebuilt with another VM image, whose property names another bitstream.
REBUILD = Server('fpga-by-image', 'fpga.intel', 'vm-dma', 'compute-intel',
                 'dma')
# Cold-migrated by the operator to the new host, then resized by its user
# to a flavor of another bitstream: back to the region the move freed.
MIGRATE = Server('fpga-by-id', 'fpga.intel.nlb3', 'vm', MOVE_HOST.name,
                 'nlb3')
RESIZE = Server('fpga-by-id', 'fpga.intel.dma', 'vm', 'compute-intel', 'dma')
# alice's own new build, loaded on the region of her server through the
# cloud-wide API (seed 001's developer flow), and the server.
DEV_BUILD = Bitstream('vadd-dev', 'u250', 'de7b0000000040008000000000000001')
DEV_SERVER = 'fpga-by-function'
# Loaded by the operator on a free region through the API, then scrubbed.
FREE_LOAD = 'vadd'
# Booted once the region the resize left there is warm again.
WARM_BOOT = Server('fpga-warm', 'fpga.intel.nlb3', 'vm', MOVE_HOST.name,
                   'nlb3')


def cards(host, gpu=False):
    """The CardSpecs of ``host``'s FPGA cards, or of its GPUs."""
    return [spec for text in host.cards for spec in simulator.parse_card(text)
            if (simulator.KINDS[spec.kind].family == model.GPU) == gpu]


def vendor(kind):
    return boards.VENDORS[simulator.KINDS[kind].vendor_id]


def bitstream_properties(b):
    """The properties a bitstream's image is uploaded with.

    vadd's name its vendor and function as the first Cyborg proposal did
    (``vendor``, ``type``); the others with the ``fpga_`` names.
    """
    properties = {'fpga_interface_id': simulator.INTERFACE_IDS[b.kind],
                  'fpga_function_id': b.function_id}
    if b.name == 'vadd':
        properties.update(vendor=vendor(b.kind), type=b.name)
    else:
        properties.update(fpga_vendor=vendor(b.kind), fpga_function=b.name)
    return properties


def bitstream(name):
    return next(b for b in BITSTREAMS if b.name == name)
