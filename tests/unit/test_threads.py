"""The per-card locks, the single-flight cache and privsep on OS threads.

tox runs the unit tests with Nova's native threading
(OS_NOVA_DISABLE_EVENTLET_PATCHING=true, read in tests/__init__.py), so
these threads are the kernel's, preempted anywhere. Each guard is also
taken away once, to show that the test sees what it guards against.
"""

import contextlib
import errno
import os
import sys
import threading
import time

import fixtures
from nova import utils as nova_utils
from oslo_concurrency import lockutils
from oslo_privsep import priv_context
import testtools

from nova_fpga.backends import dfl
from nova_fpga.bitstream import cache
from nova_fpga import privsep
from nova_fpga.privsep import kernel
from nova_fpga.regions import exception
from nova_fpga.regions import programming
from tests.unit.backends import base
from tests.unit.bitstream import test_cache

N6000 = base.simulator.INTERFACE_IDS['n6000']
FIRST, SECOND = '0000:10:00.0', '0000:18:00.0'


def at_once(count, work):
    """``work(i)`` in ``count`` threads let go together.

    Returns what each returned or raised, in order, and the OS thread ids
    they ran on.
    """
    barrier = threading.Barrier(count)
    results = [None] * count
    native_ids = set()

    def run(index):
        native_ids.add(threading.get_native_id())
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as e:
            results[index] = e
    threads = [threading.Thread(target=run, args=(index,))
               for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, native_ids


def no_lock(*args, **kwargs):
    return contextlib.nullcontext()


class NativeThreadsTest(testtools.TestCase):

    def test_nova_runs_on_native_threads(self):
        self.assertTrue(nova_utils.concurrency_mode_threading())
        self.assertNotIn('eventlet', sys.modules)
        _, native_ids = at_once(4, lambda index: None)
        self.assertEqual(4, len(native_ids))


class ProgrammingThreadsTestCase(base.ProgrammingTestCase):
    """Threads programming the regions of a simulated host."""

    def setUp(self):
        super().setUp()
        self.build('n6000:2')
        # Another partial reconfiguration meanwhile fails with EBUSY.
        self.host.pr_seconds = 0.5
        self.backend_ = self.backend('dfl')

    def program_at_once(self, addresses):
        """Program the region of each card named, all at once."""
        targets = []
        for index, address in enumerate(addresses):
            afu = '%032x' % (index + 1)
            path, header = self.write_gbs(N6000, afu, name=afu)
            device = self.device(self.backend_, address)
            targets.append((device, path, header, afu))

        def program(index):
            device, path, header, afu = targets[index]
            return programming.program_region(
                self.backend_, device, device.regions[0], path, header, afu,
                10)
        begin = time.monotonic()
        results, _ = at_once(len(targets), program)
        return results, time.monotonic() - begin


class CardLockTest(ProgrammingThreadsTestCase):

    def test_one_card_programs_one_region_at_a_time(self):
        results, elapsed = self.program_at_once([FIRST] * 3)
        self.assertEqual([programming.PROGRAMMED] * 3, results)
        self.assertGreaterEqual(elapsed, 1.5)

    def test_without_the_lock_the_card_refuses(self):
        self.useFixture(fixtures.MockPatchObject(
            programming, 'card_lock', no_lock))
        results, _ = self.program_at_once([FIRST] * 3)
        refused = [r for r in results
                   if isinstance(r, exception.ProgrammingFailed)]
        self.assertNotEqual([], refused, results)
        for failure in refused:
            self.assertEqual(errno.EBUSY, failure.cause.__cause__.errno)


class SingleFlightCacheTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.cache = cache.Cache(self.useFixture(fixtures.TempDir()).path,
                                 1024 * 1024)
        self.data = b'popular' * 1000
        self.fetch = test_cache.Fetch(self.data, delay=0.3)

    def get_at_once(self):
        results, _ = at_once(
            8, lambda index: self.cache.get(test_cache.image(self.data),
                                            self.fetch))
        self.assertEqual(1, len(set(results)), results)

    def test_one_download_serves_every_thread(self):
        self.get_at_once()
        self.assertEqual(1, self.fetch.calls)

    def test_without_the_lock_each_thread_downloads(self):
        self.useFixture(fixtures.MockPatchObject(lockutils, 'lock', no_lock))
        self.get_at_once()
        self.assertGreater(self.fetch.calls, 1)


class PrivsepDaemonTest(ProgrammingThreadsTestCase):
    """Threads sharing one real privsep daemon, as in nova-compute."""

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest('a privsep daemon keeps its capabilities only when '
                          'started as root')
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(
            privsep.sys_admin_pctxt, 'client_mode', True))
        # A fork of this process: it sees the simulated host configured.
        privsep.sys_admin_pctxt.start(method=priv_context.Method.FORK)
        self.addCleanup(privsep.sys_admin_pctxt.stop)

    def test_cards_are_programmed_in_parallel_regions_in_turn(self):
        # Only the daemon, forked before, still reaches the simulated card.
        self.useFixture(fixtures.MockPatchObject(
            kernel, 'ioctl',
            side_effect=AssertionError('ioctl in the client')))
        results, elapsed = self.program_at_once([FIRST, SECOND] * 2)
        self.assertEqual([programming.PROGRAMMED] * 4, results)
        # Two in turn on each card, the cards side by side.
        self.assertGreaterEqual(elapsed, 1.0)
        self.assertLess(elapsed, 2.0)

    def test_each_thread_gets_its_own_reply(self):
        nodes = ['/dev/dfl-fme.%d' % index for index in range(8)]
        results, _ = at_once(len(nodes), lambda index: dfl.reset_port(
            nodes[index]))
        self.assertEqual(
            ['%s is not a dfl-port.N device node' % node for node in nodes],
            [r.strerror for r in results])
