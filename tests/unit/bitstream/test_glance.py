import inspect
import os

import fixtures
from nova.image import glance as nova_glance
import testtools

from nova_fpga.bitstream import exception
from nova_fpga.bitstream import glance
from nova_fpga import model
from tests.unit.bitstream import fakes

CONTEXT = object()
REGION = model.Region('port0', interface_id=fakes.INTERFACE)
DEVICE = model.Device(address='0000:5e:00.0', vendor='intel', family='dfl',
                      board='n6000', vendor_id='8086', device_id='bcce',
                      regions=(REGION,))
XILINX = model.Device(address='0000:3b:00.0', vendor='xilinx', family='xrt',
                      board='u250', vendor_id='10ee', device_id='5004')


def uuid(n):
    return '00000000-0000-4000-8000-%012d' % n


def bitstream(n, interface_id=fakes.INTERFACE, function='nlb', **kwargs):
    props = {'fpga_interface_id': interface_id, 'fpga_function': function,
             'fpga_function_id': fakes.AFU, 'fpga_vendor': 'intel'}
    props.update(kwargs.pop('properties', {}))
    return fakes.Image(uuid(n), fakes.make_gbs(), name='bs%d' % n,
                       properties={k: v for k, v in props.items()
                                   if v is not None},
                       **kwargs)


class FakeImageAPITest(testtools.TestCase):

    def test_signatures_are_novas(self):
        for name in ('get', 'get_all', 'download'):
            self.assertEqual(
                inspect.signature(getattr(nova_glance.API, name)),
                inspect.signature(getattr(fakes.FakeImageAPI, name)), name)


