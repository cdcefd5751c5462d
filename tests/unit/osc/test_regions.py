"""``openstack fpga region list|show|program|scrub``."""

import io
import json

import fixtures
from osc_lib import exceptions

from nova_fpga.osc.v1 import regions
from tests.unit.osc import fakes

LIST_COLUMNS = ['UUID', 'Host', 'Identifier', 'Vendor', 'Board',
                'Function ID', 'Bitstream', 'State', 'Holder Server',
                'Holder Project']
HELD_ROW = [fakes.HELD['uuid'], 'compute-1', '0000:5e:00.0_0', 'intel',
            'n6000', 'd8424dc4a4a3c413f89e433683f9040b', 'nlb0', 'held',
            'server-1', 'project-1']
FREE_ROW = [fakes.FREE['uuid'], 'compute-1', '0000:5e:00.0_1', 'intel',
            'n6000', None, None, 'free', None, None]
REGION_FIELDS = ('uuid', 'host', 'node', 'identifier', 'address', 'region',
                 'vendor', 'board', 'interface_id', 'function_id',
                 'bitstream', 'state', 'holder', 'updated_at')
LIVE = {
    'health': 'ok', 'health_reason': None,
    'last_programmed': {'at': '2025-05-01T09:59:00Z', 'by': 'project-1',
                        'image_id': fakes.IMAGE_ID, 'image_name': 'nlb0',
                        'function_id': 'd8424dc4a4a3c413f89e433683f9040b',
                        'outcome': 'programmed'},
    'last_scrubbed': None, 'quarantine': None,
    'metrics': {'programmed': 3, 'failures': 0,
                'programming_seconds_last': 1.5},
}
REGION_URL = fakes.FPGA + '/regions/' + fakes.HELD['uuid']
IMAGES_URL = fakes.IMAGE + '/v2/images'


def page(*found, next_href=None):
    body = {'regions': list(found)}
    if next_href:
        body['regions_links'] = [{'rel': 'next', 'href': next_href}]
    return {'json': body}


class ListRegionTest(fakes.TestCase):

    def test_columns_and_rows(self):
        self.requests.get(fakes.FPGA + '/regions',
                          **page(fakes.HELD, fakes.FREE))
        columns, rows = self.take_action(regions.ListRegion)
        self.assertEqual(LIST_COLUMNS, columns)
        self.assertEqual([HELD_ROW, FREE_ROW], rows)
        self.assertEqual({}, self.requests.last_request.qs)

    def test_long_adds_interface_address_region_and_update_time(self):
        self.requests.get(fakes.FPGA + '/regions', **page(fakes.HELD))
        columns, rows = self.take_action(regions.ListRegion, '--long')
        self.assertEqual(LIST_COLUMNS + ['Interface ID', 'Address', 'Region',
                                         'Updated At'], columns)
        self.assertEqual([HELD_ROW + ['bfac4d851ee856fe8c95865ce1bbaa2d',
                                      '0000:5e:00.0', '0',
                                      '2025-05-01T10:00:00Z']], rows)

    def test_filters_limit_and_marker_are_the_query_one_page(self):
        self.requests.get(fakes.FPGA + '/regions', [
            page(fakes.FREE, next_href=fakes.FPGA + '/regions?marker=x'),
            page(fakes.HELD)])
        _, rows = self.take_action(
            regions.ListRegion, '--host', 'compute-1', '--vendor', 'intel',
            '--board', 'n6000', '--function', 'F00D', '--interface', 'BFAC',
            '--state', 'free', '--limit', '1', '--marker', fakes.HELD['uuid'])
        self.assertEqual([FREE_ROW], rows)
        [request] = self.api_requests()
        self.assertEqual(
            {'host': ['compute-1'], 'vendor': ['intel'], 'board': ['n6000'],
             'function': ['F00D'], 'interface': ['BFAC'], 'state': ['free'],
             'limit': ['1'], 'marker': [fakes.HELD['uuid']]}, request.qs)

    def test_without_a_limit_next_links_are_followed_to_the_end(self):
        third = dict(fakes.FREE, uuid='e5f4c0f7-0a0e-4c77-a04d-6e0c1f3f4a43')
        links = [fakes.FPGA + '/regions?host=compute-1&marker=' + uuid
                 for uuid in (fakes.HELD['uuid'], fakes.FREE['uuid'])]
        self.requests.get(fakes.FPGA + '/regions', [
            page(fakes.HELD, next_href=links[0]),
            page(fakes.FREE, next_href=links[1]),
            page(third)])
        _, rows = self.take_action(regions.ListRegion, '--host', 'compute-1')
        self.assertEqual([fakes.HELD['uuid'], fakes.FREE['uuid'],
                          third['uuid']], [row[0] for row in rows])
        self.assertEqual([fakes.FPGA + '/regions?host=compute-1'] + links,
                         [request.url for request in self.api_requests()])


