"""/regions: list, show, program and scrub, by who may, as computes answer."""

from urllib import parse

from nova_fpga.api import compute_rpc
from nova_fpga.api import listing
from nova_fpga.regions import results
from tests.unit.api import base

OWN = base.OWN
FREE = base.FREE
OTHERS = base.OTHERS
QUARANTINED = base.QUARANTINED
OWN_QUARANTINED = base.OWN_QUARANTINED


def uuids_of(body):
    return [r['uuid'] for r in body['regions']]


class ListTest(base.APITestCase):

    def list(self, query='', context=None):
        return self.call('/regions' + query, context=context or self.admin)

    def test_an_admin_sees_every_region(self):
        body = self.assertOK(self.list())
        self.assertEqual({'regions': base.REGIONS}, body)
        self.all_regions.assert_called_once_with(self.admin, None)

    def test_a_member_sees_only_the_regions_of_its_project(self):
        for context in (self.member, self.reader):
            body = self.assertOK(self.list(context=context))
            self.assertEqual([OWN, OWN_QUARANTINED], body['regions'])

    def test_a_member_of_another_project_sees_its_own(self):
        body = self.assertOK(self.list(context=self.context(
            'u', base.OTHER_PROJECT, 'reader')))
        self.assertEqual([OTHERS['uuid']], uuids_of(body))

    def test_a_project_holding_nothing_sees_nothing(self):
        body = self.assertOK(self.list(context=self.context(
            'u', 'project-c', 'reader')))
        self.assertEqual({'regions': []}, body)

    def test_listing_needs_the_reader_role(self):
        self.assertError(self.list(context=self.context('u', base.PROJECT)),
                         403, results.FORBIDDEN,
                         'Policy does not allow fpga:regions:list')
        self.all_regions.assert_not_called()

    def test_each_filter(self):
        for query, expected in (
                ('host=compute-1', [OWN, FREE]),
                ('host=compute-3', []),
                ('vendor=xilinx', [OTHERS]),
                ('board=n6000', [OWN, FREE, OWN_QUARANTINED]),
                ('board=d5005', [QUARANTINED]),
                ('function=%s' % base.NLB0,
                 [OWN, FREE, QUARANTINED, OWN_QUARANTINED]),
                ('interface=%s' % base.U250, [OTHERS]),
                ('interface=%s' % base.D5005, [QUARANTINED]),
                ('state=free', [FREE]),
                ('state=held', [OWN, OTHERS]),
                ('state=quarantined', [QUARANTINED, OWN_QUARANTINED]),
                ('state=unhealthy', []),
                ('host=compute-2&state=quarantined&board=n6000',
                 [OWN_QUARANTINED])):
            body = self.assertOK(self.list('?' + query))
            self.assertEqual([r['uuid'] for r in expected], uuids_of(body),
                             query)

    def test_filters_apply_to_the_regions_a_member_sees(self):
        body = self.assertOK(self.list('?host=compute-1',
                                       context=self.member))
        self.assertEqual([OWN['uuid']], uuids_of(body))

    def test_an_unknown_filter(self):
        self.assertError(self.list('?colour=red&flavor=x'), 400,
                         results.USAGE,
                         'unknown query parameter(s): colour, flavor')

    def test_an_unknown_state(self):
        detail = self.assertError(self.list('?state=busy'), 400,
                                  results.USAGE)
        self.assertEqual('state must be one of free, held, programming, '
                         'quarantined, unhealthy, reserved', detail)

    def test_pages(self):
        body = self.assertOK(self.list('?limit=2'))
        self.assertEqual([OWN['uuid'], FREE['uuid']], uuids_of(body))
        (link,) = body['regions_links']
        self.assertEqual('next', link['rel'])
        url = parse.urlsplit(link['href'])
        self.assertEqual(('http', 'localhost', '/regions'),
                         (url.scheme, url.netloc, url.path))
        self.assertEqual({'limit': ['2'], 'marker': [FREE['uuid']]},
                         parse.parse_qs(url.query))
        body = self.assertOK(self.list('?' + url.query))
        self.assertEqual([OTHERS['uuid'], QUARANTINED['uuid']],
                         uuids_of(body))
        url = parse.urlsplit(body['regions_links'][0]['href'])
        body = self.assertOK(self.list('?' + url.query))
        self.assertEqual({'regions': [OWN_QUARANTINED]}, body)

    def test_no_next_link_when_the_page_holds_the_rest(self):
        for query in ('?limit=5', '?limit=6', '?marker=%s&limit=3' %
                      FREE['uuid']):
            body = self.assertOK(self.list(query))
            self.assertNotIn('regions_links', body, query)

    def test_the_next_link_keeps_the_filters(self):
        body = self.assertOK(self.list('?state=quarantined&limit=1'))
        self.assertEqual([QUARANTINED['uuid']], uuids_of(body))
        query = parse.urlsplit(body['regions_links'][0]['href']).query
        self.assertEqual({'state': ['quarantined'], 'limit': ['1'],
                          'marker': [QUARANTINED['uuid']]},
                         parse.parse_qs(query))
        body = self.assertOK(self.list('?' + query))
        self.assertEqual({'regions': [OWN_QUARANTINED]}, body)

    def test_a_marker_without_limit(self):
        body = self.assertOK(self.list('?marker=%s' % OTHERS['uuid']))
        self.assertEqual([QUARANTINED, OWN_QUARANTINED], body['regions'])

    def test_the_longest_page_is_the_configured_one(self):
        self.flags(max_limit=3, group='api')
        self.api = self.api.__class__()
        for query in ('', '?limit=100'):
            body = self.assertOK(self.list(query))
            self.assertEqual(3, len(body['regions']))
            self.assertIn('limit=3', body['regions_links'][0]['href'])

    def test_a_marker_that_is_no_region_of_the_list(self):
        for marker in (base.uuids.gone, OTHERS['uuid']):
            self.assertError(
                self.list('?marker=%s' % marker, context=self.member), 400,
                results.USAGE,
                'marker %s is no region of this list' % marker)

    def test_a_bad_limit(self):
        for limit, detail in (('0', 'limit must be at least 1'),
                              ('-3', 'limit must be at least 1'),
                              ('two', 'limit must be an integer')):
            self.assertError(self.list('?limit=' + limit), 400,
                             results.USAGE, detail)


