"""Known GPUs by PCI id: vendor, model and architecture used in traits.

Ids and names follow the PCI ID repository (pci.ids); architectures are
the vendors' names for the generation. ``memory_gib`` is the memory of one
function (one GPU of a two-GPU K80) and is given only where the device id
pins one size: ids shared by boards of several sizes (Tesla C2050 and
C2070, Quadro RTX 6000 and 8000) leave it None.
"""

import dataclasses
import typing as ty

VENDORS = {'10de': 'nvidia', '1002': 'amd', '8086': 'intel'}
# PCI class codes (base class and subclass) of the functions we take: VGA
# and 3D controllers of these vendors, and, for the ids below only, the
# classes compute parts use instead (Instinct MI200 and Data Center GPU Flex
# are display controllers, MI300 processing accelerators), which FPGA
# cards share.
VGA_CONTROLLER = 0x0300
CONTROLLER_3D = 0x0302
CLASSES = (VGA_CONTROLLER, CONTROLLER_3D)
KNOWN_ID_CLASSES = (0x0380, 0x1200)


@dataclasses.dataclass(frozen=True)
class Model:
    name: str
    architecture: str
    memory_gib: ty.Optional[int] = None


def _models(vendor_id, architecture, entries):
    return {(vendor_id, device_id): Model(name, architecture, memory)
            for device_id, name, memory in entries}


MODELS = {}
for _vendor_id, _architecture, _entries in (
        ('10de', 'fermi', (
            ('06c0', 'gtx_480', None),
            ('06d1', 'tesla_c2050', None),
            ('06d2', 'tesla_m2070', 6),
            ('06de', 'tesla_t20', None),
            ('06df', 'tesla_m2070_q', 6),
            ('06d8', 'quadro_6000', 6),
            ('1080', 'gtx_580', None),
            ('1091', 'tesla_m2090', 6),
            ('1094', 'tesla_m2075', 6),
            ('1096', 'tesla_c2075', 6))),
        ('10de', 'kepler', (
            ('1021', 'tesla_k20x', 6),
            ('1022', 'tesla_k20c', 5),
            ('1023', 'tesla_k40m', 12),
            ('1024', 'tesla_k40c', 12),
            ('1028', 'tesla_k20m', 5),
            ('102d', 'tesla_k80', 12),
            ('1180', 'gtx_680', None))),
        ('10de', 'maxwell', (
            ('13bd', 'tesla_m10', 8),
            ('13c0', 'gtx_980', 4),
            ('13f2', 'tesla_m60', 8),
            ('17fd', 'tesla_m40', None))),
        ('10de', 'pascal', (
            ('15f7', 'tesla_p100_pcie_12gb', 12),
            ('15f8', 'tesla_p100_pcie_16gb', 16),
            ('15f9', 'tesla_p100_sxm2', 16),
            ('1b38', 'tesla_p40', 24),
            ('1b80', 'gtx_1080', 8),
            ('1bb3', 'tesla_p4', 8))),
        ('10de', 'volta', (
            ('1d81', 'titan_v', 12),
            ('1db1', 'tesla_v100_sxm2_16gb', 16),
            ('1db4', 'tesla_v100_pcie_16gb', 16),
            ('1db5', 'tesla_v100_sxm2_32gb', 32),
            ('1db6', 'tesla_v100_pcie_32gb', 32))),
        ('10de', 'turing', (
            ('1e07', 'rtx_2080_ti', 11),
            ('1e30', 'quadro_rtx_6000_8000', None),
            ('1eb8', 'tesla_t4', 16))),
        ('10de', 'ampere', (
            ('20b0', 'a100_sxm4_40gb', 40),
            ('20b2', 'a100_sxm4_80gb', 80),
            ('20b5', 'a100_pcie_80gb', 80),
            ('20b7', 'a30', 24),
            ('20f1', 'a100_pcie_40gb', 40),
            ('2204', 'rtx_3090', 24),
            ('2235', 'a40', 48),
            ('2236', 'a10', 24))),
        ('10de', 'ada', (
            ('2684', 'rtx_4090', 24),
            ('26b1', 'rtx_6000_ada', 48),
            ('26b5', 'l40', 48),
            ('26b9', 'l40s', 48),
            ('27b8', 'l4', 24))),
        ('10de', 'hopper', (
            ('2321', 'h100_nvl', 94),
            ('2330', 'h100_sxm5_80gb', 80),
            ('2331', 'h100_pcie', 80),
            ('2335', 'h200', 141),
            ('2342', 'gh200', None))),
        ('10de', 'blackwell', (
            ('2901', 'b200', None),
            ('2941', 'gb200', None),
            ('2b85', 'rtx_5090', 32))),
        ('1002', 'cdna', (
            ('738c', 'instinct_mi100', 32),)),
        ('1002', 'cdna2', (
            ('740c', 'instinct_mi250', None),
            ('740f', 'instinct_mi210', 64))),
        ('1002', 'cdna3', (
            ('74a0', 'instinct_mi300a', 128),
            ('74a1', 'instinct_mi300x', 192))),
        ('1002', 'rdna2', (
            ('73a3', 'radeon_pro_w6800', 32),
            ('73bf', 'radeon_rx_6800', 16))),
        ('1002', 'rdna3', (
            ('7448', 'radeon_pro_w7900', 48),
            ('744c', 'radeon_rx_7900_xtx', 24))),
        ('8086', 'xe_hpg', (
            ('56a0', 'arc_a770', None),
            ('56c0', 'flex_170', 16),
            ('56c1', 'flex_140', 12))),
        ('8086', 'xe_hpc', (
            ('0bd5', 'max_1550', 128),
            ('0bda', 'max_1100', 48))),
        ('8086', 'xe2', (
            ('e20b', 'arc_b580', 12),))):
    MODELS.update(_models(_vendor_id, _architecture, _entries))


def vendor_name(vendor_id):
    return VENDORS.get(vendor_id, vendor_id or 'unknown')


def is_gpu(vendor_id, device_id, pci_class):
    if vendor_id not in VENDORS:
        return False
    return pci_class in CLASSES or (
        pci_class in KNOWN_ID_CLASSES and (vendor_id, device_id) in MODELS)


def identify(vendor_id, device_id):
    """The Model of a GPU; an unknown id gets its ids as name, no arch."""
    found = MODELS.get((vendor_id, device_id))
    if found:
        return found
    return Model('%s_%s' % (vendor_id or 'unknown', device_id or 'unknown'),
                 None)
