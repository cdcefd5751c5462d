"""``openstack fpga bitstream list``."""

from osc_lib import exceptions

from nova_fpga.osc.v1 import bitstreams
from tests.unit.osc import fakes

NLB = {'id': fakes.IMAGE_ID, 'name': 'nlb0', 'vendor': 'intel',
       'interface_id': 'bfac4d851ee856fe8c95865ce1bbaa2d',
       'function_id': 'd8424dc4a4a3c413f89e433683f9040b',
       'function': 'nlb0', 'visibility': 'public', 'owner': 'project-1',
       'size': 4096, 'fits_free_regions': 2}


class ListBitstreamTest(fakes.TestCase):

    def test_columns_and_rows(self):
        self.requests.get(fakes.FPGA + '/bitstreams',
                          json={'bitstreams': [NLB]})
        columns, rows = self.take_action(bitstreams.ListBitstream)
        self.assertEqual(('ID', 'Name', 'Vendor', 'Interface ID',
                          'Function ID', 'Function', 'Visibility', 'Owner',
                          'Size', 'Fits Free Regions'), columns)
        self.assertEqual([(fakes.IMAGE_ID, 'nlb0', 'intel',
                           'bfac4d851ee856fe8c95865ce1bbaa2d',
                           'd8424dc4a4a3c413f89e433683f9040b', 'nlb0',
                           'public', 'project-1', 4096, 2)], rows)

    def test_an_unauthenticated_caller(self):
        self.requests.get(fakes.FPGA + '/bitstreams', status_code=401,
                          json=fakes.error(401, 7, 'The token is expired'))
        error = self.assertRaises(exceptions.CommandError, self.take_action,
                                  bitstreams.ListBitstream)
        self.assertEqual('HTTP 401 (code 7): The token is expired',
                         str(error))
