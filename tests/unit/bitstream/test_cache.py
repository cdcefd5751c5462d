import fcntl
import hashlib
import os
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc

import fixtures
import testtools

from nova_fpga.bitstream import cache
from nova_fpga.bitstream import exception
from tests.unit.bitstream import fakes

KiB = 1024
MiB = 1024 * KiB


def image(data, image_id='a1b2c3d4-0000-4000-8000-000000000001',
          algo='sha512', **meta):
    values = {'id': image_id, 'name': 'nlb0', 'os_hash_algo': algo,
              'os_hash_value': hashlib.new(algo, data).hexdigest(),
              'size': len(data)}
    values.update(meta)
    return values


class Fetch:
    """``fetch(dst)`` that writes ``data`` and counts its calls."""

    def __init__(self, data, delay=0, fail_after=None, error=None):
        self.data = data
        self.delay = delay
        self.fail_after = fail_after
        self.error = error or IOError('connection reset by Glance')
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, dst):
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        if self.fail_after is not None:
            dst.write(self.data[:self.fail_after])
            raise self.error
        dst.write(self.data)


class CacheTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.logs = self.useFixture(fixtures.FakeLogger())
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.cache = cache.Cache(self.dir, 64 * KiB)

    def entries(self):
        return fakes.cache_files(self.dir)

    def read(self, path):
        with open(path, 'rb') as f:
            return f.read()

    def test_fetch_then_hit(self):
        data = b'bitstream' * 100
        meta = image(data)
        fetch = Fetch(data)
        path = self.cache.get(meta, fetch)
        self.assertEqual(
            os.path.join(self.dir, 'sha512', meta['os_hash_value']), path)
        self.assertEqual(data, self.read(path))
        os.utime(path, (1000, 1000))
        self.assertEqual(path, self.cache.get(meta, fetch))
        self.assertEqual(1, fetch.calls)
        # A hit refreshes the least-recently-used stamp.
        self.assertGreater(os.stat(path).st_mtime, 1000)
        self.assertEqual(['sha512/' + meta['os_hash_value']], self.entries())

    def test_default_algorithm_is_sha512(self):
        data = b'x' * 10
        meta = image(data, os_hash_algo=None)
        path = self.cache.get(meta, Fetch(data))
        self.assertEqual(os.path.join(self.dir, 'sha512',
                                      meta['os_hash_value']), path)

    def test_other_algorithm(self):
        data = b'x' * 10
        meta = image(data, algo='sha256')
        meta['os_hash_value'] = meta['os_hash_value'].upper()
        path = self.cache.get(meta, Fetch(data))
        self.assertEqual(os.path.join(self.dir, 'sha256',
                                      hashlib.sha256(data).hexdigest()),
                         path)

    def assertRefused(self, error, meta, fetch, *phrases):
        e = self.assertRaises(error, self.cache.get, meta, fetch)
        self.assertIsInstance(e, exception.BitstreamError)
        message = str(e)
        self.assertIn('bitstream image %s (nlb0)' % meta['id'], message)
        for phrase in phrases:
            self.assertIn(phrase, message)
        self.assertEqual([], self.entries())
        return message

    def test_missing_hash(self):
        fetch = Fetch(b'data')
        self.assertRefused(exception.MissingHash,
                           image(b'data', os_hash_value=None), fetch,
                           'no os_hash_value')
        self.assertEqual(0, fetch.calls)

    def test_unknown_algorithm(self):
        fetch = Fetch(b'data')
        self.assertRefused(exception.UnsupportedHash,
                           image(b'data', os_hash_algo='whirlpool9'), fetch,
                           "os_hash_algo 'whirlpool9' is not available")
        self.assertEqual(0, fetch.calls)

    def test_malformed_hash_value(self):
        fetch = Fetch(b'data')
        value = '../../../etc/passwd'
        self.assertRefused(exception.UnsupportedHash,
                           image(b'data', os_hash_value=value), fetch,
                           "os_hash_value '../../../etc/passwd' is not a "
                           "sha512 digest")
        self.assertRefused(exception.UnsupportedHash,
                           image(b'data', os_hash_value='ab' * 32), fetch,
                           'is not a sha512 digest')
        self.assertEqual(0, fetch.calls)

    def test_hash_mismatch(self):
        meta = image(b'what glance has')
        actual = hashlib.sha512(b'what came back!').hexdigest()
        self.assertRefused(exception.HashMismatch, meta,
                           Fetch(b'what came back!'),
                           'data fetched has sha512 %s' % actual,
                           'Glance expects %s' % meta['os_hash_value'])

    def test_size_mismatch(self):
        meta = image(b'0123456789')
        self.assertRefused(exception.SizeMismatch, meta, Fetch(b'01234'),
                           'fetched 5 bytes, Glance says the image has 10')

    def test_fetch_failing_midway_leaves_nothing(self):
        data = b'z' * 10000
        fetch = Fetch(data, fail_after=5000)
        e = self.assertRaises(IOError, self.cache.get, image(data), fetch)
        self.assertIs(fetch.error, e)
        self.assertEqual([], self.entries())
        # The next caller fetches afresh.
        fetch.fail_after = None
        self.assertEqual(data, self.read(self.cache.get(image(data), fetch)))

    def test_interrupted_fetch_leaves_nothing(self):
        data = b'z' * 10000
        fetch = Fetch(data, fail_after=100, error=KeyboardInterrupt())
        self.assertRaises(KeyboardInterrupt, self.cache.get, image(data),
                          fetch)
        self.assertEqual([], self.entries())

    def _corrupt_and_get(self, change):
        data = bytes(range(256)) * 4
        meta = image(data)
        fetch = Fetch(data)
        path = self.cache.get(meta, fetch)
        with open(path, 'r+b') as f:
            change(f)
        self.assertEqual(path, self.cache.get(meta, fetch))
        self.assertEqual(2, fetch.calls)
        self.assertEqual(data, self.read(path))

    def test_corrupted_entry_is_fetched_again(self):
        def flip(f):
            f.seek(500)
            f.write(b'\0')
        self._corrupt_and_get(flip)
        self.assertIn('no longer matches its hash: fetching it again',
                      self.logs.output)

    def test_corrupted_entry_is_dropped_when_refetch_fails(self):
        data = b'q' * 1000
        path = self.cache.get(image(data), Fetch(data))
        with open(path, 'r+b') as f:
            f.write(b'Q')
        self.assertRaises(IOError, self.cache.get, image(data),
                          Fetch(data, fail_after=10))
        self.assertEqual([], self.entries())

    def test_truncated_entry_is_fetched_again(self):
        self._corrupt_and_get(lambda f: f.truncate(100))

    def test_same_content_is_stored_once(self):
        data = b'shared' * 50
        fetch = Fetch(data)
        first = self.cache.get(image(data, name='one'), fetch)
        second = self.cache.get(
            image(data, image_id='a1b2c3d4-0000-4000-8000-000000000002',
                  name='two'), fetch)
        self.assertEqual(first, second)
        self.assertEqual(1, fetch.calls)
        self.assertEqual(1, len(self.entries()))

    def test_least_recently_used_are_evicted(self):
        self.cache = cache.Cache(self.dir, 3 * KiB)
        blobs = {name: name.encode() * KiB for name in 'abcd'}
        paths = {}
        for stamp, name in enumerate('abc'):
            paths[name] = self.cache.get(image(blobs[name]),
                                         Fetch(blobs[name]))
            os.utime(paths[name], (stamp + 1, stamp + 1))
        # a is used again, so b is now the least recently used.
        self.cache.get(image(blobs['a']), Fetch(blobs['a']))
        paths['d'] = self.cache.get(image(blobs['d']), Fetch(blobs['d']))
        self.assertFalse(os.path.exists(paths['b']))
        for name in 'acd':
            self.assertTrue(os.path.exists(paths[name]), name)

    def test_the_file_just_added_is_never_evicted(self):
        self.cache = cache.Cache(self.dir, KiB)
        small = self.cache.get(image(b's' * 100), Fetch(b's' * 100))
        big = self.cache.get(image(b'b' * 2 * KiB), Fetch(b'b' * 2 * KiB))
        self.assertTrue(os.path.exists(big))
        self.assertFalse(os.path.exists(small))

    def test_lowered_cap_applies_at_start(self):
        old = self.cache.get(image(b'o' * KiB), Fetch(b'o' * KiB))
        os.utime(old, (1, 1))
        new = self.cache.get(image(b'n' * KiB), Fetch(b'n' * KiB))
        cache.Cache(self.dir, KiB)
        self.assertFalse(os.path.exists(old))
        self.assertTrue(os.path.exists(new))

    def test_one_download_for_many_threads(self):
        data = b'popular' * 1000
        meta = image(data)
        fetch = Fetch(data, delay=0.2)
        results, errors = [], []

        def ask():
            try:
                results.append(self.cache.get(meta, fetch))
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=ask) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([], errors)
        self.assertEqual(1, fetch.calls)
        self.assertEqual(10, len(results))
        self.assertEqual({results[0]}, set(results))

    def test_one_download_for_many_processes(self):
        data = b'shared across processes' * 100
        meta = image(data)
        blob = os.path.join(self.dir, 'blob')
        with open(blob, 'wb') as f:
            f.write(data)
        counter = os.path.join(self.dir, 'fetches')
        script = textwrap.dedent('''
            import shutil, sys, time
            from nova_fpga.bitstream import cache

            def fetch(dst):
                with open(%(counter)r, 'a') as f:
                    f.write('fetch\\n')
                time.sleep(0.5)
                with open(%(blob)r, 'rb') as f:
                    shutil.copyfileobj(f, dst)

            c = cache.Cache(%(dir)r, 1024 * 1024)
            print(c.get(%(meta)r, fetch))
        ''') % {'counter': counter, 'blob': blob, 'dir': self.dir,
                'meta': meta}
        procs = [subprocess.Popen([sys.executable, '-c', script],
                                  stdout=subprocess.PIPE)
                 for _ in range(3)]
        outputs = [proc.communicate()[0].decode().strip() for proc in procs]
        self.assertEqual([0, 0, 0], [proc.returncode for proc in procs])
        self.assertEqual({self.cache.path('sha512', meta['os_hash_value'])},
                         set(outputs))
        with open(counter) as f:
            self.assertEqual(['fetch'], f.read().split())

    def test_leftovers_are_cleaned_but_live_downloads_kept(self):
        tmp = os.path.join(self.dir, cache.TMP)
        dead = os.path.join(tmp, 'fetch-dead')
        live = os.path.join(tmp, 'fetch-live')
        for path in (dead, live):
            with open(path, 'wb') as f:
                f.write(b'partial')
        with open(live, 'rb') as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            cache.Cache(self.dir, MiB)
            self.assertFalse(os.path.exists(dead))
            self.assertTrue(os.path.exists(live))
        cache.Cache(self.dir, MiB)
        self.assertFalse(os.path.exists(live))

    def test_memory_does_not_grow_with_the_bitstream(self):
        size = 64 * MiB
        block = bytes(range(256)) * 4096
        digest = hashlib.sha512()
        for _ in range(size // len(block)):
            digest.update(block)
        meta = {'id': 'big', 'name': 'big', 'size': size,
                'os_hash_algo': 'sha512',
                'os_hash_value': digest.hexdigest()}
        self.cache = cache.Cache(self.dir, 2 * size)

        def fetch(dst):
            for _ in range(size // len(block)):
                dst.write(block)

        tracemalloc.start()
        try:
            path = self.cache.get(meta, fetch)
            self.cache.get(meta, fetch)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(size, os.path.getsize(path))
        self.assertLess(peak, 8 * MiB)


class NoteTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.cache = cache.Cache(self.dir, 64 * KiB)
        self.data = b'bitstream' * 100
        self.meta = image(self.data)
        self.path = self.cache.get(self.meta, Fetch(self.data))

    def test_recalled_as_noted(self):
        self.assertIsNone(self.cache.recall(self.meta))
        self.cache.note(self.meta, {'function_id': 'ab', 'size': 3})
        self.assertEqual({'function_id': 'ab', 'size': 3},
                         self.cache.recall(self.meta))

    def test_recall_refreshes_the_entry(self):
        self.cache.note(self.meta, {'x': 1})
        os.utime(self.path, (1000, 1000))
        self.cache.recall(self.meta)
        self.assertGreater(os.stat(self.path).st_mtime, 1000)

    def test_stale_once_the_entry_is_replaced(self):
        self.cache.note(self.meta, {'x': 1})
        with open(self.path, 'wb') as f:
            f.write(b'x' * len(self.data))
        self.assertEqual({'x': 1}, self.cache.recall(self.meta))
        # Fetched again: a new file, so the note no longer holds.
        self.cache.get(self.meta, Fetch(self.data))
        self.assertIsNone(self.cache.recall(self.meta))

    def test_no_entry_no_note(self):
        self.cache.note(self.meta, {'x': 1})
        os.unlink(self.path)
        self.assertIsNone(self.cache.recall(self.meta))

    def test_unreadable_note_is_none(self):
        self.cache.note(self.meta, {'x': 1})
        note = os.path.join(self.dir, cache.NOTES, 'sha512',
                            self.meta['os_hash_value'])
        with open(note, 'w') as f:
            f.write('{not json')
        self.assertIsNone(self.cache.recall(self.meta))

    def test_evicted_with_its_entry(self):
        self.cache.note(self.meta, {'x': 1})
        other = b'o' * (64 * KiB - 100)
        self.cache.get(image(other, image_id='other'), Fetch(other))
        self.assertFalse(os.path.exists(self.path))
        self.assertEqual([], os.listdir(
            os.path.join(self.dir, cache.NOTES, 'sha512')))

    def test_a_download_is_hashed_as_written(self):
        data = b'fresh' * 100
        hashed = []
        real = cache.hash_file
        self.useFixture(fixtures.MockPatchObject(
            cache, 'hash_file',
            side_effect=lambda *a: hashed.append(a) or real(*a)))
        path = self.cache.get(image(data, image_id='fresh'), Fetch(data))
        self.assertEqual([], hashed)
        # A hit reads the entry back, once.
        self.cache.get(image(data, image_id='fresh'), Fetch(data))
        self.assertEqual([(path, 'sha512')], hashed)
