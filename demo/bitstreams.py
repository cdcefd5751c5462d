"""Bitstream files the simulated cards accept: Intel GBS and AMD xclbin."""

from nova_fpga import simulator
from nova_fpga.simulator import kinds


def make(kind, function_id, name):
    """A bitstream loading ``function_id`` into a card of ``kind``.

    ``kind`` is a simulator kind: an xclbin for Alveo cards, a GBS for
    Intel ones.
    """
    interface_id = simulator.INTERFACE_IDS[kind]
    if simulator.KINDS[kind].family == kinds.XRT:
        return simulator.make_xclbin(interface_id, function_id)
    return simulator.make_gbs(interface_id, function_id, name)
