"""A cloud for the plugin's tests, answered by requests_mock.

Keystone's catalog holds the FPGA API and Glance in two regions, each
with a public and an internal endpoint: a request that reaches any other
URL than the one registered fails, so the tests see the client pick the
shell's interface and region. The commands get the client manager the
shell would hand them, its ``fpga`` client made by the plugin.
"""

import io
import types

from keystoneauth1 import fixture as ks_fixture
from keystoneauth1.identity import v3
from keystoneauth1 import session
from requests_mock.contrib import fixture as rm_fixture
import testtools

from nova_fpga.osc import plugin

AUTH_URL = 'https://keystone.example.com/v3'
TOKEN = 'a-user-token'
FPGA = 'https://nova.example.com/fpga'
IMAGE = 'https://glance.example.com'

IMAGE_ID = '6b1c7f0e-6bf4-4c0b-9c8e-1f5cbd7f4a01'
HELD = {
    'uuid': 'a2d1f7c4-7f7b-4f44-9d1a-3b9e8c0c1f10', 'host': 'compute-1',
    'node': 'compute-1', 'identifier': '0000:5e:00.0_0',
    'address': '0000:5e:00.0', 'region': '0', 'vendor': 'intel',
    'board': 'n6000', 'interface_id': 'bfac4d851ee856fe8c95865ce1bbaa2d',
    'function_id': 'd8424dc4a4a3c413f89e433683f9040b',
    'bitstream': {'id': IMAGE_ID, 'name': 'nlb0'}, 'state': 'held',
    'holder': {'server_id': 'server-1', 'project_id': 'project-1'},
    'updated_at': '2025-05-01T10:00:00Z',
}
FREE = dict(HELD, uuid='c3e2a8d5-8e8c-4a55-8e2b-4cae9d1d2e21',
            identifier='0000:5e:00.0_1', region='1', function_id=None,
            bitstream=None, state='free', holder=None)


def error(status, code, detail):
    """An error body as the API words it."""
    return {'errors': [{'status': status, 'title': 'Error', 'detail': detail,
                        'code': code, 'request_id': 'req-1'}]}


class TestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # Case kept: region UUIDs and hex ids go into query strings.
        self.requests = self.useFixture(
            rm_fixture.Fixture(case_sensitive=True))
        token = ks_fixture.V3Token()
        for service, url in (('fpga', FPGA), ('image', IMAGE)):
            other = url.replace('.example.', '-two.example.')
            entry = token.add_service(service)
            entry.add_standard_endpoints(
                public=url, internal=url.replace('https', 'http'),
                region='RegionOne')
            entry.add_standard_endpoints(
                public=other, internal=other.replace('https', 'http'),
                region='RegionTwo')
        self.requests.post(AUTH_URL + '/auth/tokens', json=token,
                           headers={'X-Subject-Token': TOKEN})
        auth = v3.Password(auth_url=AUTH_URL, username='demo',
                           password='secret', user_domain_id='default',
                           project_id='project-1')
        self.manager = types.SimpleNamespace(
            session=session.Session(auth=auth), interface='public',
            region_name='RegionOne', _api_version={'fpga': '1.0'})
        self.manager.fpga = plugin.make_client(self.manager)
        self.app = types.SimpleNamespace(client_manager=self.manager,
                                         stdout=io.StringIO())

    def parse(self, command_class, *argv):
        command = command_class(self.app, None)
        return command, command.get_parser('openstack').parse_args(argv)

    def take_action(self, command_class, *argv):
        command, parsed_args = self.parse(command_class, *argv)
        return command.take_action(parsed_args)

    def api_requests(self):
        """The requests to the FPGA API, in order."""
        return [request for request in self.requests.request_history
                if request.url.startswith(FPGA)]
