"""The resource classes and trait names the driver can report: a contract.

Flavors name them; a rename strands every flavor that asks for the old
name. This list is the contract: a change to it must be deliberate, and
README's "Trait names" says the same.
"""

import testtools

from nova_fpga.catalog import boards
from nova_fpga.catalog import gpus
from nova_fpga import conf as fpga_conf
from nova_fpga import model
from nova_fpga import placement
from nova_fpga.virt import reporting

INTERFACE = '1' * 32
FUNCTION = '2' * 32
RESOURCE_CLASSES = ['FPGA', 'PGPU']
TRAITS = [
    'CUSTOM_FPGA_FUNCTION_<function id>',
    'CUSTOM_FPGA_INTERFACE_<interface id>',
    'CUSTOM_FPGA_INTEL',
    'CUSTOM_FPGA_INTEL_ARRIA10_SOC',
    'CUSTOM_FPGA_INTEL_C6100',
    'CUSTOM_FPGA_INTEL_D5005',
    'CUSTOM_FPGA_INTEL_N3000',
    'CUSTOM_FPGA_INTEL_N6000',
    'CUSTOM_FPGA_INTEL_N6001',
    'CUSTOM_FPGA_INTEL_OFS',
    'CUSTOM_FPGA_INTEL_PAC_A10',
    'CUSTOM_FPGA_INTEL_SOCFPGA',
    'CUSTOM_FPGA_INTEL_XEON_FPGA',
    'CUSTOM_FPGA_MEMORY_DDR4',
    'CUSTOM_FPGA_MEMORY_GE_12G',
    'CUSTOM_FPGA_MEMORY_GE_16G',
    'CUSTOM_FPGA_MEMORY_GE_1G',
    'CUSTOM_FPGA_MEMORY_GE_24G',
    'CUSTOM_FPGA_MEMORY_GE_2G',
    'CUSTOM_FPGA_MEMORY_GE_32G',
    'CUSTOM_FPGA_MEMORY_GE_40G',
    'CUSTOM_FPGA_MEMORY_GE_48G',
    'CUSTOM_FPGA_MEMORY_GE_4G',
    'CUSTOM_FPGA_MEMORY_GE_64G',
    'CUSTOM_FPGA_MEMORY_GE_8G',
    'CUSTOM_FPGA_MEMORY_HBM2',
    'CUSTOM_FPGA_QUARANTINED',
    'CUSTOM_FPGA_SILICOM',
    'CUSTOM_FPGA_SILICOM_N5010',
    'CUSTOM_FPGA_SILICOM_N5011',
    'CUSTOM_FPGA_XILINX',
    'CUSTOM_FPGA_XILINX_U200',
    'CUSTOM_FPGA_XILINX_U250',
    'CUSTOM_FPGA_XILINX_U50',
    'CUSTOM_FPGA_XILINX_U50C',
    'CUSTOM_FPGA_XILINX_U55C',
    'CUSTOM_FPGA_XILINX_VERSAL',
    'CUSTOM_FPGA_XILINX_ZYNQ',
    'CUSTOM_FPGA_XILINX_ZYNQMP',
    'CUSTOM_GPU_A10',
    'CUSTOM_GPU_A100_PCIE_40GB',
    'CUSTOM_GPU_A100_PCIE_80GB',
    'CUSTOM_GPU_A100_SXM4_40GB',
    'CUSTOM_GPU_A100_SXM4_80GB',
    'CUSTOM_GPU_A30',
    'CUSTOM_GPU_A40',
    'CUSTOM_GPU_AMD',
    'CUSTOM_GPU_ARCH_ADA',
    'CUSTOM_GPU_ARCH_AMPERE',
    'CUSTOM_GPU_ARCH_BLACKWELL',
    'CUSTOM_GPU_ARCH_CDNA',
    'CUSTOM_GPU_ARCH_CDNA2',
    'CUSTOM_GPU_ARCH_CDNA3',
    'CUSTOM_GPU_ARCH_FERMI',
    'CUSTOM_GPU_ARCH_HOPPER',
    'CUSTOM_GPU_ARCH_KEPLER',
    'CUSTOM_GPU_ARCH_MAXWELL',
    'CUSTOM_GPU_ARCH_PASCAL',
    'CUSTOM_GPU_ARCH_RDNA2',
    'CUSTOM_GPU_ARCH_RDNA3',
    'CUSTOM_GPU_ARCH_TURING',
    'CUSTOM_GPU_ARCH_VOLTA',
    'CUSTOM_GPU_ARCH_XE2',
    'CUSTOM_GPU_ARCH_XE_HPC',
    'CUSTOM_GPU_ARCH_XE_HPG',
    'CUSTOM_GPU_ARC_A770',
    'CUSTOM_GPU_ARC_B580',
    'CUSTOM_GPU_B200',
    'CUSTOM_GPU_FLEX_140',
    'CUSTOM_GPU_FLEX_170',
    'CUSTOM_GPU_GB200',
    'CUSTOM_GPU_GH200',
    'CUSTOM_GPU_GTX_1080',
    'CUSTOM_GPU_GTX_480',
    'CUSTOM_GPU_GTX_580',
    'CUSTOM_GPU_GTX_680',
    'CUSTOM_GPU_GTX_980',
    'CUSTOM_GPU_H100_NVL',
    'CUSTOM_GPU_H100_PCIE',
    'CUSTOM_GPU_H100_SXM5_80GB',
    'CUSTOM_GPU_H200',
    'CUSTOM_GPU_INSTINCT_MI100',
    'CUSTOM_GPU_INSTINCT_MI210',
    'CUSTOM_GPU_INSTINCT_MI250',
    'CUSTOM_GPU_INSTINCT_MI300A',
    'CUSTOM_GPU_INSTINCT_MI300X',
    'CUSTOM_GPU_INTEL',
    'CUSTOM_GPU_L4',
    'CUSTOM_GPU_L40',
    'CUSTOM_GPU_L40S',
    'CUSTOM_GPU_MAX_1100',
    'CUSTOM_GPU_MAX_1550',
    'CUSTOM_GPU_MEMORY_GE_128G',
    'CUSTOM_GPU_MEMORY_GE_12G',
    'CUSTOM_GPU_MEMORY_GE_16G',
    'CUSTOM_GPU_MEMORY_GE_192G',
    'CUSTOM_GPU_MEMORY_GE_1G',
    'CUSTOM_GPU_MEMORY_GE_24G',
    'CUSTOM_GPU_MEMORY_GE_2G',
    'CUSTOM_GPU_MEMORY_GE_32G',
    'CUSTOM_GPU_MEMORY_GE_40G',
    'CUSTOM_GPU_MEMORY_GE_48G',
    'CUSTOM_GPU_MEMORY_GE_4G',
    'CUSTOM_GPU_MEMORY_GE_64G',
    'CUSTOM_GPU_MEMORY_GE_80G',
    'CUSTOM_GPU_MEMORY_GE_8G',
    'CUSTOM_GPU_MEMORY_GE_96G',
    'CUSTOM_GPU_NVIDIA',
    'CUSTOM_GPU_QUADRO_6000',
    'CUSTOM_GPU_QUADRO_RTX_6000_8000',
    'CUSTOM_GPU_RADEON_PRO_W6800',
    'CUSTOM_GPU_RADEON_PRO_W7900',
    'CUSTOM_GPU_RADEON_RX_6800',
    'CUSTOM_GPU_RADEON_RX_7900_XTX',
    'CUSTOM_GPU_RTX_2080_TI',
    'CUSTOM_GPU_RTX_3090',
    'CUSTOM_GPU_RTX_4090',
    'CUSTOM_GPU_RTX_5090',
    'CUSTOM_GPU_RTX_6000_ADA',
    'CUSTOM_GPU_TESLA_C2050',
    'CUSTOM_GPU_TESLA_C2075',
    'CUSTOM_GPU_TESLA_K20C',
    'CUSTOM_GPU_TESLA_K20M',
    'CUSTOM_GPU_TESLA_K20X',
    'CUSTOM_GPU_TESLA_K40C',
    'CUSTOM_GPU_TESLA_K40M',
    'CUSTOM_GPU_TESLA_K80',
    'CUSTOM_GPU_TESLA_M10',
    'CUSTOM_GPU_TESLA_M2070',
    'CUSTOM_GPU_TESLA_M2070_Q',
    'CUSTOM_GPU_TESLA_M2075',
    'CUSTOM_GPU_TESLA_M2090',
    'CUSTOM_GPU_TESLA_M40',
    'CUSTOM_GPU_TESLA_M60',
    'CUSTOM_GPU_TESLA_P100_PCIE_12GB',
    'CUSTOM_GPU_TESLA_P100_PCIE_16GB',
    'CUSTOM_GPU_TESLA_P100_SXM2',
    'CUSTOM_GPU_TESLA_P4',
    'CUSTOM_GPU_TESLA_P40',
    'CUSTOM_GPU_TESLA_T20',
    'CUSTOM_GPU_TESLA_T4',
    'CUSTOM_GPU_TESLA_V100_PCIE_16GB',
    'CUSTOM_GPU_TESLA_V100_PCIE_32GB',
    'CUSTOM_GPU_TESLA_V100_SXM2_16GB',
    'CUSTOM_GPU_TESLA_V100_SXM2_32GB',
    'CUSTOM_GPU_TITAN_V',
    'OWNER_NOVA',
]


