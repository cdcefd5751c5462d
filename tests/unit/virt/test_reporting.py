"""Nova's report client's lines about our providers' trait updates."""

import json
import logging
from unittest import mock

import fixtures
from nova import context as nova_context
from nova import exception
from nova.scheduler.client import report
from oslo_utils.fixture import uuidsentinel as uuids
import testtools

from nova_fpga.virt import reporting

GENERATION = ("There was a conflict when trying to complete your request."
              "\n\n Resource provider's generation already changed. Please "
              "update the generation and try again.  ")


def answer(status, detail):
    """Placement's answer, as Placement 16 words it."""
    response = mock.Mock(status_code=status, headers={})
    response.text = json.dumps({'errors': [{
        'status': status, 'title': 'Conflict', 'detail': detail,
        'request_id': 'req-1'}]})
    return response


class TraitConflictTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        reporting.quiet_trait_conflicts()
        self.client = report.SchedulerReportClient(adapter=mock.Mock())
        self.client._provider_tree.new_root('region', uuids.region,
                                            generation=1)
        self.client._ensure_traits = mock.Mock()

    def set_traits(self, status, detail):
        self.client.put = mock.Mock(return_value=answer(status, detail))
        self.client.set_traits_for_provider(
            nova_context.get_admin_context(), uuids.region, ['CUSTOM_X'])

    def test_a_lost_race_is_debug(self):
        log = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        # Nova still raises it, and its resource tracker retries.
        self.assertRaises(exception.ResourceProviderUpdateConflict,
                          self.set_traits, 409, GENERATION)
        self.assertEqual('', log.output)
        log = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        self.assertRaises(exception.ResourceProviderUpdateConflict,
                          self.set_traits, 409, GENERATION)
        self.assertIn('Failed to update traits', log.output)

    def test_other_failures_stay_errors(self):
        log = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.assertRaises(exception.ResourceProviderUpdateFailed,
                          self.set_traits, 400, 'No such trait(s): CUSTOM_X')
        self.assertIn('Failed to update traits', log.output)

    def test_installed_once(self):
        reporting.quiet_trait_conflicts()
        self.assertEqual(1, sum(
            isinstance(f, reporting.TraitConflictsAtDebug)
            for f in logging.getLogger('nova.scheduler.client.report')
            .filters))
