"""The API's work on the regions of a simulated host.

List, show, program and scrub, and who may ask for what.
"""

from unittest import mock

from nova import context as nova_context

from nova_fpga.regions import operations
from nova_fpga.regions import programming
from nova_fpga.regions import records
from nova_fpga.regions import results
from tests.unit.backends import base
from tests.unit.regions import test_lifecycle

FIRST = test_lifecycle.FIRST
SECOND = test_lifecycle.SECOND
IMAGE_ID = test_lifecycle.IMAGE_ID
N6000 = test_lifecycle.N6000
NLB0 = test_lifecycle.NLB0
REGION = FIRST + '_port0'
OTHER_REGION = SECOND + '_port0'
MISSING_IMAGE = '22222222-0000-4000-8000-000000000002'
SERVER = 'server-uuid'
PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'


def holder(uuid=SERVER, project=PROJECT):
    return mock.Mock(uuid=uuid, project_id=project, user_id='user-a',
                     resources=[])


class OperationsTestCase(test_lifecycle.HostTestCase):
    """Two N6000 cards, as nova-compute's RPC endpoint works on them."""

    def setUp(self):
        super().setUp()
        self.host_regions = self.regions()
        self.allowed = {FIRST, SECOND}
        self.ops = operations.Operations(
            self.host_regions, self.image_api,
            lambda device: device.address in self.allowed)
        self.context = nova_context.RequestContext('user-a', PROJECT,
                                                   is_admin=False)

    def hold(self, identifier=REGION, uuid=SERVER, project=PROJECT):
        held = self.host_regions.attachable([identifier])
        self.host_regions.hold(held, holder(uuid, project))

    def summaries(self):
        inventory = self.host_regions.survey()
        return {s['identifier']: s for s in operations.summaries(
            self.host_regions, inventory,
            lambda device: device.address in self.allowed)}

    def record(self, identifier=REGION):
        return self.host_regions.state.read(identifier)

    def assertUntouched(self, identifier=REGION, address=FIRST):
        self.assertEqual(NLB0, self.function_of(address))
        self.assertIsNone(self.record(identifier)['loaded'])
        self.assertIsNone(self.record(identifier)['scrubbed'])
        self.assertEqual(0,
                         self.record(identifier)['metrics']['programmings'])


class SummaryTest(OperationsTestCase):

    def test_a_free_region(self):
        found = self.summaries()
        self.assertEqual({REGION, OTHER_REGION}, set(found))
        self.assertEqual({
            'identifier': REGION, 'address': FIRST, 'region': 'port0',
            'vendor': 'intel', 'board': 'n6000', 'interface_id': N6000,
            'function_id': NLB0, 'bitstream': None, 'state': operations.FREE,
            'holder': None}, found[REGION])

    def test_a_held_region_names_its_holder(self):
        self.hold()
        found = self.summaries()
        self.assertEqual(operations.HELD, found[REGION]['state'])
        self.assertEqual({'server_id': SERVER, 'project_id': PROJECT},
                         found[REGION]['holder'])
        self.assertEqual(operations.FREE, found[OTHER_REGION]['state'])
        self.assertIsNone(found[OTHER_REGION]['holder'])

    def test_a_quarantined_region(self):
        self.host_regions.quarantine.add(REGION, 'scrub failed')
        self.assertEqual(operations.QUARANTINED,
                         self.summaries()[REGION]['state'])

    def test_quarantine_comes_before_held(self):
        self.hold()
        self.host_regions.quarantine.add(REGION, 'scrub failed')
        found = self.summaries()[REGION]
        self.assertEqual(operations.QUARANTINED, found['state'])
        self.assertEqual(SERVER, found['holder']['server_id'])

    def test_an_unhealthy_region(self):
        self.host.crash(SECOND)
        found = self.summaries()
        self.assertEqual(operations.UNHEALTHY,
                         found[OTHER_REGION]['state'])
        self.assertEqual(operations.FREE, found[REGION]['state'])

    def test_a_region_being_programmed(self):
        self.host_regions._working.add(REGION)
        # Its mark in quarantine is the work under way, not a quarantine.
        self.host_regions.quarantine.add(REGION, 'Programming began')
        self.assertEqual(operations.PROGRAMMING,
                         self.summaries()[REGION]['state'])

    def test_a_region_the_operator_keeps_from_guests(self):
        self.allowed = {SECOND}
        found = self.summaries()
        self.assertEqual(operations.RESERVED, found[REGION]['state'])
        self.assertEqual(operations.FREE, found[OTHER_REGION]['state'])

    def test_the_bitstream_loaded_while_the_region_shows_its_function(self):
        self.assertEqual(results.OK,
                         self.ops.program(self.context, REGION,
                                          IMAGE_ID)['code'])
        self.assertEqual({'id': IMAGE_ID, 'name': 'nlb'},
                         self.summaries()[REGION]['bitstream'])
        # Something else was loaded since: the record's image is not there.
        self.host.set_function(FIRST, 0, base.OTHER_AFU)
        self.assertIsNone(self.summaries()[REGION]['bitstream'])


