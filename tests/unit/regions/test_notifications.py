"""Region notifications, sent as nova-compute sends its own."""

import errno

import fixtures
from nova import rpc
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import oslo_messaging
from oslo_messaging.notify import _impl_test
from oslo_versionedobjects import fixture as ovo_fixture
import testtools

from nova_fpga import model
from nova_fpga.regions import events
from nova_fpga.regions import exception
from nova_fpga.regions import lifecycle
from nova_fpga.regions import notifications
from nova_fpga.regions import programming
from nova_fpga.regions import records
from nova_fpga import request
from tests.unit.regions import test_lifecycle

FIRST = test_lifecycle.FIRST + '_port0'
HOST = 'compute1'
INSTANCE = '22222222-0000-4000-8000-000000000002'


class Notifier(fixtures.Fixture):
    """Nova's versioned notifier, as its services set it up.

    On oslo.messaging's test driver, which keeps what it is given.
    """

    def _setUp(self):
        transport = oslo_messaging.get_notification_transport(
            cfg.CONF, url='fake://')
        notifier = oslo_messaging.Notifier(
            transport, driver='test', serializer=rpc.RequestContextSerializer(
                rpc.JsonPayloadSerializer()))
        self.useFixture(fixtures.MockPatchObject(rpc, 'NOTIFIER', notifier))
        _impl_test.reset()
        self.addCleanup(_impl_test.reset)

    @property
    def sent(self):
        return [message for _, message, _, _ in _impl_test.NOTIFICATIONS]


def data(message):
    return message['payload']['nova_object.data']


def payload(**values):
    """A payload's data: ``values``, the other fields None."""
    return dict(dict.fromkeys(notifications.FPGARegionPayload.fields),
                host=HOST, **values)


REGION = {'identifier': FIRST, 'vendor': 'intel', 'board': 'n6000',
          'interface_id': test_lifecycle.N6000}