class ShowRegionTest(fakes.TestCase):

    def setUp(self):
        super().setUp()
        self.requests.get(REGION_URL,
                          json={'region': dict(fakes.HELD, live=LIVE)})

    def test_region_and_live_fields(self):
        columns, data = self.take_action(regions.ShowRegion,
                                         fakes.HELD['uuid'])
        shown = dict(zip(columns, data))
        self.assertEqual(REGION_FIELDS + ('health', 'health_reason',
                                          'last_programmed', 'last_scrubbed',
                                          'quarantine', 'metrics'), columns)
        self.assertEqual(('held', 'ok', '0000:5e:00.0_0'),
                         (shown['state'], shown['health'],
                          shown['identifier']))
        self.assertEqual("id='%s', name='nlb0'" % fakes.IMAGE_ID,
                         shown['bitstream'].human_readable())
        self.assertEqual(LIVE['metrics'], shown['metrics'].machine_readable())

    def test_json_keeps_the_nested_objects(self):
        command, parsed_args = self.parse(
            regions.ShowRegion, fakes.HELD['uuid'], '-f', 'json')
        command.run(parsed_args)
        shown = json.loads(self.app.stdout.getvalue())
        self.assertEqual(fakes.HELD['holder'], shown['holder'])
        self.assertEqual(LIVE['last_programmed'], shown['last_programmed'])
        self.assertEqual({}, shown['last_scrubbed'])

    def test_an_unknown_region(self):
        detail = 'No FPGA region nope'
        self.requests.get(fakes.FPGA + '/regions/nope', status_code=404,
                          json=fakes.error(404, 2, detail))
        error = self.assertRaises(exceptions.CommandError, self.take_action,
                                  regions.ShowRegion, 'nope')
        self.assertEqual('HTTP 404 (code 2): ' + detail, str(error))


class ProgramRegionTest(fakes.TestCase):

    def setUp(self):
        super().setUp()
        self.program = self.requests.post(REGION_URL, json={
            'code': 0, 'msg': 'bitstream has been loaded successfully',
            'outcome': 'programmed', 'region': fakes.HELD})

    def images(self, *found):
        self.requests.get(IMAGES_URL, json={'images': [
            {'id': image_id, 'name': 'nlb0'} for image_id in found]})

    def test_an_image_name_is_looked_up_in_glance(self):
        self.images(fakes.IMAGE_ID)
        columns, data = self.take_action(
            regions.ProgramRegion, fakes.HELD['uuid'], 'nlb0')
        [_, lookup, post] = self.requests.request_history
        self.assertEqual((IMAGES_URL + '?name=nlb0', fakes.TOKEN),
                         (lookup.url, lookup.headers['X-Auth-Token']))
        self.assertEqual({'glance_bitstream_uuid': fakes.IMAGE_ID},
                         post.json())
        self.assertEqual('fpga 1.0', post.headers['OpenStack-API-Version'])
        self.assertEqual(REGION_FIELDS + ('outcome',), columns)
        self.assertEqual(('held', 'programmed'), (data[11], data[-1]))

    def test_an_image_id_goes_as_it_is_and_force_when_asked(self):
        self.take_action(regions.ProgramRegion, fakes.HELD['uuid'],
                         fakes.IMAGE_ID, '--force')
        self.assertEqual({'glance_bitstream_uuid': fakes.IMAGE_ID,
                          'force': True}, self.program.last_request.json())
        self.assertFalse(any(request.url.startswith(fakes.IMAGE)
                             for request in self.requests.request_history))

    def test_an_unknown_image_name(self):
        self.images()
        error = self.assertRaises(exceptions.CommandError, self.take_action,
                                  regions.ProgramRegion, fakes.HELD['uuid'],
                                  'no-such-image')
        self.assertEqual("No image named 'no-such-image' is visible to you",
                         str(error))
        self.assertFalse(self.program.called)

    def test_an_image_name_two_images_share(self):
        self.images(fakes.IMAGE_ID, '0d3c5a8e-1f1e-4b8b-8b7e-2a6f5c4d3e20')
        error = self.assertRaises(exceptions.CommandError, self.take_action,
                                  regions.ProgramRegion, fakes.HELD['uuid'],
                                  'nlb0')
        self.assertIn("More than one image is named 'nlb0'", str(error))
        self.assertFalse(self.program.called)

    def test_refused_by_policy(self):
        detail = ("Policy doesn't allow fpga:regions:program:any: region %s "
                  "is held by another project" % fakes.HELD['uuid'])
        self.requests.post(REGION_URL, status_code=403,
                           json=fakes.error(403, 8, detail))
        error = self.assertRaises(exceptions.CommandError, self.take_action,
                                  regions.ProgramRegion, fakes.HELD['uuid'],
                                  fakes.IMAGE_ID)
        self.assertEqual('HTTP 403 (code 8): ' + detail, str(error))


class ScrubRegionTest(fakes.TestCase):

    def setUp(self):
        super().setUp()
        self.scrub = self.requests.post(REGION_URL + '/scrub', json={
            'code': 0, 'msg': 'region scrubbed', 'outcome': 'scrubbed',
            'region': fakes.FREE})

    def test_mode_and_force(self):
        columns, data = self.take_action(
            regions.ScrubRegion, fakes.HELD['uuid'], '--mode', 'blank',
            '--force')
        self.assertEqual({'mode': 'blank', 'force': True},
                         self.scrub.last_request.json())
        shown = dict(zip(columns, data))
        self.assertEqual(('free', 'scrubbed', fakes.FREE['uuid']),
                         (shown['state'], shown['outcome'], shown['uuid']))

    def test_the_computes_mode_by_default(self):
        self.take_action(regions.ScrubRegion, fakes.HELD['uuid'])
        self.assertEqual({}, self.scrub.last_request.json())

    def test_an_unknown_mode_is_refused_before_any_request(self):
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', io.StringIO()))
        self.assertRaises(SystemExit, self.parse, regions.ScrubRegion,
                          fakes.HELD['uuid'], '--mode', 'wipe')
        self.assertFalse(self.scrub.called)