class ByIdTest(testtools.TestCase):

    def resolve(self, api, image_id, region=REGION, device=DEVICE):
        return glance.resolve(CONTEXT, api, region, bitstream_id=image_id,
                              device=device)

    def assertRefused(self, error, api, image_id, message, **kwargs):
        e = self.assertRaises(error, self.resolve, api, image_id, **kwargs)
        self.assertIsInstance(e, exception.BitstreamError)
        self.assertIn(message, str(e))
        return str(e)

    def test_found(self):
        api = fakes.FakeImageAPI(bitstream(1), bitstream(2))
        meta = self.resolve(api, uuid(2))
        self.assertEqual(uuid(2), meta['id'])
        self.assertEqual('nlb', meta['properties']['fpga_function'])
        # Listed with the tag filter: Nova's image meta carries no tags.
        self.assertEqual(
            [('get_all', CONTEXT,
              {'id': uuid(2), 'tag': ['FPGA'], 'visibility': 'all',
               'member_status': 'all', 'os_hidden': 'false'})],
            api.calls)

    def test_community_image_named_by_id(self):
        api = fakes.FakeImageAPI(bitstream(1, listed=False))
        self.assertEqual(uuid(1), self.resolve(api, uuid(1))['id'])

    def test_hidden_image_named_by_id(self):
        api = fakes.FakeImageAPI(bitstream(1, os_hidden=True))
        self.assertEqual(uuid(1), self.resolve(api, uuid(1))['id'])
        self.assertEqual(['get_all', 'get', 'get_all'],
                         [call[0] for call in api.calls])

    def test_hidden_image_not_tagged(self):
        api = fakes.FakeImageAPI(bitstream(1, os_hidden=True, tags=()))
        self.assertRefused(exception.NotABitstream, api, uuid(1),
                           'it is not tagged FPGA')

    def test_seed_style_properties(self):
        image = fakes.Image(uuid(1), b'data', properties={
            'vendor': 'intel', 'type': 'crypto'})
        meta = self.resolve(fakes.FakeImageAPI(image), uuid(1))
        self.assertEqual('crypto', glance.function_name(meta))
        self.assertEqual('intel', glance.vendor(meta))

    def test_not_found(self):
        self.assertRefused(
            exception.BitstreamNotFound, fakes.FakeImageAPI(), uuid(9),
            'bitstream image %s: no such image, or not visible to the '
            'project' % uuid(9))

    def test_not_visible(self):
        api = fakes.FakeImageAPI(bitstream(1, visible=False))
        self.assertRefused(exception.BitstreamNotFound, api, uuid(1),
                           'not visible to the project')

    def test_not_an_id(self):
        api = fakes.FakeImageAPI(bitstream(1))
        self.assertRefused(exception.BitstreamNotFound, api, 'in:' + uuid(1),
                           'in:%s: not an image id' % uuid(1))
        self.assertEqual([], api.calls)

    def test_glance_failing(self):
        api = fakes.FakeImageAPI()
        api.get = mock_raise(ConnectionError('glance unreachable'))
        self.assertRefused(exception.ImageServiceError, api, uuid(1),
                           'looking it up in Glance failed: glance '
                           'unreachable')

    def test_glance_failing_to_list(self):
        api = fakes.FakeImageAPI(bitstream(1))
        api.get_all = mock_raise(ConnectionError('glance unreachable'))
        self.assertRefused(exception.ImageServiceError, api, uuid(1),
                           'looking it up in Glance failed: glance '
                           'unreachable')

    def test_not_tagged(self):
        api = fakes.FakeImageAPI(bitstream(1, tags=('bitstream',)))
        self.assertRefused(exception.NotABitstream, api, uuid(1),
                           'bitstream image %s (bs1): it is not tagged FPGA' %
                           uuid(1))

    def test_no_fpga_properties(self):
        api = fakes.FakeImageAPI(fakes.Image(uuid(1), b'data', name='disk',
                                             properties={'os_type': 'linux'}))
        self.assertRefused(exception.NotABitstream, api, uuid(1),
                           'has none of the properties fpga_interface_id')

    def test_not_active(self):
        api = fakes.FakeImageAPI(bitstream(1, status='deactivated'))
        self.assertRefused(exception.NotABitstream, api, uuid(1),
                           'its status is deactivated, not active')

    def test_other_interface(self):
        api = fakes.FakeImageAPI(
            bitstream(1, interface_id=fakes.dashed(fakes.OTHER_INTERFACE)))
        self.assertRefused(
            exception.IncompatibleBitstream, api, uuid(1),
            'built for interface %s, region port0 has %s' % (
                fakes.OTHER_INTERFACE, fakes.INTERFACE))

    def test_region_without_interface(self):
        api = fakes.FakeImageAPI(bitstream(1))
        self.assertRefused(exception.IncompatibleBitstream, api, uuid(1),
                           'region region0 has none',
                           region=model.Region('region0'))

    def test_bad_interface_property(self):
        api = fakes.FakeImageAPI(bitstream(1, interface_id='n6000'))
        self.assertRefused(exception.NotABitstream, api, uuid(1),
                           "fpga_interface_id 'n6000' is not a 32-digit hex "
                           "id or UUID")

    def test_other_vendor(self):
        api = fakes.FakeImageAPI(bitstream(1))
        self.assertRefused(exception.IncompatibleBitstream, api, uuid(1),
                           'vendor intel, the card is xilinx (10ee)',
                           device=XILINX)

    def test_vendor_spellings(self):
        for spelling, device in (('Intel', DEVICE), ('0x8086', DEVICE),
                                 ('8086', DEVICE), ('AMD', XILINX),
                                 ('xilinx', XILINX)):
            api = fakes.FakeImageAPI(
                bitstream(1, properties={'fpga_vendor': spelling}))
            self.assertEqual(uuid(1),
                             self.resolve(api, uuid(1), device=device)['id'])

    def test_exactly_one_of_id_and_function(self):
        api = fakes.FakeImageAPI(bitstream(1))
        self.assertRaises(ValueError, glance.resolve, CONTEXT, api, REGION)
        self.assertRaises(ValueError, glance.resolve, CONTEXT, api, REGION,
                          bitstream_id=uuid(1), function='nlb')


def mock_raise(error):
    def fail(*args, **kwargs):
        raise error
    return fail


