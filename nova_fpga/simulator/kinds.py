"""The cards the simulator can build and the fixed ids they carry.

PCI ids follow the kernel's driver tables. Interface and function ids are
per-kind constants so tests can name them; where a real capture showed one
(N6000, PAC A10, N3000) it is used.
"""

import dataclasses
import typing as ty

DFL = 'dfl'
INTEL_FPGA = 'intel_fpga'
XRT = 'xrt'
FPGA_REGION = 'fpga_region'
GPU = 'gpu'
VGA_CONTROLLER = 0x030000
CONTROLLER_3D = 0x030200
DISPLAY_CONTROLLER = 0x038000
AUDIO_DEVICE = 0x040300

# The "native loopback" AFU that boards ship loaded.
NLB0 = 'd8424dc4a4a3c413f89e433683f9040b'
# The first line of an Alveo's interface_uuids: its base (BLP) partition.
XRT_BASE_INTERFACE_ID = '1b2ba2e36a814e5cb2e3d9ea3f2c8f14'
ALL_F = 'f' * 32


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str
    family: str
    vendor_id: ty.Optional[str] = None
    device_id: ty.Optional[str] = None
    subsystem_device_id: str = '0000'
    vf_device_id: ty.Optional[str] = None
    # XRT: the user function's device id (device_id is the management one).
    user_device_id: ty.Optional[str] = None
    totalvfs: int = 0
    ports_num: int = 1
    has_pr: bool = True
    # Mainline DFL refuses sriov_numvfs unless it equals the number of
    # released ports; OFS kernels let VFs share a port kept on the PF.
    vfs_need_released_ports: bool = False
    bitstream_id: str = '0x0'
    bitstream_metadata: str = '0x0'
    # GPUs: PCI class, the audio function's device id, the prefetchable
    # memory BAR (GiB) and the memory amdgpu shows (GiB).
    pci_class: ty.Optional[int] = None
    audio_device_id: ty.Optional[str] = None
    aperture_gib: int = 0
    vram_gib: int = 0


KINDS = {kind.name: kind for kind in (
    Kind('n6000', DFL, '8086', 'bcce', '1770', vf_device_id='bccf',
         totalvfs=3, bitstream_id='0x5010202aecbd6e5',
         bitstream_metadata='0x2205041'),
    Kind('c6100', DFL, '8086', 'bcce', '17d4', has_pr=False,
         bitstream_id='0x5010102c03ea89a', bitstream_metadata='0x2204233'),
    Kind('d5005', DFL, '8086', '0b2b', vf_device_id='0b2c', totalvfs=1,
         vfs_need_released_ports=True, bitstream_id='0x4000000f81aa3e1',
         bitstream_metadata='0x2009302'),
    Kind('pac_a10', INTEL_FPGA, '8086', '09c4', vf_device_id='09c5',
         totalvfs=1, vfs_need_released_ports=True,
         bitstream_id='0x113000200000177', bitstream_metadata='0x1809211'),
    Kind('n3000', INTEL_FPGA, '8086', '0b30',
         bitstream_id='0x2320000100000066', bitstream_metadata='0x1905031'),
    Kind('u250', XRT, '10ee', '5004', user_device_id='5005'),
    Kind('zynqmp', FPGA_REGION),
    # H100 PCIe: BAR1 (128 GiB) is larger than its 80 GiB of memory.
    Kind('h100', GPU, '10de', '2331', '1626', pci_class=CONTROLLER_3D,
         aperture_gib=128),
    Kind('m2090', GPU, '10de', '1091', '0887', pci_class=CONTROLLER_3D,
         aperture_gib=8),
    Kind('rtx4090', GPU, '10de', '2684', '16f3', pci_class=VGA_CONTROLLER,
         audio_device_id='22ba', aperture_gib=32),
    # A device id no table knows yet.
    Kind('nvidia_next', GPU, '10de', '2fff', '0000',
         pci_class=CONTROLLER_3D, aperture_gib=64),
    Kind('mi210', GPU, '1002', '740f', '0c34', pci_class=DISPLAY_CONTROLLER,
         aperture_gib=64, vram_gib=64),
    Kind('flex170', GPU, '8086', '56c0', '4905',
         pci_class=DISPLAY_CONTROLLER, aperture_gib=16),
)}

# What a bitstream must be built against: the PR region's compat_id
# (intel-fpga: pr/interface_id; XRT: last line of interface_uuids).
INTERFACE_IDS = {
    'n6000': 'ce3139c959cf528ca27751c50829797a',
    'c6100': None,
    'd5005': '9346116d1ec55d3f9b05ab2ec9b7a2ef',
    'pac_a10': 'f64e598bea11517fa28e7bc65d885104',
    'n3000': 'cf9b1c5037c945e98030f921b17d2b3a',
    'u250': '8f6d3a2c94f75a3e9c5b0e7d1a4b6c21',
    'zynqmp': None,
}

# What is loaded when a CardSpec names no function.
FUNCTION_IDS = {
    name: NLB0 if kind.family in (DFL, INTEL_FPGA) else None
    for name, kind in KINDS.items()}
GPU_KINDS = tuple(name for name, kind in KINDS.items() if kind.family == GPU)