class NotificationsTest(test_lifecycle.HostTestCase):

    def setUp(self):
        super().setUp()
        self.notifier = self.useFixture(Notifier())
        self.conf.config(notification_format='versioned',
                         group='notifications')

    def regions(self, host=HOST, **options):
        self.conf.config(group='fpga', **options)
        return lifecycle.HostRegions(self.conf.conf, host=host)

    def load_for(self, regions, identifier, instance=INSTANCE):
        return regions.load(
            test_lifecycle.CONTEXT, self.image_api,
            regions.attachable([identifier]),
            request.Request(bitstream_id=test_lifecycle.IMAGE_ID),
            instance=instance)

    def test_a_programming_is_notified(self):
        regions = self.regions()
        self.load_for(regions, FIRST)
        (message,) = self.notifier.sent
        self.assertEqual(
            ('fpga.region.programmed', 'INFO', 'nova-fpga-compute:compute1'),
            (message['event_type'], message['priority'],
             message['publisher_id']))
        seconds = data(message)['seconds']
        self.assertGreater(seconds, 0)
        # Nova's envelope, and nothing else (no nova_object.changes).
        self.assertEqual({
            'nova_object.name': 'FPGARegionPayload',
            'nova_object.namespace': 'nova_fpga',
            'nova_object.version': '1.0',
            'nova_object.data': payload(
                function_id=test_lifecycle.base.AFU,
                image_id=test_lifecycle.IMAGE_ID, image_name='nlb',
                instance_uuid=INSTANCE, seconds=seconds, **REGION)},
            message['payload'])
        # Showing the function already, it is not programmed again.
        self.load_for(regions, FIRST)
        self.assertEqual(1, len(self.notifier.sent))

    def test_the_region_uuid_once_the_node_is_known(self):
        regions = self.regions(scrub_on_release='reset')
        node = '33333333-0000-4000-8000-000000000003'
        regions.events.node_uuid = node
        self.load_for(regions, FIRST)
        regions.release([FIRST])
        self.assertEqual([model.region_uuid(node, FIRST)] * 2,
                         [data(m)['uuid'] for m in self.notifier.sent])

    def test_a_scrub_names_what_it_cleared(self):
        regions = self.regions(scrub_on_release='reset')
        self.load_for(regions, FIRST)
        regions.release([FIRST])
        message = self.notifier.sent[-1]
        self.assertEqual(('fpga.region.scrubbed', 'INFO'),
                         (message['event_type'], message['priority']))
        self.assertEqual(payload(
            mode='reset', reason='release by its instance',
            function_id=test_lifecycle.base.AFU,
            image_id=test_lifecycle.IMAGE_ID, image_name='nlb',
            instance_uuid=INSTANCE, **REGION), data(message))

    def test_a_failed_programming_is_notified_as_quarantined(self):
        self.host.inject_fault(test_lifecycle.FIRST, 'pr', errno.EIO)
        regions = self.regions()
        self.assertRaises(exception.AssignmentFailed, self.load_for,
                          regions, FIRST)
        (message,) = self.notifier.sent
        self.assertEqual(('fpga.region.quarantined', 'ERROR'),
                         (message['event_type'], message['priority']))
        self.assertEqual(payload(
            reason=regions.quarantine.held()[FIRST],
            function_id=test_lifecycle.NLB0, **REGION), data(message))

    def test_a_bitstream_failure_is_not_notified(self):
        # Nothing befell the region: the spawn's fault says why.
        self.assertRaises(exception.AssignmentFailed, self.load,
                          self.regions(), [FIRST],
                          request.Request(function='other'))
        self.assertEqual([], self.notifier.sent)

    def test_nothing_is_sent_where_nova_sends_no_versioned_ones(self):
        def nova_fpga_command():
            return self.regions(host=None)

        def unversioned():
            self.conf.config(notification_format='unversioned',
                             group='notifications')
            return self.regions()

        def no_notifier():
            self.useFixture(fixtures.MockPatchObject(rpc, 'NOTIFIER', None))
            return self.regions()
        for regions in (nova_fpga_command, unversioned, no_notifier):
            self.assertEqual([programming.PROGRAMMED],
                             self.load_for(regions(), FIRST))
            self.assertEqual([], self.notifier.sent, regions.__name__)
            self.host.set_function(test_lifecycle.FIRST, 0,
                                   test_lifecycle.NLB0)

    def test_a_failure_to_send_is_logged_and_the_work_goes_on(self):
        self.useFixture(fixtures.MockPatchObject(
            rpc, 'get_versioned_notifier',
            side_effect=RuntimeError('no bus')))
        self.assertEqual([programming.PROGRAMMED],
                         self.load_for(self.regions(), FIRST))
        self.assertIn('The fpga.region.programmed notification of FPGA '
                      'region %s is not sent' % FIRST, self.logs.output)
        self.assertIn('no bus', self.logs.output)


class LostTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.notifier = self.useFixture(Notifier())
        self.useFixture(config_fixture.Config(cfg.CONF)).config(
            notification_format='both', group='notifications')
        self.state = records.StateStore(
            self.useFixture(fixtures.TempDir()).path)

    def test_a_region_gone_from_the_host_is_named_by_its_record(self):
        self.state.record_load(FIRST, programming.PROGRAMMED, {
            'id': test_lifecycle.IMAGE_ID, 'name': 'nlb'}, 'f1', 'me',
            instance=INSTANCE)
        events.Events(self.state, HOST).lost(
            FIRST, INSTANCE, 'it is not on this host any more')
        (message,) = self.notifier.sent
        self.assertEqual(('fpga.region.lost', 'ERROR'),
                         (message['event_type'], message['priority']))
        self.assertEqual(payload(
            identifier=FIRST, instance_uuid=INSTANCE,
            reason='it is not on this host any more',
            image_id=test_lifecycle.IMAGE_ID, image_name='nlb'),
            data(message))


class PayloadTest(testtools.TestCase):

    def test_a_changed_field_needs_a_new_version(self):
        # Consumers read the version: a change of the fields changes
        # this hash, and the version must change with it.
        checker = ovo_fixture.ObjectVersionChecker(
            {'FPGARegionPayload': [notifications.FPGARegionPayload]})
        expected, actual = checker.test_hashes(
            {'FPGARegionPayload': '1.0-15df20c1e73990e0cfb15daae4bc3a3a'})
        self.assertEqual(expected, actual)
