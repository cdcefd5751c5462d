"""/bitstreams: the FPGA images the caller sees, and the regions each fits."""

from nova import exception as nova_exception

from nova_fpga.regions import results
from tests.unit.api import base


def image(image_id, interface_id, **properties):
    return {'id': image_id, 'name': 'image-%s' % image_id, 'size': 1024,
            'owner': base.PROJECT, 'is_public': False,
            'properties': dict(properties, fpga_interface_id=interface_id,
                               fpga_function='nlb', fpga_vendor='intel')}


class BitstreamsTest(base.APITestCase):

    def test_the_images_and_the_free_regions_each_fits(self):
        self.image_api.get_all.return_value = [
            image('n6000', base.N6000.upper(), fpga_function_id=base.NLB0),
            image('u250', base.U250),
            image('bad', 'not-an-id')]
        body = self.assertOK(self.call('/bitstreams', context=self.reader))
        self.assertEqual({'bitstreams': [
            {'id': 'n6000', 'name': 'image-n6000', 'vendor': 'intel',
             'interface_id': base.N6000, 'function_id': base.NLB0,
             'function': 'nlb', 'visibility': None, 'owner': base.PROJECT,
             'size': 1024, 'fits_free_regions': 1},
            {'id': 'u250', 'name': 'image-u250', 'vendor': 'intel',
             'interface_id': base.U250, 'function_id': None,
             'function': 'nlb', 'visibility': None, 'owner': base.PROJECT,
             'size': 1024, 'fits_free_regions': 0},
            {'id': 'bad', 'name': 'image-bad', 'vendor': 'intel',
             'interface_id': None, 'function_id': None, 'function': 'nlb',
             'visibility': None, 'owner': base.PROJECT, 'size': 1024,
             'fits_free_regions': 0}]}, body)
        # Asked with the caller's token, for active FPGA images only.
        self.image_api.get_all.assert_called_once_with(
            self.reader, filters={'tag': ['FPGA'], 'status': 'active'})

    def test_listing_needs_the_reader_role(self):
        self.assertError(self.call('/bitstreams',
                                   context=self.context('u', 'p')),
                         403, results.FORBIDDEN,
                         'Policy does not allow fpga:bitstreams:list')
        self.image_api.get_all.assert_not_called()

    def test_glance_cannot_be_asked(self):
        self.image_api.get_all.side_effect = (
            nova_exception.ImageNotAuthorized(image_id='x'))
        detail = self.assertError(
            self.call('/bitstreams', context=self.reader), 503,
            results.UNAVAILABLE)
        self.assertIn('Glance cannot be asked: ', detail)
