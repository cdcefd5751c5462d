"""``openstack fpga bitstream list``."""

from osc_lib.command import command
from osc_lib import utils

COLUMNS = ('ID', 'Name', 'Vendor', 'Interface ID', 'Function ID', 'Function',
           'Visibility', 'Owner', 'Size', 'Fits Free Regions')


class ListBitstream(command.Lister):
    """List the bitstreams you may load and how many free regions each fits."""

    def take_action(self, parsed_args):
        bitstreams = self.app.client_manager.fpga.list_bitstreams()
        return COLUMNS, [utils.get_dict_properties(bitstream, COLUMNS)
                         for bitstream in bitstreams]
