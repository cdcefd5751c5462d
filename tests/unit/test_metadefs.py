"""The Glance metadefs describe what the plugin reads, as it reads it."""

import json
import os
import re

import testtools

from nova_fpga.bitstream import glance
from nova_fpga import request

METADEFS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'etc', 'metadefs')


def load(name):
    with open(os.path.join(METADEFS, name)) as f:
        return json.load(f)


def names(namespace, resource_type):
    prefix = next(a.get('prefix', '') for a in
                  namespace['resource_type_associations']
                  if a['name'] == resource_type)
    return {prefix + name: prop
            for name, prop in namespace['properties'].items()}


class MetadefsTest(testtools.TestCase):

    def test_bitstream_properties_are_those_the_plugin_reads(self):
        found = names(load('nova-fpga-bitstream.json'), 'OS::Glance::Image')
        self.assertEqual(set(glance._MARKS), set(found))
        pattern = found['fpga_interface_id']['pattern']
        for good in ('ce3139c959cf528ca27751c50829797a',
                     'ce3139c9-59cf-528c-a277-51c50829797a'):
            self.assertTrue(re.match(pattern, good), good)
        self.assertFalse(re.match(pattern, 'nlb'))

    def test_request_keys_are_those_of_flavors_and_images(self):
        namespace = load('nova-fpga-request.json')
        flavor = names(namespace, 'OS::Nova::Flavor')
        image = names(namespace, 'OS::Glance::Image')
        self.assertEqual({request.BITSTREAM, request.FUNCTION}, set(flavor))
        self.assertEqual({request.IMAGE_BITSTREAM, request.IMAGE_FUNCTION},
                         set(image))
        self.assertEqual('^%s$' % request.BITSTREAM_PATTERN,
                         flavor[request.BITSTREAM]['pattern'])
        self.assertEqual('^%s$' % request.FUNCTION_PATTERN,
                         flavor[request.FUNCTION]['pattern'])