class ByFunctionTest(testtools.TestCase):

    def resolve(self, api, function='nlb', region=REGION, device=DEVICE):
        return glance.resolve(CONTEXT, api, region, function=function,
                              device=device)

    def test_picks_the_image_that_fits(self):
        api = fakes.FakeImageAPI(
            bitstream(1, interface_id=fakes.OTHER_INTERFACE),
            bitstream(2, interface_id=fakes.dashed(fakes.INTERFACE).upper()),
            bitstream(3, function='crypto'))
        self.assertEqual(uuid(2), self.resolve(api)['id'])
        self.assertEqual(
            [('get_all', CONTEXT, {'tag': ['FPGA'], 'status': 'active'})],
            api.calls)

    def test_seed_style_type(self):
        api = fakes.FakeImageAPI(bitstream(
            1, function=None,
            properties={'type': 'crypto', 'fpga_vendor': None,
                        'vendor': 'intel'}))
        self.assertEqual(uuid(1), self.resolve(api, 'crypto')['id'])

    def test_vendor_must_match(self):
        api = fakes.FakeImageAPI(
            bitstream(1, properties={'fpga_vendor': 'xilinx'}),
            bitstream(2))
        self.assertEqual(uuid(2), self.resolve(api)['id'])

    def test_none_found(self):
        api = fakes.FakeImageAPI(
            bitstream(1, interface_id=fakes.OTHER_INTERFACE),
            bitstream(2, interface_id=None),
            bitstream(3, properties={'fpga_vendor': 'xilinx'}),
            bitstream(4, interface_id='bogus'),
            bitstream(5, function='crypto'))
        e = self.assertRaises(exception.BitstreamNotFound, self.resolve, api)
        self.assertEqual(
            "no active image tagged FPGA visible to the project has function "
            "'nlb' for interface %(if)s and vendor intel; passed over "
            "%(1)s: built for interface %(other)s, region port0 has %(if)s; "
            "%(2)s: no fpga_interface_id; "
            "%(3)s: vendor xilinx, the card is intel (8086); "
            "%(4)s: fpga_interface_id 'bogus' is not a 32-digit hex id or "
            "UUID" % {'if': fakes.INTERFACE, 'other': fakes.OTHER_INTERFACE,
                      '1': uuid(1), '2': uuid(2), '3': uuid(3),
                      '4': uuid(4)},
            str(e))

    def test_none_at_all(self):
        e = self.assertRaises(exception.BitstreamNotFound, self.resolve,
                              fakes.FakeImageAPI(), 'nlb', REGION, None)
        self.assertEqual(
            "no active image tagged FPGA visible to the project has function "
            "'nlb' for interface %s" % fakes.INTERFACE, str(e))

    def test_ambiguous(self):
        api = fakes.FakeImageAPI(bitstream(2), bitstream(1), bitstream(3))
        e = self.assertRaises(exception.AmbiguousBitstream, self.resolve,
                              api)
        self.assertIn('3 images tagged FPGA have function', str(e))
        self.assertIn('%s, %s, %s; name one by id' % (uuid(1), uuid(2),
                                                      uuid(3)), str(e))

    def test_glance_failing(self):
        api = fakes.FakeImageAPI()
        api.get_all = mock_raise(ConnectionError('glance unreachable'))
        e = self.assertRaises(exception.ImageServiceError, self.resolve, api)
        self.assertIn('listing images tagged FPGA in Glance failed: glance '
                      'unreachable', str(e))


class FetchTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dst = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                'dst')

    def test_download(self):
        api = fakes.FakeImageAPI(bitstream(1))
        with open(self.dst, 'wb') as dst:
            glance.fetch(CONTEXT, api, uuid(1), dst)
        # Written to the file given, not to a path of Nova's choosing.
        self.assertEqual(('download', CONTEXT, uuid(1), None), api.calls[-1])
        with open(self.dst, 'rb') as f:
            self.assertEqual(fakes.make_gbs(), f.read())

    def test_download_failing(self):
        api = fakes.FakeImageAPI(bitstream(1))
        api.fail_download = IOError('connection reset')
        with open(self.dst, 'wb') as dst:
            e = self.assertRaises(exception.ImageServiceError, glance.fetch,
                                  CONTEXT, api, uuid(1), dst)
        self.assertEqual('bitstream image %s: download failed: connection '
                         'reset' % uuid(1), str(e))