class ViewTest(OperationsTestCase):

    def test_no_such_region(self):
        answer = self.ops.view('0000:99:00.0_port0')
        self.assertEqual(results.NO_SUCH_REGION, answer['code'])
        self.assertEqual('FPGA region 0000:99:00.0_port0: no such region on '
                         'this host', answer['msg'])
        self.assertNotIn('region', answer)

    def test_a_fresh_region(self):
        answer = self.ops.view(REGION)
        self.assertEqual(results.OK, answer['code'])
        self.assertIn(REGION, answer['msg'])
        region = answer['region']
        self.assertEqual((REGION, operations.FREE, NLB0),
                         (region['identifier'], region['state'],
                          region['function_id']))
        self.assertEqual({
            'health': 'ok', 'health_reason': None, 'last_programmed': None,
            'last_scrubbed': None, 'quarantine': None,
            'metrics': {'programmed': 0, 'failures': 0,
                        'programming_seconds_last': None}}, region['live'])

    def test_live_fields_after_work(self):
        self.hold()
        self.ops.program(self.context, REGION, IMAGE_ID, project=PROJECT)
        self.ops.scrub(REGION, 'reset', 'user-a', project=PROJECT)
        self.host_regions.quarantine.add(REGION, 'a retry is due')
        region = self.ops.view(REGION)['region']
        live = region['live']
        self.assertEqual(operations.QUARANTINED, region['state'])
        self.assertEqual('a retry is due', live['quarantine'])
        programmed = live['last_programmed']
        self.assertEqual(
            {'at', 'by', 'image_id', 'image_name', 'function_id',
             'outcome'}, set(programmed))
        self.assertEqual((IMAGE_ID, 'nlb', base.AFU,
                          programming.PROGRAMMED,
                          'user user-a, project %s' % PROJECT),
                         (programmed['image_id'], programmed['image_name'],
                          programmed['function_id'], programmed['outcome'],
                          programmed['by']))
        self.assertEqual({'at', 'by', 'mode'}, set(live['last_scrubbed']))
        self.assertEqual(('reset', 'user-a'), (live['last_scrubbed']['mode'],
                                               live['last_scrubbed']['by']))
        metrics = live['metrics']
        self.assertEqual((1, 0), (metrics['programmed'],
                                  metrics['failures']))
        self.assertIsInstance(metrics['programming_seconds_last'], float)

    def test_failures_are_counted(self):
        self.ops.program(self.context, REGION, MISSING_IMAGE)
        self.ops.program(self.context, REGION, MISSING_IMAGE)
        self.assertEqual(2, self.ops.view(REGION)['region']['live'][
            'metrics']['failures'])

    def test_an_unhealthy_card(self):
        self.host.crash(FIRST)
        live = self.ops.view(REGION)['region']['live']
        self.assertEqual('unhealthy', live['health'])
        self.assertTrue(live['health_reason'])


