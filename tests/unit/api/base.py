"""The cloud-wide API driven through its WSGI application, with mocks.

No DB nor RPC: the region listing, Placement and the computes are mocks.
"""

from unittest import mock

import fixtures
from nova import context as nova_context
from nova.image import glance as nova_glance
from nova import test
from oslo_serialization import jsonutils
from oslo_utils.fixture import uuidsentinel as uuids
import webob

from nova_fpga.api import app
from nova_fpga.api import compute_rpc
from nova_fpga.api import listing
from nova_fpga.api import policy
from nova_fpga.regions import results

PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'
HOST = 'compute-1'
OTHER_HOST = 'compute-2'
N6000 = 'bfac4d851ee856fe8c95865ce1bbaa2d'
NLB0 = 'd8424dc4a4a3c413f89e433683f9040b'
U250 = '0b2b1c8e0fc4e5e1a3c1f4c6d7e8f901'
D5005 = '9346116d68c75f4d3a1f6f9d2b3e9c01'
IMAGE_ID = '11111111-0000-4000-8000-000000000001'
UPDATED = '2024-05-01T10:00:00Z'
# The fields of a region a compute answers with (regions.operations.summary)
# and those the API adds from the compute node's stats.
LISTED_ONLY = ('uuid', 'host', 'node', 'updated_at')


def region(uuid, host, address, name='port0', state='free', project=None,
           vendor='intel', board='n6000', interface_id=N6000,
           function_id=NLB0, server=None):
    """A region as listing.regions_of lists it."""
    return {
        'uuid': uuid, 'host': host, 'node': host,
        'identifier': '%s_%s' % (address, name), 'address': address,
        'region': name, 'vendor': vendor, 'board': board,
        'interface_id': interface_id, 'function_id': function_id,
        'bitstream': None, 'state': state,
        'holder': {'server_id': server or 'server-of-%s' % project,
                   'project_id': project} if project else None,
        'updated_at': UPDATED,
    }


# As listing.all_regions sorts them: by host, then identifier.
OWN = region(uuids.own, HOST, '0000:10:00.0', state='held',
             project=PROJECT, server=uuids.server)
FREE = region(uuids.free, HOST, '0000:18:00.0')
OTHERS = region(uuids.others, OTHER_HOST, '0000:3b:00.0', name='0',
                state='held', project=OTHER_PROJECT, vendor='xilinx',
                board='u250', interface_id=U250, function_id=None)
QUARANTINED = region(uuids.quarantined, OTHER_HOST, '0000:5e:00.0',
                     state='quarantined', board='d5005',
                     interface_id=D5005)
OWN_QUARANTINED = region(uuids.own_quarantined, OTHER_HOST, '0000:af:00.0',
                         state='quarantined', project=PROJECT,
                         server=uuids.other_server)
REGIONS = [OWN, FREE, OTHERS, QUARANTINED, OWN_QUARANTINED]

LIVE = {'health': 'ok', 'health_reason': None, 'last_programmed': None,
        'last_scrubbed': None, 'quarantine': None,
        'metrics': {'programmed': 0, 'failures': 0,
                    'programming_seconds_last': None}}


def summary(listed, **changes):
    """The region as its compute answers, ``changes`` made since listed."""
    found = {k: v for k, v in listed.items() if k not in LISTED_ONLY}
    found.update(changes)
    return found


def done(listed, msg='bitstream has been loaded successfully',
         outcome='programmed', **changes):
    return {'code': results.OK, 'msg': msg, 'outcome': outcome,
            'region': summary(listed, **changes)}


class APITestCase(test.NoDBTestCase):
    """An app.API() whose listing, Placement and computes are mocks.

    ``self.all_regions``, ``self.finder`` and ``self.computes``.
    """

    def setUp(self):
        super().setUp()
        # The enforcer is built once per process: a fresh one per test.
        self.useFixture(fixtures.MonkeyPatch(
            policy.__name__ + '._ENFORCER', None))
        self.all_regions = self.useFixture(fixtures.MockPatchObject(
            listing, 'all_regions', autospec=True)).mock
        self.all_regions.side_effect = lambda context, host=None: iter([
            dict(r) for r in REGIONS if host in (None, r['host'])])
        self.finder = self.useFixture(fixtures.MockPatchObject(
            listing, 'Finder', autospec=True)).mock.return_value
        self.finder.find.side_effect = self._find
        self.computes = self.useFixture(fixtures.MockPatchObject(
            compute_rpc, 'ComputeRegions', autospec=True)).mock.return_value
        self.image_api = self.useFixture(fixtures.MockPatchObject(
            nova_glance, 'API', autospec=True)).mock.return_value
        self.admin = self.context('admin-user', 'admin-project', 'admin',
                                  'member', 'reader')
        self.member = self.context('member-user', PROJECT, 'member',
                                   'reader')
        self.reader = self.context('reader-user', PROJECT, 'reader')
        self.api = app.API()

    @staticmethod
    def context(user, project, *roles):
        return nova_context.RequestContext(user, project, roles=list(roles))

    @staticmethod
    def _find(context, uuid):
        for found in REGIONS:
            if found['uuid'] == uuid:
                return mock.Mock(host=found['host']), dict(found)
        raise listing.NotFound(uuid)

    def call(self, path, method='GET', context=None, body=None,
             version='fpga 1.0', headers=None, environ=None):
        """The response of the API to a request of ``context``."""
        request = webob.Request.blank(path, environ, method=method,
                                      headers=headers or {})
        if version is not None:
            request.headers['OpenStack-API-Version'] = version
        if body is not None:
            request.body = (body if isinstance(body, bytes) else
                            jsonutils.dump_as_bytes(body))
            request.content_type = 'application/json'
        if context is not None:
            request.environ[app.CONTEXT_KEY] = context
        return request.get_response(self.api)

    def assertOK(self, response):
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual('application/json', response.content_type)
        return response.json

    def assertError(self, response, status, code, detail=None):
        """The error document; ``detail`` its detail, when given."""
        self.assertEqual(status, response.status_int, response.text)
        self.assertEqual('application/json', response.content_type)
        (error,) = response.json['errors']
        self.assertEqual((status, code), (error['status'], error['code']))
        self.assertTrue(error['title'])
        if detail is not None:
            self.assertEqual(detail, error['detail'])
        return error['detail']
