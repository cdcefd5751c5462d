"""The hash of a download, in a thread beside it."""

import hashlib
import sys
import threading
from unittest import mock

import fixtures
import testtools

from nova_fpga.bitstream import cache
from nova_fpga.bitstream import hashing


def hash_threads():
    return [t for t in threading.enumerate() if t.name == 'bitstream-hash']


class BackgroundHashTest(testtools.TestCase):

    def test_the_digest_of_every_chunk_in_order(self):
        chunks = [b'a' * 70000, b'', b'bc', b'd' * 3]
        digest = hashing.BackgroundHash('sha256')
        for chunk in chunks:
            digest.update(chunk)
        self.assertEqual(hashlib.sha256(b''.join(chunks)).hexdigest(),
                         digest.hexdigest())
        self.assertEqual([], hash_threads())

    def test_a_reused_buffer_is_copied(self):
        buf = bytearray(b'first')
        digest = hashing.BackgroundHash('sha256')
        digest.update(memoryview(buf))
        buf[:] = b'later'
        self.assertEqual(hashlib.sha256(b'first').hexdigest(),
                         digest.hexdigest())

    def test_more_batches_than_the_queue_holds(self):
        chunks = [bytes([n]) * (hashing.BATCH // 3)
                  for n in range(hashing.DEPTH * 12)]
        digest = hashing.BackgroundHash('sha512')
        for chunk in chunks:
            digest.update(chunk)
        self.assertEqual(hashlib.sha512(b''.join(chunks)).hexdigest(),
                         digest.hexdigest())

    def test_small_chunks_are_handed_over_together(self):
        handed = []

        class Recording:
            def update(self, data):
                handed.append(len(data))

            def hexdigest(self):
                return 'done'
        self.useFixture(fixtures.MockPatchObject(hashing, 'BATCH', 10))
        self.useFixture(fixtures.MockPatchObject(
            hashing.hashlib, 'new', return_value=Recording()))
        digest = hashing.BackgroundHash('sha512')
        for size in (4, 4, 4, 1):
            digest.update(b'x' * size)
        self.assertEqual('done', digest.hexdigest())
        self.assertEqual([12, 1], handed)

    def test_close_stops_the_thread(self):
        digest = hashing.BackgroundHash('sha256')
        digest.update(b'half a download')
        self.assertEqual(1, len(hash_threads()))
        digest.close()
        digest.close()
        self.assertEqual([], hash_threads())

    def test_an_os_thread_under_eventlet(self):
        # These tests run on native threads, where eventlet may not load.
        eventlet = mock.Mock()
        eventlet.patcher.original.side_effect = lambda name: 'os ' + name
        with mock.patch.dict(sys.modules, {'eventlet': eventlet}), \
                mock.patch.object(hashing.eventletutils, 'is_monkey_patched',
                                  return_value=True) as patched:
            found = hashing._os_threading()
        patched.assert_called_once_with('thread')
        self.assertEqual(('os threading', 'os queue'), found)

    def test_a_failed_download_leaves_no_thread(self):
        directory = self.useFixture(fixtures.TempDir()).path
        bitstreams = cache.Cache(directory, 1 << 20)
        data = b'bitstream'
        meta = {'id': 'img', 'size': 100, 'os_hash_algo': 'sha512',
                'os_hash_value': hashlib.sha512(data).hexdigest()}

        def fetch(dst):
            dst.write(data)
            raise ConnectionError('glance went away')
        self.assertRaises(ConnectionError, bitstreams.get, meta, fetch)
        self.assertEqual([], hash_threads())