class ProgramTest(OperationsTestCase):

    def test_a_free_region_by_an_admin(self):
        answer = self.ops.program(self.context, REGION, IMAGE_ID)
        self.assertEqual(results.OK, answer['code'], answer['msg'])
        self.assertEqual('bitstream has been loaded successfully',
                         answer['msg'])
        self.assertEqual(programming.PROGRAMMED, answer['outcome'])
        self.assertEqual(base.AFU, self.function_of(FIRST))
        self.assertEqual(base.AFU, answer['region']['function_id'])
        self.assertEqual({'id': IMAGE_ID, 'name': 'nlb'},
                         answer['region']['bitstream'])
        loaded = self.record()['loaded']
        self.assertEqual((IMAGE_ID, base.AFU, None,
                          'user user-a, project %s' % PROJECT),
                         (loaded['image_id'], loaded['function_id'],
                          loaded['instance'], loaded['by']))
        # Fetched with the caller's context.
        self.assertTrue(self.image_api.calls)
        self.assertTrue(all(call[1] is self.context
                            for call in self.image_api.calls))
        # Loaded already: skipped.
        answer = self.ops.program(self.context, REGION, IMAGE_ID)
        self.assertEqual((results.OK, programming.SKIPPED),
                         (answer['code'], answer['outcome']))

    def test_no_such_region(self):
        answer = self.ops.program(self.context, 'gone_port0', IMAGE_ID)
        self.assertEqual(results.NO_SUCH_REGION, answer['code'])
        self.assertIn('gone_port0', answer['msg'])
        self.assertEqual(0, self.image_api.downloads)

    def test_a_held_region_by_an_admin_without_force(self):
        self.hold()
        answer = self.ops.program(self.context, REGION, IMAGE_ID)
        self.assertEqual(results.IN_USE, answer['code'])
        self.assertEqual(
            'FPGA region %s, bitstream image %s: server %s of project %s '
            'holds the region; force goes ahead anyway (rule '
            'fpga:regions:force)' % (REGION, IMAGE_ID, SERVER, PROJECT),
            answer['msg'])
        self.assertUntouched()
        self.assertEqual([], self.image_api.calls)

    def test_a_held_region_by_an_admin_with_force(self):
        self.hold()
        answer = self.ops.program(self.context, REGION, IMAGE_ID, force=True)
        self.assertEqual((results.OK, programming.PROGRAMMED),
                         (answer['code'], answer['outcome']))
        self.assertEqual(base.AFU, self.function_of(FIRST))
        # Loaded for the server that holds it, which still does.
        self.assertEqual(SERVER, self.record()['loaded']['instance'])
        self.assertEqual(SERVER, self.record()['held']['instance'])

    def test_a_region_of_the_callers_project(self):
        self.hold()
        answer = self.ops.program(self.context, REGION, IMAGE_ID,
                                  project=PROJECT)
        self.assertEqual((results.OK, programming.PROGRAMMED),
                         (answer['code'], answer['outcome']))
        self.assertEqual(base.AFU, self.function_of(FIRST))
        self.assertEqual(SERVER, self.record()['loaded']['instance'])
        self.assertEqual({'server_id': SERVER, 'project_id': PROJECT},
                         answer['region']['holder'])

    def test_a_region_of_another_project(self):
        self.hold(project=OTHER_PROJECT)
        answer = self.ops.program(self.context, REGION, IMAGE_ID,
                                  project=PROJECT)
        self.assertEqual(results.FORBIDDEN, answer['code'])
        self.assertIn('FPGA region %s' % REGION, answer['msg'])
        self.assertIn('no server of project %s holds the region' % PROJECT,
                      answer['msg'])
        self.assertIn('fpga:regions:program:any', answer['msg'])
        self.assertUntouched()
        self.assertEqual([], self.image_api.calls)

    def test_a_free_region_by_a_member(self):
        answer = self.ops.program(self.context, REGION, IMAGE_ID,
                                  project=PROJECT)
        self.assertEqual(results.FORBIDDEN, answer['code'])
        self.assertIn('fpga:regions:program:any', answer['msg'])
        self.assertUntouched()

    def test_force_does_not_let_a_member_past_another_project(self):
        self.hold(project=OTHER_PROJECT)
        answer = self.ops.program(self.context, REGION, IMAGE_ID,
                                  project=PROJECT, force=True)
        self.assertEqual(results.FORBIDDEN, answer['code'])
        self.assertUntouched()

    def test_a_card_the_operator_keeps_from_guests(self):
        self.allowed = set()
        answer = self.ops.program(self.context, REGION, IMAGE_ID, force=True)
        self.assertEqual(results.FORBIDDEN, answer['code'])
        self.assertIn(REGION, answer['msg'])
        self.assertUntouched()

    def test_a_region_being_worked_on(self):
        self.host_regions._working.add(REGION)
        answer = self.ops.program(self.context, REGION, IMAGE_ID, force=True)
        self.assertEqual(results.IN_USE, answer['code'])
        self.assertIn('being programmed or scrubbed now', answer['msg'])
        self.assertUntouched()

    def test_a_bitstream_the_image_api_does_not_find(self):
        answer = self.ops.program(self.context, REGION, MISSING_IMAGE)
        self.assertEqual(results.BITSTREAM_UNAVAILABLE, answer['code'])
        self.assertIn(REGION.replace('_', ' '), answer['msg'])
        self.assertIn(MISSING_IMAGE, answer['msg'])
        self.assertNotIn('outcome', answer)
        self.assertUntouched()
        self.assertEqual({}, self.host_regions.quarantine.held())

    def test_a_quarantined_region_needs_force(self):
        self.host_regions.quarantine.add(REGION, 'scrub failed')
        answer = self.ops.program(self.context, REGION, IMAGE_ID)
        self.assertEqual(results.UNHEALTHY, answer['code'])
        self.assertEqual(
            'FPGA region %s, bitstream image %s: the region is quarantined '
            '(scrub failed); a scrub cleans it, force goes ahead anyway' % (
                REGION, IMAGE_ID), answer['msg'])
        self.assertUntouched()
        self.assertEqual({REGION: 'scrub failed'},
                         self.host_regions.quarantine.held())
        answer = self.ops.program(self.context, REGION, IMAGE_ID, force=True)
        self.assertEqual((results.OK, programming.PROGRAMMED),
                         (answer['code'], answer['outcome']))
        self.assertEqual(base.AFU, self.function_of(FIRST))

    def test_an_unhealthy_region_even_with_force(self):
        self.host.crash(FIRST)
        answer = self.ops.program(self.context, REGION, IMAGE_ID, force=True)
        self.assertEqual(results.UNHEALTHY, answer['code'])
        self.assertIn('FPGA region %s' % REGION, answer['msg'])
        self.assertIn('the region is unhealthy', answer['msg'])
        self.assertIsNone(self.record()['loaded'])

    def test_a_hardware_failure(self):
        self.host.inject_fault(FIRST, 'pr', 5)
        answer = self.ops.program(self.context, REGION, IMAGE_ID)
        self.assertEqual(results.UNHEALTHY, answer['code'])
        self.assertIn(REGION.replace('_', ' '), answer['msg'])
        self.assertIn(REGION, self.host_regions.quarantine.held())


