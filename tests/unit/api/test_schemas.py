"""The bodies the API takes."""

import testtools
import webob

from nova_fpga.api import errors
from nova_fpga.api import schemas
from nova_fpga.regions import results

IMAGE_ID = '11111111-0000-4000-8000-000000000001'


def extract(body, schema):
    request = webob.Request.blank('/', method='POST')
    request.body = body if isinstance(body, bytes) else body.encode()
    return schemas.extract(request, schema)


class ExtractTest(testtools.TestCase):

    def assertRefused(self, body, schema, detail):
        e = self.assertRaises(errors.Refused, extract, body, schema)
        self.assertEqual((results.USAGE, 400), (e.code, e.status))
        self.assertIn(detail, str(e))
        return str(e)

    def test_program(self):
        self.assertEqual({'glance_bitstream_uuid': IMAGE_ID},
                         extract('{"glance_bitstream_uuid": "%s"}' % IMAGE_ID,
                                 schemas.PROGRAM))
        self.assertEqual({'glance_bitstream_uuid': IMAGE_ID, 'force': True},
                         extract('{"glance_bitstream_uuid": "%s", '
                                 '"force": true}' % IMAGE_ID,
                                 schemas.PROGRAM))

    def test_program_needs_an_image_uuid(self):
        for body, detail in (
                ('{}', "bad body: 'glance_bitstream_uuid' is a required "
                       "property"),
                (b'', "'glance_bitstream_uuid' is a required property"),
                ('{"glance_bitstream_uuid": null}', 'is not of type'),
                ('{"glance_bitstream_uuid": "nlb"}', "'nlb' is not a 'uuid'"),
                ('{"glance_bitstream_uuid": "%s"}' % IMAGE_ID[:-1],
                 "is not a 'uuid'"),
                ('{"glance_bitstream_uuid": "%s"}' % IMAGE_ID.replace(
                    '-', ''), "is not a 'uuid'")):
            self.assertRefused(body, schemas.PROGRAM, detail)

    def test_program_takes_no_other_key(self):
        self.assertRefused(
            '{"glance_bitstream_uuid": "%s", "mode": "reset"}' % IMAGE_ID,
            schemas.PROGRAM, "Additional properties are not allowed ('mode' "
            "was unexpected)")

    def test_force_is_a_boolean(self):
        for schema, body in (
                (schemas.PROGRAM, '{"glance_bitstream_uuid": "%s", '
                                  '"force": "true"}' % IMAGE_ID),
                (schemas.SCRUB, '{"force": 1}')):
            self.assertRefused(body, schema, "is not of type 'boolean'")

    def test_scrub(self):
        self.assertEqual({}, extract(b'', schemas.SCRUB))
        self.assertEqual({}, extract('{}', schemas.SCRUB))
        for mode in ('reset', 'blank'):
            self.assertEqual({'mode': mode, 'force': False},
                             extract('{"mode": "%s", "force": false}' % mode,
                                     schemas.SCRUB))

    def test_scrub_modes(self):
        for mode in ('"none"', '"wipe"', '""', 'null', '1'):
            self.assertRefused('{"mode": %s}' % mode, schemas.SCRUB,
                               "is not one of ['reset', 'blank']")

    def test_scrub_takes_no_other_key(self):
        self.assertRefused('{"glance_bitstream_uuid": "%s"}' % IMAGE_ID,
                           schemas.SCRUB,
                           'Additional properties are not allowed')

    def test_no_json(self):
        for body in ('{"mode": ', 'mode=reset', '\xff'):
            self.assertRefused(body, schemas.SCRUB, 'the body is no JSON: ')

    def test_no_object(self):
        for body in ('[]', '"reset"', '42', 'null'):
            self.assertRefused(body, schemas.SCRUB, "is not of type 'object'")
