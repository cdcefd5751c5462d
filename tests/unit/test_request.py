"""Flavor extra specs and image properties to the request to load."""

import fixtures
import testtools

from nova_fpga import request

BITSTREAM = '8a3f6e52-0b5c-4c8e-9d2a-6f1e2b3c4d5e'
OTHER = '11111111-2222-4333-8444-555555555555'


def parse(extra_specs=None, image_properties=None):
    return request.from_flavor_and_image(extra_specs or {},
                                         image_properties or {})


class RequestTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.logs = self.useFixture(fixtures.FakeLogger())

    def assertInvalid(self, message, **kwargs):
        e = self.assertRaises(request.InvalidRequest, parse, **kwargs)
        self.assertEqual(message, str(e))

    def test_nothing_asked(self):
        self.assertIsNone(parse({'resources:FPGA': '1'}, {'hw_foo': 'x'}))

    def test_flavor(self):
        self.assertEqual(request.Request(bitstream_id=BITSTREAM),
                         parse({'fpga:bitstream': BITSTREAM.upper()}))
        self.assertEqual(request.Request(function='nlb 400'),
                         parse({'fpga:function': 'nlb 400'}))

    def test_image(self):
        self.assertEqual(request.Request(bitstream_id=BITSTREAM),
                         parse(image_properties={'fpga_bitstream': BITSTREAM}))
        self.assertEqual(request.Request(function='nlb'),
                         parse(image_properties={'fpga_function': 'nlb'}))

    def test_both_in_one_place(self):
        self.assertInvalid(
            'the flavor sets both fpga:bitstream and fpga:function; set one '
            'of them',
            extra_specs={'fpga:bitstream': BITSTREAM, 'fpga:function': 'x'})
        self.assertInvalid(
            'the image sets both fpga_bitstream and fpga_function; set one '
            'of them',
            image_properties={'fpga_bitstream': BITSTREAM,
                              'fpga_function': 'x'})

    def test_bad_values(self):
        self.assertInvalid(
            "the image sets fpga_bitstream to 'nlb', which is not a Glance "
            "image id", image_properties={'fpga_bitstream': 'nlb'})
        self.assertInvalid(
            "the flavor sets fpga:bitstream to '%s}', which is not a Glance "
            "image id" % BITSTREAM,
            extra_specs={'fpga:bitstream': BITSTREAM + '}'})
        for name in ('', ' ', ' nlb', 'nlb\n', 'a\nb'):
            self.assertRaises(request.InvalidRequest, parse,
                              {'fpga:function': name})

    def test_flavor_wins_and_says_so(self):
        found = parse({'fpga:function': 'nlb'},
                      {'fpga_bitstream': BITSTREAM})
        self.assertEqual(request.Request(function='nlb'), found)
        self.assertIn("The flavor asks for the bitstream of function 'nlb', "
                      "which wins over the image properties fpga_bitstream=%s"
                      % BITSTREAM, self.logs.output)

    def test_flavor_wins_over_a_bad_image(self):
        found = parse({'fpga:bitstream': BITSTREAM},
                      {'fpga_bitstream': OTHER, 'fpga_function': 'x'})
        self.assertEqual(request.Request(bitstream_id=BITSTREAM), found)
        self.assertIn('image properties fpga_bitstream=%s, fpga_function=x'
                      % OTHER, self.logs.output)

    def test_the_same_request_twice_is_no_conflict(self):
        parse({'fpga:bitstream': BITSTREAM}, {'fpga_bitstream': BITSTREAM})
        self.assertEqual('', self.logs.output)

    def test_describe(self):
        self.assertEqual('bitstream image %s' % BITSTREAM, request.Request(
            bitstream_id=BITSTREAM).describe())
        self.assertEqual("the bitstream of function 'nlb'",
                         request.Request(function='nlb').describe())


class KeysTest(testtools.TestCase):
    """Keys of our namespaces that are no request are refused, named."""

    def assertRefused(self, message, **kwargs):
        e = self.assertRaises(request.InvalidRequest, parse, **kwargs)
        self.assertEqual(message, str(e))

    def test_a_misspelt_flavor_key(self):
        self.assertRefused(
            'the flavor sets fpga:bitstrem, which is no FPGA request key '
            '(the flavor takes fpga:bitstream or fpga:function)',
            extra_specs={'fpga:bitstrem': BITSTREAM, 'resources:FPGA': '1'})

    def test_an_image_property_on_a_flavor(self):
        self.assertRefused(
            'the flavor sets fpga_function, which is no FPGA request key '
            '(fpga_function is a VM image property; here it is '
            'fpga:function)', extra_specs={'fpga_function': 'nlb'})

    def test_a_flavor_key_on_an_image(self):
        self.assertRefused(
            'the image sets fpga:bitstream, which is no FPGA request key '
            '(fpga:bitstream is a flavor extra spec; here it is '
            'fpga_bitstream)', image_properties={'fpga:bitstream': BITSTREAM})

    def test_a_misspelt_image_property(self):
        self.assertRefused(
            'the image sets fpga_funtion, which is no FPGA request key (the '
            'image takes fpga_bitstream or fpga_function)',
            image_properties={'fpga_funtion': 'nlb'})

    def test_other_keys_are_not_ours(self):
        self.assertEqual(request.Request(function='nlb'), parse(
            {'fpga:function': 'nlb', 'hw:cpu_policy': 'dedicated',
             'trait:CUSTOM_FPGA_INTEL': 'required'},
            {'hw_machine_type': 'q35', 'fpgafoo': 'x'}))

    def test_the_request_says_where_it_was_asked(self):
        self.assertEqual('flavor fpga:function',
                         parse({'fpga:function': 'nlb'}).key)
        self.assertEqual('image fpga_bitstream', parse(
            image_properties={'fpga_bitstream': BITSTREAM}).key)
