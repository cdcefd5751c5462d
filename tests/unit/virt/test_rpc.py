"""The compute's RPC endpoint of the cloud-wide API: deadlines, arguments."""

import time
from unittest import mock

import fixtures
from nova import context as nova_context
import testtools

from nova_fpga.regions import results
from nova_fpga.virt import rpc

REGION = '0000:10:00.0_port0'
IMAGE_ID = '11111111-0000-4000-8000-000000000001'
PAST = 1000.0
NOW = 1001.0
FUTURE = 1002.0


class RegionsEndpointTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.operations = mock.Mock()
        self.endpoint = rpc.RegionsEndpoint(self.operations, 'blank')
        self.context = nova_context.RequestContext('user-a', 'project-a',
                                                   is_admin=False)
        self.useFixture(fixtures.MockPatchObject(time, 'time',
                                                 return_value=NOW))
        self.logs = self.useFixture(fixtures.FakeLogger())

    def test_show(self):
        self.assertIs(self.operations.view.return_value,
                      self.endpoint.show_region(self.context, REGION))
        self.operations.view.assert_called_once_with(REGION)

    def test_program_after_its_deadline_is_dropped(self):
        answer = self.endpoint.program_region(
            self.context, REGION, IMAGE_ID, project='project-a', force=True,
            deadline=PAST)
        self.assertEqual({
            'code': results.UNAVAILABLE,
            'msg': 'FPGA region %s: programming came after its deadline '
                   'and was not done' % REGION}, answer)
        self.operations.program.assert_not_called()
        self.operations.scrub.assert_not_called()
        self.assertIn('FPGA region %s: programming dropped, it came after '
                      'its deadline' % REGION, self.logs.output)

    def test_scrub_after_its_deadline_is_dropped(self):
        answer = self.endpoint.scrub_region(
            self.context, REGION, mode='reset', deadline=PAST)
        self.assertEqual(results.UNAVAILABLE, answer['code'])
        self.assertEqual('FPGA region %s: scrub (reset) came after its '
                         'deadline and was not done' % REGION, answer['msg'])
        self.operations.scrub.assert_not_called()
        self.operations.program.assert_not_called()

    def test_program_within_its_deadline(self):
        answer = self.endpoint.program_region(
            self.context, REGION, IMAGE_ID, project='project-a', force=True,
            deadline=FUTURE)
        self.assertIs(self.operations.program.return_value, answer)
        self.operations.program.assert_called_once_with(
            self.context, REGION, IMAGE_ID, project='project-a', force=True)

    def test_program_without_deadline(self):
        self.endpoint.program_region(self.context, REGION, IMAGE_ID)
        self.operations.program.assert_called_once_with(
            self.context, REGION, IMAGE_ID, project=None, force=False)

    def test_scrub_within_its_deadline(self):
        answer = self.endpoint.scrub_region(
            self.context, REGION, mode='reset', project='project-a',
            force=True, deadline=FUTURE)
        self.assertIs(self.operations.scrub.return_value, answer)
        self.operations.scrub.assert_called_once_with(
            REGION, 'reset', 'user user-a, project project-a',
            project='project-a', force=True)

    def test_scrub_takes_the_default_mode(self):
        for mode in (None, ''):
            self.operations.scrub.reset_mock()
            self.endpoint.scrub_region(self.context, REGION, mode=mode)
            self.operations.scrub.assert_called_once_with(
                REGION, 'blank', 'user user-a, project project-a',
                project=None, force=False)

    def test_a_late_scrub_names_the_default_mode(self):
        answer = self.endpoint.scrub_region(self.context, REGION,
                                            deadline=PAST)
        self.assertIn('scrub (blank)', answer['msg'])


class StartTest(testtools.TestCase):

    @mock.patch.object(rpc.rpc, 'get_server')
    def test_serves_the_hosts_topic(self, get_server):
        operations = mock.Mock()
        server = rpc.start('compute-1', operations, 'reset')
        self.assertIs(get_server.return_value, server)
        server.start.assert_called_once_with()
        target, endpoints = get_server.call_args.args
        self.assertEqual((rpc.TOPIC, 'compute-1'),
                         (target.topic, target.server))
        (endpoint,) = endpoints
        self.assertIsInstance(endpoint, rpc.RegionsEndpoint)
        self.assertIs(operations, endpoint.operations)
        self.assertEqual('reset', endpoint.scrub_mode)
        self.assertEqual(rpc.VERSION, endpoint.target.version)