def reported():
    """Every trait of every known board and GPU model, ids as patterns."""
    options = fpga_conf.PlacementOptions()
    found = {placement.QUARANTINED_TRAIT}
    fpgas = [(boards.vendor_name(board.vendor_id), board.name, family)
             for board in boards.BOARDS for family in board.families]
    fpgas += [(vendor, name, 'fpga_region')
              for vendor, name in boards.MANAGERS.values()]
    for vendor, name, family in fpgas:
        device = boards.with_memory(model.Device(
            address='0000:10:00.0', vendor=vendor, family=family,
            board=name))
        found |= placement.region_traits(device, model.Region(
            'port0', interface_id=INTERFACE, function_id=FUNCTION), options)
    for (vendor_id, _), gpu in gpus.MODELS.items():
        device = model.Device(
            address='0000:20:00.0', vendor=gpus.vendor_name(vendor_id),
            family=model.GPU, board=gpu.name, architecture=gpu.architecture,
            memory_mb=gpu.memory_gib * 1024 if gpu.memory_gib else None,
            memory_source=model.MEMORY_TABLE)
        found |= placement.region_traits(device, model.Region('gpu'),
                                         options)
    return sorted(name.replace(INTERFACE, '<interface id>')
                  .replace(FUNCTION, '<function id>') for name in found)


class TraitContractTest(testtools.TestCase):

    def test_the_traits_are_those_of_the_contract(self):
        self.assertEqual(sorted(TRAITS), reported())

    def test_the_resource_classes_are_those_of_the_contract(self):
        options = fpga_conf.PlacementOptions()
        self.assertEqual(RESOURCE_CLASSES,
                         sorted(reporting.resource_classes(options)))
