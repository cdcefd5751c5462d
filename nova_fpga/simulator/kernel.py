"""The simulated kernel's hold on its tree and its private state."""

from nova_fpga.simulator import dfl
from nova_fpga.simulator import fme_port
from nova_fpga.simulator import gpu
from nova_fpga.simulator import intel_fpga
from nova_fpga.simulator import kernel_state
from nova_fpga.simulator import kinds
from nova_fpga.simulator import soc
from nova_fpga.simulator import tree
from nova_fpga.simulator import xrt

LAYOUTS = {
    kinds.DFL: dfl.DflLayout,
    kinds.INTEL_FPGA: intel_fpga.IntelFpgaLayout,
    kinds.XRT: xrt.XrtLayout,
    kinds.FPGA_REGION: soc.ZynqmpLayout,
    kinds.GPU: gpu.GpuLayout,
}


class Kernel:

    def __init__(self, root):
        self.root = root
        self.tree = tree.Tree(root)
        # intel-fpga: the status bits of the last PR this process made.
        self.last_pr_status = None

    def transaction(self, write=True):
        return kernel_state.locked(self.root, write)

    def layout(self, card):
        return LAYOUTS[kinds.KINDS[card['kind']].family](self.tree)

    @staticmethod
    def live_cards(data):
        return [card for card in data['cards'] if not card['removed']]

    def card(self, data, address):
        for card in self.live_cards(data):
            if card['address'] == address:
                return card
        raise ValueError('no simulated card at %s' % address)

    def node_owner(self, data, name):
        """``(card, port)`` behind an FME (port None) or port device node."""
        for card in self.live_cards(data):
            layout = self.layout(card)
            if not isinstance(layout, fme_port.FmePortLayout):
                continue
            if layout.fme_node(card) == name:
                return card, None
            for port in card['ports']:
                if layout.port_node(port) == name and not port['released']:
                    return card, port
        return None