class ScrubTest(OperationsTestCase):

    def test_a_quarantined_region_leaves_quarantine(self):
        self.host_regions.quarantine.add(REGION, 'scrub failed')
        answer = self.ops.scrub(REGION, 'reset', 'user admin')
        self.assertEqual(results.OK, answer['code'], answer['msg'])
        self.assertEqual('region scrubbed', answer['msg'])
        self.assertIsNotNone(answer['outcome'])
        self.assertEqual({}, self.host_regions.quarantine.held())
        self.assertEqual(operations.FREE, answer['region']['state'])
        scrubbed = self.record()['scrubbed']
        self.assertEqual(('reset', 'user admin'),
                         (scrubbed['mode'], scrubbed['by']))
        self.assertEqual(operations.FREE, self.summaries()[REGION]['state'])

    def test_a_held_region_needs_force(self):
        self.hold()
        answer = self.ops.scrub(REGION, 'reset', 'user admin')
        self.assertEqual(results.IN_USE, answer['code'])
        self.assertEqual(
            'FPGA region %s, scrub (reset): server %s of project %s holds '
            'the region; force goes ahead anyway (rule fpga:regions:force)'
            % (REGION, SERVER, PROJECT), answer['msg'])
        self.assertIsNone(self.record()['scrubbed'])
        answer = self.ops.scrub(REGION, 'reset', 'user admin', force=True)
        self.assertEqual(results.OK, answer['code'], answer['msg'])
        self.assertEqual('reset', self.record()['scrubbed']['mode'])
        # Scrubbed, still held.
        self.assertEqual(SERVER, self.record()['held']['instance'])

    def test_a_region_of_the_callers_project(self):
        self.hold()
        answer = self.ops.scrub(REGION, 'reset', 'user member',
                                project=PROJECT)
        self.assertEqual(results.OK, answer['code'], answer['msg'])
        self.assertEqual('user member', self.record()['scrubbed']['by'])

    def test_a_region_of_another_project(self):
        self.hold(project=OTHER_PROJECT)
        answer = self.ops.scrub(REGION, 'reset', 'user member',
                                project=PROJECT)
        self.assertEqual(results.FORBIDDEN, answer['code'])
        self.assertIn('fpga:regions:program:any', answer['msg'])
        self.assertIn(REGION, answer['msg'])
        self.assertIsNone(self.record()['scrubbed'])

    def test_no_such_region(self):
        answer = self.ops.scrub('gone_port0', 'reset', 'user admin')
        self.assertEqual(results.NO_SUCH_REGION, answer['code'])
        self.assertIn('gone_port0', answer['msg'])

    def test_a_failed_scrub_quarantines(self):
        self.host.inject_fault(FIRST, 'reset', 5)
        answer = self.ops.scrub(REGION, 'reset', 'user admin')
        self.assertEqual(results.UNHEALTHY, answer['code'])
        self.assertIn('FPGA region %s, scrub (reset)' % REGION,
                      answer['msg'])
        self.assertIn(REGION, self.host_regions.quarantine.held())
        self.assertIsNone(self.record()['scrubbed'])
        self.assertEqual(records.empty_record()['loaded'],
                         self.record()['loaded'])
