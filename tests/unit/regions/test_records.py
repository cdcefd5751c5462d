"""Region records: read and updated under a flock, never seen half written."""

import fcntl
import json
import os
import threading

import fixtures
import testtools

from nova_fpga.regions import records

IMAGE = {'id': 'img', 'name': 'nlb', 'os_hash_value': 'ab',
         'os_hash_algo': 'sha512'}


class StateStoreTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.store = records.StateStore(self.dir)

    def test_a_region_never_written_has_an_empty_record(self):
        self.assertEqual(records.empty_record(), self.store.read('r_port0'))

    def test_the_last_holder_is_kept_beside_the_rest(self):
        self.store.record_load('r_port0', 'programmed', IMAGE, 'f1', 'me')
        self.store.record_holder('r_port0', 'server-1', 'p1', 'u1')
        record = self.store.record_holder('r_port0', 'server-2', 'p2', 'u2',
                                          'pool-1')
        self.assertEqual(record, self.store.read('r_port0'))
        held = record['held']
        self.assertEqual(('server-2', 'p2', 'u2', 'pool-1'), (
            held['instance'], held['project_id'], held['user_id'],
            held['provider']))
        self.assertEqual('f1', record['loaded']['function_id'])

    def test_loads_add_up(self):
        self.store.record_load('r_port0', 'programmed', IMAGE, 'f1', 'me',
                               download_seconds=2.0, programming_seconds=3.0)
        record = self.store.record_load('r_port0', 'skipped', IMAGE, 'f1',
                                        'you', instance='i-1')
        metrics = record['metrics']
        self.assertEqual((1, 1, 1, 1, 1), (
            metrics['programmings'], metrics['skipped'],
            metrics['downloads'], metrics['cache_hits'],
            metrics['cache_misses']))
        self.assertEqual(3.0, metrics['programming_seconds_total'])
        self.assertEqual(2.0, metrics['last_download_seconds'])
        self.assertEqual({'function_id': 'f1', 'image_id': 'img',
                          'image_name': 'nlb', 'image_hash': 'ab',
                          'image_hash_algo': 'sha512', 'instance': 'i-1',
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
        self.assertEqual(['r_port0.json'], os.listdir(self.dir))

    def test_a_shorter_record_is_padded_not_truncated(self):
        for _ in range(3):
            self.store.record_failure('r_port0', 'a-long-failure-cause')
        path = os.path.join(self.dir, 'r_port0.json')
        # What a record of that region looked like before, longer.
        with open(path) as f:
            longer = f.read()
        with open(path, 'w') as f:
            json.dump(records.empty_record(), f)
            f.write(' ' * len(longer))
        size = os.path.getsize(path)
        self.store.record_scrub('r_port0', 'reset', 'me')
        self.assertEqual(size, os.path.getsize(path))
        with open(path) as f:
            self.assertEqual('reset', json.load(f)['scrubbed']['mode'])

    def test_an_empty_file_is_an_empty_record(self):
        open(os.path.join(self.dir, 'r_port0.json'), 'w').close()
        self.assertEqual(records.empty_record(), self.store.read('r_port0'))

    def test_updates_from_threads_add_up(self):
        def fail():
            for _ in range(20):
                self.store.record_failure('r_port0', 'hardware')
        threads = [threading.Thread(target=fail) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual({'hardware': 80},
                         self.store.read('r_port0')['metrics']['failures'])

    def test_a_read_waits_for_the_update_in_progress(self):
        self.store.record_failure('r_port0', 'hardware')
        read = []
        with open(os.path.join(self.dir, 'r_port0.json'), 'rb') as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            reader = threading.Thread(
                target=lambda: read.append(self.store.read('r_port0')))
            reader.start()
            reader.join(0.2)
            self.assertEqual([], read)
        reader.join(5)
        self.assertEqual({'hardware': 1}, read[0]['metrics']['failures'])

    def test_an_identifier_cannot_leave_the_directory(self):
        self.assertRaises(ValueError, self.store.read, '../etc/passwd')

    def test_a_release_forgets_the_holder_only(self):
        self.store.record_holder('r_port0', 'i-1', 'p', 'u', 'rp')
        self.store.record_load('r_port0', 'programmed', IMAGE, 'f1', 'you',
                               instance='i-1')
        record = self.store.record_release('r_port0')
        self.assertIsNone(record['held'])
        self.assertEqual('i-1', record['loaded']['instance'])
        self.assertEqual(['r_port0'], self.store.identifiers())
