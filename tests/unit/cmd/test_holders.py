"""Placement's answers as the holders of regions, and when it has none."""

from unittest import mock

import testtools

from nova_fpga.cmd import holders

NODE = 'compute1'
ROOT, RP = 'root-uuid', 'rp-uuid'
ANSWERS = {
    '/resource_providers?name=compute1': {'resource_providers': [
        {'uuid': ROOT, 'name': NODE}]},
    '/resource_providers?in_tree=root-uuid': {'resource_providers': [
        {'uuid': ROOT, 'name': NODE},
        {'uuid': 'other', 'name': 'compute1_PMEM_ns0'},
        {'uuid': RP, 'name': 'compute1_FPGA_0000:10:00.0_port0'}]},
    '/resource_providers/rp-uuid/inventories': {'inventories': {
        'FPGA': {'total': 1, 'reserved': 0}}},
    '/resource_providers/rp-uuid/allocations': {'allocations': {
        'server': {'resources': {'FPGA': 1}}}},
    '/allocations/server': {'allocations': {}, 'project_id': 'p',
                            'user_id': 'u'},
}


def answer(url, status=200):
    resp = mock.Mock(status_code=status)
    resp.json.return_value = ANSWERS[url]
    return resp


class HoldersTest(testtools.TestCase):

    def read(self, get):
        client = mock.Mock()
        client.get.side_effect = lambda url, **kwargs: get(url)
        return holders.Holders(NODE, client=client).read()

    def test_the_consumers_of_each_fpga_provider(self):
        self.assertEqual({'0000:10:00.0_port0': {
            'provider': RP, 'reserved': False,
            'holders': [{'consumer': 'server', 'project_id': 'p',
                         'user_id': 'u'}]}}, self.read(answer))

    def test_an_error_answer(self):
        e = self.assertRaises(holders.Unknown, self.read,
                              lambda url: answer(url, status=503))
        self.assertEqual('Placement answered 503 to GET '
                         '/resource_providers?name=compute1', str(e))

    def test_placement_unreachable(self):
        def fail(url):
            raise ConnectionError('refused')
        e = self.assertRaises(holders.Unknown, self.read, fail)
        self.assertEqual('Placement cannot be asked: refused', str(e))


POOL = 'compute1_FPGAPOOL_0123456789abcdef'
POOLED = dict(ANSWERS, **{
    '/resource_providers?in_tree=root-uuid': {'resource_providers': [
        {'uuid': ROOT, 'name': NODE},
        {'uuid': 'pool-uuid', 'name': POOL}]},
    '/resource_providers/pool-uuid/inventories': {'inventories': {
        'FPGA': {'total': 3, 'reserved': 0}}},
    '/resource_providers/pool-uuid/allocations': {'allocations': {
        'server': {'resources': {'FPGA': 1}},
        'migration': {'resources': {'FPGA': 1}}}},
    '/allocations/migration': {'allocations': {}, 'project_id': 'p',
                               'user_id': 'u'},
})


class PooledHoldersTest(testtools.TestCase):

    def read(self, given):
        client = mock.Mock()
        client.get.side_effect = lambda url, **kwargs: mock.Mock(
            status_code=200, json=mock.Mock(return_value=POOLED[url]))
        return holders.Holders(NODE, client=client).read(given)

    def test_the_records_name_the_region_of_a_holder(self):
        found = self.read({'0000:10:00.0_port0': 'server',
                           '0000:18:00.0_port0': 'gone'})
        self.assertEqual(
            [{'consumer': 'server', 'project_id': 'p', 'user_id': 'u'}],
            found['0000:10:00.0_port0']['holders'])
        self.assertEqual('pool-uuid', found['0000:10:00.0_port0']['provider'])
        # A record of an instance the pool no longer serves names nothing.
        self.assertNotIn('0000:18:00.0_port0', found)
        # A holder no record names may hold any other region.
        self.assertEqual(
            {'provider': None, 'reserved': False, 'pool': True, 'holders': [
                {'consumer': 'migration', 'project_id': 'p',
                 'user_id': 'u'}]}, found[holders.UNNAMED])

    def test_without_records_every_holder_is_unnamed(self):
        found = self.read({})
        self.assertEqual(['migration', 'server'], [
            h['consumer'] for h in found[holders.UNNAMED]['holders']])
        self.assertEqual({holders.UNNAMED}, set(found))


GPU_POOL = 'compute1_GPUPOOL_0123456789abcdef'
WITH_GPUS = dict(POOLED, **{
    '/resource_providers?in_tree=root-uuid': {'resource_providers': [
        {'uuid': ROOT, 'name': NODE},
        {'uuid': 'pool-uuid', 'name': POOL},
        {'uuid': 'gpus-uuid', 'name': GPU_POOL}]},
    '/resource_providers/gpus-uuid/inventories': {'inventories': {
        'PGPU': {'total': 4, 'reserved': 0}}},
    '/resource_providers/gpus-uuid/allocations': {'allocations': {
        'server': {'resources': {'PGPU': 2}}}},
})


class GPUPoolHoldersTest(testtools.TestCase):

    def test_the_holders_of_a_pool_of_gpus_are_apart(self):
        client = mock.Mock()
        client.get.side_effect = lambda url, **kwargs: mock.Mock(
            status_code=200, json=mock.Mock(return_value=WITH_GPUS[url]))
        found = holders.Holders(NODE, client=client).read(
            {'0000:10:00.0_port0': 'server'})
        # The record names the server's region, not its GPUs: the region
        # keeps its entry of the FPGA pool.
        self.assertEqual('pool-uuid', found['0000:10:00.0_port0']['provider'])
        self.assertEqual(['migration'], [
            h['consumer'] for h in found[holders.UNNAMED]['holders']])
        self.assertEqual(
            {'provider': None, 'reserved': False, 'pool': True, 'holders': [
                {'consumer': 'server', 'project_id': 'p', 'user_id': 'u'}]},
            found[holders.UNNAMED_GPU])
