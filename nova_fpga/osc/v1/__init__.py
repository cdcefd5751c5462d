"""The commands of the FPGA API's version 1."""
