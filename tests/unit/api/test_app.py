"""The API's routes, microversions and authentication."""

from nova_fpga.api import app
from nova_fpga.api import microversion
from nova_fpga.regions import results
from tests.unit.api import base

HEADER = 'OpenStack-API-Version'


class VersionsTest(base.APITestCase):

    def test_versions_document(self):
        response = self.call('/', context=self.reader)
        self.assertEqual({'versions': [{
            'id': 'v1.0', 'status': 'CURRENT', 'min_version': '1.0',
            'max_version': '1.0',
            'links': [{'rel': 'self', 'href': 'http://localhost/'}],
        }]}, self.assertOK(response))

    def test_the_version_asked_is_echoed(self):
        for asked in ('fpga 1.0', 'fpga latest', None, 'compute 2.90'):
            response = self.call('/', context=self.reader, version=asked)
            self.assertOK(response)
            self.assertEqual('fpga 1.0', response.headers[HEADER], asked)
            self.assertEqual(HEADER, response.headers['Vary'])

    def test_every_answer_carries_the_version(self):
        for path, context in (('/regions', self.reader),
                              ('/regions/%s' % base.uuids.gone, self.reader),
                              ('/regions', self.context('u', 'p'))):
            response = self.call(path, context=context)
            self.assertEqual('fpga 1.0', response.headers[HEADER], path)
            self.assertEqual(HEADER, response.headers['Vary'])

    def test_an_unsupported_version(self):
        for asked in ('fpga 1.1', 'fpga 2.0', 'fpga 0.9'):
            detail = self.assertError(
                self.call('/regions', context=self.admin, version=asked),
                406, results.USAGE)
            self.assertIn('microversion %s is not served' % asked[5:],
                          detail)
        self.all_regions.assert_not_called()

    def test_a_malformed_version(self):
        detail = self.assertError(
            self.call('/regions', context=self.admin, version='fpga 1.x'),
            406, results.USAGE)
        self.assertIn("invalid microversion '1.x'", detail)

    def test_the_microversion_module(self):
        self.assertEqual('fpga 1.0', microversion.header(
            microversion.MAX_VERSION))
        self.assertEqual(('1.0',), microversion.VERSIONS)


class RoutesTest(base.APITestCase):

    def test_no_such_resource(self):
        for path in ('/nothing', '/regions/%s/reset' % base.uuids.own,
                     '/regions/%s/scrub/more' % base.uuids.own):
            self.assertError(self.call(path, context=self.admin), 404,
                             results.NO_SUCH_REGION,
                             'no such resource: %s' % path)

    def test_method_not_allowed(self):
        for method, path, allowed in (
                ('DELETE', '/regions', 'GET'),
                ('POST', '/regions', 'GET'),
                ('PUT', '/regions/%s' % base.uuids.own, 'GET, POST'),
                ('GET', '/regions/%s/scrub' % base.uuids.own, 'POST'),
                ('POST', '/bitstreams', 'GET'), ('POST', '/', 'GET')):
            response = self.call(path, method=method, context=self.admin,
                                 body={})
            self.assertError(response, 405, results.USAGE,
                             'method %s is not allowed on %s' % (method, path))
            # As HTTP asks: what the resource does allow.
            self.assertEqual(allowed, response.headers['Allow'])
        self.computes.program.assert_not_called()
        self.computes.scrub.assert_not_called()

    def test_authentication_required(self):
        for method, path in (('GET', '/'), ('GET', '/regions'),
                             ('GET', '/regions/%s' % base.uuids.own),
                             ('POST', '/regions/%s' % base.uuids.own),
                             ('POST', '/regions/%s/scrub' % base.uuids.own),
                             ('GET', '/bitstreams')):
            body = ({'glance_bitstream_uuid': base.IMAGE_ID}
                    if method == 'POST' else None)
            self.assertError(self.call(path, method=method, body=body), 401,
                             results.AUTHENTICATION,
                             'authentication required')
        self.all_regions.assert_not_called()
        self.finder.find.assert_not_called()
        self.computes.program.assert_not_called()

    def test_the_request_id_is_in_errors(self):
        response = self.call('/nothing', context=self.admin,
                             environ={'openstack.request_id': 'req-42'})
        (error,) = response.json['errors']
        self.assertEqual('req-42', error['request_id'])

    def test_an_unexpected_error_is_a_json_500(self):
        self.all_regions.side_effect = RuntimeError('the cell DB is gone')
        detail = self.assertError(self.call('/regions', context=self.admin),
                                  500, results.UNKNOWN)
        self.assertIn('the cell DB is gone', detail)

    def test_app_factory(self):
        self.assertIsInstance(app.app_factory({}), app.API)