class ShowTest(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.computes.show.side_effect = lambda context, host, identifier: {
            'code': results.OK, 'msg': 'FPGA region %s' % identifier,
            'region': dict(base.summary(self.shown, state='programming'),
                           live=base.LIVE)}

    def show(self, listed, context):
        self.shown = listed
        return self.call('/regions/%s' % listed['uuid'], context=context)

    def test_an_admin_sees_any_region(self):
        for listed in (OWN, OTHERS, FREE):
            body = self.assertOK(self.show(listed, self.admin))
            # As listed, as its compute sees it now, and its live view.
            self.assertEqual({'region': dict(listed, state='programming',
                                             live=base.LIVE)}, body)
            self.computes.show.assert_called_with(
                self.admin, listed['host'], listed['identifier'])
            self.finder.find.assert_called_with(self.admin, listed['uuid'])

    def test_a_member_sees_a_region_of_its_project(self):
        body = self.assertOK(self.show(OWN, self.reader))
        self.assertEqual(OWN['uuid'], body['region']['uuid'])
        self.assertEqual(base.LIVE, body['region']['live'])

    def test_a_member_does_not_see_other_regions(self):
        for listed in (OTHERS, FREE, QUARANTINED):
            self.assertError(self.show(listed, self.member), 404,
                             results.NO_SUCH_REGION,
                             'FPGA region %s: no such region' %
                             listed['uuid'])

    def test_no_such_region(self):
        self.assertError(
            self.call('/regions/%s' % base.uuids.gone, context=self.admin),
            404, results.NO_SUCH_REGION,
            'FPGA region %s: no such region' % base.uuids.gone)
        self.computes.show.assert_not_called()

    def test_gone_from_its_compute(self):
        self.computes.show.side_effect = None
        self.computes.show.return_value = {
            'code': results.NO_SUCH_REGION,
            'msg': 'FPGA region %s: no such region on this host' %
                   OWN['identifier']}
        self.assertError(self.show(OWN, self.admin), 404,
                         results.NO_SUCH_REGION,
                         'FPGA region %s: no such region on this host' %
                         OWN['identifier'])

    def test_placement_unavailable(self):
        self.finder.find.side_effect = listing.PlacementUnavailable(
            'Placement answered 500')
        self.assertError(self.show(OWN, self.admin), 503,
                         results.UNAVAILABLE,
                         'FPGA region %s: Placement cannot be asked: '
                         'Placement answered 500' % OWN['uuid'])
        self.computes.show.assert_not_called()

    def test_the_compute_does_not_answer(self):
        self.computes.show.side_effect = compute_rpc.Unavailable(
            'host compute-1 did not answer within 300 s')
        self.assertError(self.show(OWN, self.admin), 503,
                         results.UNAVAILABLE,
                         'FPGA region %s: host compute-1 did not answer '
                         'within 300 s' % OWN['uuid'])

    def test_the_compute_down_names_its_host_to_the_holder_only(self):
        self.computes.show.side_effect = compute_rpc.Unavailable(
            'host compute-1 is down')
        self.assertError(self.show(OWN, self.reader), 503,
                         results.UNAVAILABLE,
                         'FPGA region %s: host compute-1 is down' %
                         OWN['uuid'])
        for listed in (OTHERS, FREE):
            self.assertError(self.show(listed, self.member), 404,
                             results.NO_SUCH_REGION,
                             'FPGA region %s: no such region' %
                             listed['uuid'])

    def test_showing_needs_the_reader_role(self):
        self.assertError(self.show(OWN, self.context('u', base.PROJECT)),
                         403, results.FORBIDDEN,
                         'Policy does not allow fpga:regions:show')
        self.finder.find.assert_not_called()
        self.computes.show.assert_not_called()


class ProgramTestCase(base.APITestCase):

    path = '/regions/%s'
    method = 'program'

    def post(self, listed, body, context):
        return self.call(self.path % listed['uuid'], method='POST',
                         context=context, body=body)

    def assertNothingAsked(self):
        self.computes.program.assert_not_called()
        self.computes.scrub.assert_not_called()


class ProgramTest(ProgramTestCase):

    def setUp(self):
        super().setUp()
        self.computes.program.return_value = base.done(
            OWN, function_id=base.NLB0,
            bitstream={'id': base.IMAGE_ID, 'name': 'nlb'})

    def program(self, listed=OWN, context=None, **body):
        return self.post(listed, dict(
            {'glance_bitstream_uuid': base.IMAGE_ID}, **body),
            context or self.admin)

    def test_an_admin_programs_any_region(self):
        body = self.assertOK(self.program())
        self.assertEqual({
            'code': 0, 'msg': 'bitstream has been loaded successfully',
            'outcome': 'programmed',
            'region': dict(OWN, bitstream={'id': base.IMAGE_ID,
                                           'name': 'nlb'})}, body)
        # The compute is to allow it whoever holds the region: no project.
        self.computes.program.assert_called_once_with(
            self.admin, base.HOST, OWN['identifier'], base.IMAGE_ID, None,
            False)

    def test_an_admin_forces(self):
        self.assertOK(self.program(OTHERS, force=True))
        self.computes.program.assert_called_once_with(
            self.admin, base.OTHER_HOST, OTHERS['identifier'],
            base.IMAGE_ID, None, True)

    def test_a_member_programs_for_its_project(self):
        self.assertOK(self.program(context=self.member))
        self.computes.program.assert_called_once_with(
            self.member, base.HOST, OWN['identifier'], base.IMAGE_ID,
            base.PROJECT, False)

    def test_a_member_asks_the_compute_even_for_another_region(self):
        # The compute decides from its record who holds the region.
        self.computes.program.return_value = {
            'code': results.FORBIDDEN,
            'msg': 'FPGA region %s, bitstream image %s: no server of '
                   'project %s holds the region; only rule '
                   'fpga:regions:program:any lets a caller work on other '
                   'regions' % (OTHERS['identifier'], base.IMAGE_ID,
                                base.PROJECT)}
        detail = self.assertError(self.program(OTHERS, self.member), 403,
                                  results.FORBIDDEN)
        self.assertIn('fpga:regions:program:any', detail)
        self.assertIn(OTHERS['identifier'], detail)
        self.computes.program.assert_called_once_with(
            self.member, base.OTHER_HOST, OTHERS['identifier'],
            base.IMAGE_ID, base.PROJECT, False)

    def test_a_reader_may_not(self):
        self.assertError(self.program(context=self.reader), 403,
                         results.FORBIDDEN,
                         'Policy does not allow fpga:regions:program')
        self.assertNothingAsked()
        self.finder.find.assert_not_called()

    def test_a_member_may_not_force(self):
        self.assertError(self.program(context=self.member, force=True), 403,
                         results.FORBIDDEN,
                         'Policy does not allow fpga:regions:force')
        self.assertNothingAsked()

    def test_force_false_is_no_force(self):
        self.assertOK(self.program(context=self.member, force=False))
        self.assertFalse(self.computes.program.call_args.args[5])

    def test_no_such_region(self):
        self.assertError(self.program({'uuid': base.uuids.gone}), 404,
                         results.NO_SUCH_REGION,
                         'FPGA region %s: no such region' % base.uuids.gone)
        self.assertNothingAsked()

    def test_bad_bodies(self):
        for body, detail in (
                ({}, "'glance_bitstream_uuid' is a required property"),
                ({'glance_bitstream_uuid': 'nlb'}, "is not a 'uuid'"),
                ({'glance_bitstream_uuid': 42}, 'is not of type'),
                ({'glance_bitstream_uuid': base.IMAGE_ID, 'image': 'x'},
                 'Additional properties are not allowed'),
                ({'glance_bitstream_uuid': base.IMAGE_ID, 'force': 'yes'},
                 "'yes' is not of type 'boolean'"),
                ([base.IMAGE_ID], 'is not of type'),
                (b'{"glance_bitstream_uuid": ', 'the body is no JSON')):
            found = self.assertError(self.post(OWN, body, self.admin), 400,
                                     results.USAGE)
            self.assertIn(detail, found)
        self.assertNothingAsked()
        self.finder.find.assert_not_called()

    def test_the_compute_refuses(self):
        for code, status in ((results.UNKNOWN, 500),
                             (results.NO_SUCH_REGION, 404),
                             (results.BITSTREAM_UNAVAILABLE, 422),
                             (results.INCOMPATIBLE, 422),
                             (results.IN_USE, 409),
                             (results.UNHEALTHY, 409),
                             (results.FORBIDDEN, 403)):
            msg = 'FPGA region %s, bitstream image %s: cause %d' % (
                OWN['identifier'], base.IMAGE_ID, code)
            self.computes.program.return_value = {'code': code, 'msg': msg}
            self.assertError(self.program(), status, code, msg)

    def test_an_answer_without_code_is_an_unknown_failure(self):
        self.computes.program.return_value = {'msg': 'what?'}
        self.assertError(self.program(), 500, results.UNKNOWN, 'what?')

    def test_a_request_the_compute_took_too_late(self):
        msg = ('FPGA region %s: programming came after its deadline and '
               'was not done' % OTHERS['identifier'])
        self.computes.program.return_value = {
            'code': results.UNAVAILABLE, 'msg': msg}
        self.assertError(self.program(OTHERS), 503, results.UNAVAILABLE,
                         '%s (host %s)' % (msg, base.OTHER_HOST))

    def test_the_compute_does_not_answer(self):
        self.computes.program.side_effect = compute_rpc.Unavailable(
            'the nova-compute service of host compute-2 is down')
        self.assertError(self.program(OTHERS), 503, results.UNAVAILABLE,
                         'FPGA region %s: the nova-compute service of '
                         'host compute-2 is down' % OTHERS['uuid'])


class ScrubTest(ProgramTestCase):

    path = '/regions/%s/scrub'

    def setUp(self):
        super().setUp()
        self.computes.scrub.return_value = base.done(
            OWN_QUARANTINED, msg='region scrubbed', outcome='reset',
            state='held')

    def scrub(self, listed=OWN_QUARANTINED, context=None, **body):
        return self.post(listed, body, context or self.admin)

    def test_an_admin_scrubs_in_the_computes_mode(self):
        body = self.assertOK(self.scrub())
        self.assertEqual({'code': 0, 'msg': 'region scrubbed',
                          'outcome': 'reset',
                          'region': dict(OWN_QUARANTINED, state='held')},
                         body)
        self.computes.scrub.assert_called_once_with(
            self.admin, base.OTHER_HOST, OWN_QUARANTINED['identifier'],
            None, None, False)

    def test_no_body(self):
        self.assertOK(self.post(OWN_QUARANTINED, b'', self.admin))
        self.computes.scrub.assert_called_once_with(
            self.admin, base.OTHER_HOST, OWN_QUARANTINED['identifier'],
            None, None, False)

    def test_each_mode(self):
        for mode in ('reset', 'blank'):
            self.computes.scrub.reset_mock()
            self.assertOK(self.scrub(mode=mode, force=True))
            self.computes.scrub.assert_called_once_with(
                self.admin, base.OTHER_HOST, OWN_QUARANTINED['identifier'],
                mode, None, True)

    def test_a_member_scrubs_for_its_project(self):
        self.assertOK(self.scrub(context=self.member, mode='blank'))
        self.computes.scrub.assert_called_once_with(
            self.member, base.OTHER_HOST, OWN_QUARANTINED['identifier'],
            'blank', base.PROJECT, False)

    def test_a_reader_may_not(self):
        self.assertError(self.scrub(context=self.reader), 403,
                         results.FORBIDDEN,
                         'Policy does not allow fpga:regions:scrub')
        self.assertNothingAsked()

    def test_a_member_may_not_force(self):
        self.assertError(self.scrub(context=self.member, force=True), 403,
                         results.FORBIDDEN,
                         'Policy does not allow fpga:regions:force')
        self.assertNothingAsked()

    def test_bad_bodies(self):
        for body, detail in (({'mode': 'wipe'}, "'wipe' is not one of"),
                             ({'mode': None}, 'is not one of'),
                             ({'force': 1}, "1 is not of type 'boolean'"),
                             ({'glance_bitstream_uuid': base.IMAGE_ID},
                              'Additional properties are not allowed')):
            found = self.assertError(self.scrub(**body), 400,
                                     results.USAGE)
            self.assertIn(detail, found)
        self.assertNothingAsked()

    def test_the_compute_refuses(self):
        msg = ('FPGA region %s, scrub (reset): server s of project %s '
               'holds the region; force goes ahead anyway (rule '
               'fpga:regions:force)' % (OWN_QUARANTINED['identifier'],
                                        base.PROJECT))
        self.computes.scrub.return_value = {'code': results.IN_USE,
                                            'msg': msg}
        self.assertError(self.scrub(), 409, results.IN_USE, msg)

    def test_no_such_region(self):
        self.assertError(self.scrub({'uuid': base.uuids.gone}), 404,
                         results.NO_SUCH_REGION)
        self.assertNothingAsked()

    def test_the_compute_does_not_answer(self):
        self.computes.scrub.side_effect = compute_rpc.Unavailable(
            'host compute-2 did not answer within 300 s')
        self.assertError(self.scrub(), 503, results.UNAVAILABLE,
                         'FPGA region %s: host compute-2 did not answer '
                         'within 300 s' % OWN_QUARANTINED['uuid'])
