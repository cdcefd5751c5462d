"""Where the API finds regions: compute node stats, and Placement."""

import datetime
from unittest import mock

import fixtures
from nova import context as nova_context
from nova import exception as nova_exception
from nova import objects
from oslo_serialization import jsonutils
from oslo_utils.fixture import uuidsentinel as uuids
import testtools

from nova_fpga.api import listing
from nova_fpga import model
from nova_fpga.virt import reporting

UPDATED = datetime.datetime(2024, 5, 1, 10, 0, 0,
                            tzinfo=datetime.timezone.utc)
CREATED = datetime.datetime(2024, 4, 1, 8, 30, 0,
                            tzinfo=datetime.timezone.utc)


def entry(address, name='port0', state='free'):
    """A region as a compute's stats list it (operations.summary)."""
    return {'identifier': '%s_%s' % (address, name), 'address': address,
            'region': name, 'vendor': 'intel', 'board': 'n6000',
            'interface_id': 'bfac4d851ee856fe8c95865ce1bbaa2d',
            'function_id': None, 'bitstream': None, 'state': state,
            'holder': None}


def node(uuid=uuids.node, host='compute-1', entries=(),
         updated_at=UPDATED, created_at=CREATED, stats=None):
    if stats is None:
        stats = ({reporting.STATS_KEY: jsonutils.dumps(list(entries))}
                 if entries else {})
    return objects.ComputeNode(
        uuid=uuid, host=host, hypervisor_hostname=host + '.example.org',
        stats=dict(stats, num_instances='0'), updated_at=updated_at,
        created_at=created_at)


class RegionsOfTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        objects.register_all()

    def test_the_regions_of_the_stats(self):
        first, second = entry('0000:10:00.0'), entry('0000:18:00.0', 'port1',
                                                     'held')
        found = listing.regions_of(node(entries=[first, second]))
        self.assertEqual([
            dict(first, uuid=model.region_uuid(uuids.node,
                                               '0000:10:00.0_port0'),
                 host='compute-1', node='compute-1.example.org',
                 updated_at='2024-05-01T10:00:00Z'),
            dict(second, uuid=model.region_uuid(uuids.node,
                                                '0000:18:00.0_port1'),
                 host='compute-1', node='compute-1.example.org',
                 updated_at='2024-05-01T10:00:00Z')], found)

    def test_the_uuid_is_the_regions_in_the_cloud(self):
        (found,) = listing.regions_of(node(entries=[entry('0000:10:00.0')]))
        (other,) = listing.regions_of(node(uuids.other_node,
                                           entries=[entry('0000:10:00.0')]))
        self.assertNotEqual(found['uuid'], other['uuid'])
        self.assertEqual(model.region_uuid(uuids.other_node,
                                           '0000:10:00.0_port0'),
                         other['uuid'])

    def test_a_node_never_updated_shows_its_creation(self):
        (found,) = listing.regions_of(node(entries=[entry('0000:10:00.0')],
                                           updated_at=None))
        self.assertEqual('2024-04-01T08:30:00Z', found['updated_at'])
        (found,) = listing.regions_of(node(entries=[entry('0000:10:00.0')],
                                           updated_at=None, created_at=None))
        self.assertIsNone(found['updated_at'])

    def test_no_regions(self):
        self.assertEqual([], listing.regions_of(node()))
        self.assertEqual([], listing.regions_of(node(
            stats={reporting.STATS_KEY: '[]'})))
        self.assertEqual([], listing.regions_of(objects.ComputeNode(
            uuid=uuids.node, host='compute-1', hypervisor_hostname='n',
            stats={})))

    def test_what_a_reporter_publishes(self):
        reporter = reporting.Reporter(mock.sentinel.virtapi, 'compute-1',
                                      mock.Mock(),
                                      mock.Mock(resource_classes={}))
        self.assertEqual({}, reporter.stats())
        reporter._inventory = mock.sentinel.inventory
        with mock.patch.object(reporting.operations, 'summaries',
                               return_value=[entry('0000:10:00.0')]):
            stats = reporter.stats()
        (found,) = listing.regions_of(node(stats=stats))
        self.assertEqual(('0000:10:00.0_port0', 'free', 'compute-1'),
                         (found['identifier'], found['state'],
                          found['host']))


class AllRegionsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        objects.register_all()
        self.context = nova_context.RequestContext('u', 'p', is_admin=False)

    def test_every_cell_that_answers_sorted(self):
        nodes = {
            uuids.cell1: [node(uuids.b, 'compute-b',
                               [entry('0000:18:00.0'),
                                entry('0000:10:00.0')])],
            uuids.cell2: [node(uuids.a, 'compute-a', [entry('0000:5e:00.0')]),
                          node(uuids.c, 'compute-c')],
            uuids.cell3: nova_context.did_not_respond_sentinel,
            uuids.cell4: nova_exception.NovaException('down'),
        }
        gather = self.useFixture(fixtures.MockPatchObject(
            nova_context, 'scatter_gather_skip_cell0',
            return_value=nodes)).mock
        found = listing.all_regions(self.context)
        self.assertEqual([('compute-a', '0000:5e:00.0_port0'),
                          ('compute-b', '0000:10:00.0_port0'),
                          ('compute-b', '0000:18:00.0_port0')],
                         [(r['host'], r['identifier']) for r in found])
        context, method = gather.call_args.args
        self.assertTrue(context.is_admin)
        self.assertEqual(objects.ComputeNodeList.get_all, method)
        # One host's only, the others never parsed.
        self.assertEqual(
            [('compute-b', '0000:10:00.0_port0'),
             ('compute-b', '0000:18:00.0_port0')],
            [(r['host'], r['identifier']) for r in listing.all_regions(
                self.context, host='compute-b')])

    def test_a_page_parses_only_the_nodes_it_shows(self):
        nodes = {uuids.cell1: [node(uuids.a, 'compute-a',
                                    [entry('0000:5e:00.0')]),
                               node(uuids.b, 'compute-b',
                                    [entry('0000:18:00.0')])]}
        self.useFixture(fixtures.MockPatchObject(
            nova_context, 'scatter_gather_skip_cell0', return_value=nodes))
        parse = self.useFixture(fixtures.MockPatchObject(
            listing, 'regions_of', wraps=listing.regions_of)).mock
        first = next(listing.all_regions(self.context))
        self.assertEqual('compute-a', first['host'])
        self.assertEqual(1, parse.call_count)


def answer(status, providers=None):
    response = mock.Mock(status_code=status)
    response.json.return_value = {'resource_providers': providers or []}
    return response


class FinderTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        objects.register_all()
        self.client = mock.Mock()
        self.finder = listing.Finder(client=self.client)
        self.context = nova_context.RequestContext('u', 'p', is_admin=False)

    def test_the_root_provider_of_the_region(self):
        self.client.get.return_value = answer(200, [
            {'uuid': uuids.region_provider,
             'root_provider_uuid': uuids.node}])
        self.assertEqual(uuids.node,
                         self.finder.node_uuid(self.context, uuids.region))
        self.client.get.assert_called_once_with(
            '/resource_providers?member_of=%s' % uuids.region,
            version='1.14', global_request_id=self.context.global_id)

    def test_no_provider(self):
        self.client.get.return_value = answer(200, [])
        e = self.assertRaises(listing.NotFound, self.finder.node_uuid,
                              self.context, uuids.region)
        self.assertEqual(uuids.region, str(e))

    def test_placement_fails(self):
        self.client.get.return_value = answer(500)
        e = self.assertRaises(listing.PlacementUnavailable,
                              self.finder.node_uuid, self.context,
                              uuids.region)
        self.assertEqual('Placement answered 500', str(e))

    def test_placement_cannot_be_reached(self):
        for error, message in ((ConnectionError('refused'), 'refused'),
                               (TimeoutError(), 'TimeoutError')):
            self.client.get.side_effect = error
            e = self.assertRaises(listing.PlacementUnavailable,
                                  self.finder.node_uuid, self.context,
                                  uuids.region)
            self.assertEqual(message, str(e))

    def found(self, compute_node):
        self.client.get.return_value = answer(200, [
            {'uuid': uuids.region_provider,
             'root_provider_uuid': uuids.node}])
        get = self.useFixture(fixtures.MockPatchObject(
            self.finder.host_api, 'compute_node_get')).mock
        if isinstance(compute_node, Exception):
            get.side_effect = compute_node
        else:
            get.return_value = compute_node
        return get

    def test_find(self):
        compute_node = node(entries=[entry('0000:10:00.0'),
                                     entry('0000:18:00.0')])
        get = self.found(compute_node)
        wanted = model.region_uuid(uuids.node, '0000:18:00.0_port0')
        found, region = self.finder.find(self.context, wanted)
        self.assertIs(compute_node, found)
        self.assertEqual((wanted, '0000:18:00.0_port0'),
                         (region['uuid'], region['identifier']))
        context, node_uuid = get.call_args.args
        self.assertEqual(uuids.node, node_uuid)
        self.assertTrue(context.is_admin)

    def test_find_a_region_the_node_no_longer_lists(self):
        self.found(node(entries=[entry('0000:10:00.0')]))
        self.assertRaises(listing.NotFound, self.finder.find, self.context,
                          uuids.region)

    def test_find_on_a_node_gone(self):
        self.found(nova_exception.ComputeHostNotFound(host=uuids.node))
        self.assertRaises(listing.NotFound, self.finder.find, self.context,
                          uuids.region)
