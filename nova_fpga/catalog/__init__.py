"""Known hardware by PCI id: FPGA boards (boards) and GPU models (gpus)."""
