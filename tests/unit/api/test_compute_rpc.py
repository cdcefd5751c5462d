"""The API's calls to the region's compute: down, silent, deadlines."""

import time

import fixtures
from nova import context as nova_context
import oslo_messaging as messaging
import testtools

from nova_fpga.api import compute_rpc
from nova_fpga.regions import results
from nova_fpga.virt import rpc as endpoint

NOW = 1000.0


class ComputeRegionsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(time, 'time',
                                                 return_value=NOW))
        self.useFixture(fixtures.MockPatch(
            'nova.servicegroup.API', autospec=True))
        self.useFixture(fixtures.MockPatch(
            'nova.compute.api.HostAPI', autospec=True))
        self.get_client = self.useFixture(fixtures.MockPatch(
            'nova.rpc.get_client')).mock
        self.computes = compute_rpc.ComputeRegions(30)
        self.up = self.computes.servicegroup.service_is_up
        self.up.return_value = True
        self.cctxt = self.get_client.return_value.prepare.return_value
        self.context = nova_context.RequestContext('u', 'p', is_admin=False)

    def test_program(self):
        answer = self.computes.program(self.context, 'compute-1', 'r',
                                       'image', 'p', True)
        self.assertIs(self.cctxt.call.return_value, answer)
        target = self.get_client.call_args.args[0]
        self.assertEqual((endpoint.TOPIC, endpoint.VERSION),
                         (target.topic, target.version))
        self.get_client.return_value.prepare.assert_called_once_with(
            server='compute-1', timeout=30)
        self.cctxt.call.assert_called_once_with(
            self.context, 'program_region', identifier='r',
            image_id='image', project='p', force=True, deadline=NOW + 30)

    def test_scrub_and_show(self):
        self.computes.scrub(self.context, 'compute-1', 'r', None, None,
                            False)
        self.cctxt.call.assert_called_with(
            self.context, 'scrub_region', identifier='r', mode=None,
            project=None, force=False, deadline=NOW + 30)
        self.computes.show(self.context, 'compute-1', 'r')
        self.cctxt.call.assert_called_with(self.context, 'show_region',
                                           identifier='r')

    def test_a_compute_down_is_not_asked(self):
        self.up.return_value = False
        e = self.assertRaises(compute_rpc.Unavailable, self.computes.show,
                              self.context, 'compute-1', 'r')
        self.assertEqual('the nova-compute service of host compute-1 is '
                         'down', str(e))
        self.cctxt.call.assert_not_called()

    def test_a_silent_compute(self):
        self.cctxt.call.side_effect = messaging.MessagingTimeout()
        e = self.assertRaises(compute_rpc.Unavailable, self.computes.program,
                              self.context, 'compute-1', 'r', 'image', None,
                              False)
        self.assertEqual('host compute-1 did not answer within 30 s', str(e))

    def test_an_unreachable_compute(self):
        self.cctxt.call.side_effect = messaging.MessageDeliveryFailure(
            'no route')
        e = self.assertRaises(compute_rpc.Unavailable, self.computes.scrub,
                              self.context, 'compute-1', 'r', None, None,
                              False)
        self.assertEqual('host compute-1 cannot be reached: no route',
                         str(e))


class RefusalOfTest(testtools.TestCase):

    def test_refusal_of(self):
        self.assertIsNone(compute_rpc.refusal_of({'code': results.OK}))
        self.assertEqual((results.IN_USE, 'held'), compute_rpc.refusal_of(
            {'code': results.IN_USE, 'msg': 'held'}))
        self.assertEqual((results.UNKNOWN, None), compute_rpc.refusal_of({}))
