"""Region records: read, update under the lock, replace atomically."""

import json
import os

import fixtures
import testtools

from nova_fpga import state

IMAGE = {'id': 'img', 'name': 'nlb', 'os_hash_value': 'ab'}


class StateStoreTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.store = state.StateStore(self.dir)

    def test_a_region_never_written_has_an_empty_record(self):
        self.assertEqual(state.empty_record(), self.store.read('r_port0'))

    def test_loads_add_up(self):
        self.store.record_load('r_port0', 'programmed', IMAGE, 'f1', 'me',
                               download_seconds=2.0, programming_seconds=3.0)
        record = self.store.record_load('r_port0', 'skipped', IMAGE, 'f1',
                                        'you')
        metrics = record['metrics']
        self.assertEqual((1, 1, 1, 1, 1), (
            metrics['programmings'], metrics['skipped'],
            metrics['downloads'], metrics['cache_hits'],
            metrics['cache_misses']))
        self.assertEqual(3.0, metrics['programming_seconds_total'])
        self.assertEqual(2.0, metrics['last_download_seconds'])
        self.assertEqual({'function_id': 'f1', 'image_id': 'img',
                          'image_name': 'nlb', 'image_hash': 'ab',
                          'outcome': 'skipped', 'by': 'you'},
                         {k: v for k, v in record['loaded'].items()
                          if k != 'at'})
        self.assertEqual(record, self.store.read('r_port0'))

    def test_failures_by_cause(self):
        self.store.record_failure('r_port0', 'hardware')
        self.store.record_failure('r_port0', 'hardware')
        self.store.record_failure('r_port0', 'incompatible')
        self.assertEqual({'hardware': 2, 'incompatible': 1},
                         self.store.read('r_port0')['metrics']['failures'])

    def test_an_unreadable_record_starts_afresh(self):
        with open(os.path.join(self.dir, 'r_port0.json'), 'w') as f:
            f.write('{half')
        self.store.record_scrub('r_port0', 'reset', 'me')
        with open(os.path.join(self.dir, 'r_port0.json')) as f:
            self.assertEqual('reset', json.load(f)['scrubbed']['mode'])

    def test_nothing_is_left_but_the_record(self):
        self.store.record_scrub('r_port0', 'reset', 'me')
        self.assertEqual(['locks', 'r_port0.json'],
                         sorted(os.listdir(self.dir)))

    def test_an_identifier_cannot_leave_the_directory(self):
        self.assertRaises(ValueError, self.store.read, '../etc/passwd')
