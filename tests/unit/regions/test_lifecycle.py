"""The regions of an instance on a simulated host: find, load, release."""

import contextlib
import errno
import os
import shutil
import threading
import time
from unittest import mock

import fixtures
import testtools

from nova_fpga import discovery
from nova_fpga import model
from nova_fpga.regions import exception
from nova_fpga.regions import lifecycle
from nova_fpga.regions import programming
from nova_fpga.regions import quarantine
from nova_fpga.regions import records
from nova_fpga import request
from nova_fpga import simulator
from nova_fpga.simulator import ioctls
from tests.unit.backends import base
from tests.unit.bitstream import fakes

N6000 = simulator.INTERFACE_IDS['n6000']
NLB0 = simulator.FUNCTION_IDS['n6000']
FIRST = '0000:10:00.0'
SECOND = '0000:18:00.0'
IMAGE_ID = '11111111-0000-4000-8000-000000000001'
CONTEXT = object()


class HostTestCase(base.ProgrammingTestCase):
    """Two N6000 cards and a Glance holding a bitstream for them."""

    def setUp(self):
        super().setUp()
        host = self.build('n6000:2')
        self.cache_dir = os.path.join(self.tmp, 'cache')
        self.conf.config(sysfs_root=host.sysfs_root, dev_root=host.dev_root,
                         bitstream_cache_dir=self.cache_dir, group='fpga')
        self.image_api = fakes.FakeImageAPI(fakes.Image(
            IMAGE_ID, simulator.make_gbs(N6000, base.AFU), name='nlb',
            properties={'fpga_function': 'nlb', 'fpga_interface_id': N6000}))

    def regions(self, **options):
        self.conf.config(group='fpga', **options)
        return lifecycle.HostRegions(self.conf.conf)

    def load(self, regions, identifiers, wanted=request.Request(
            bitstream_id=IMAGE_ID)):
        return regions.load(CONTEXT, self.image_api,
                            regions.attachable(identifiers), wanted)

    def function_of(self, address):
        return self.host.expected().device(address).regions[0].function_id


class HostRegionsTest(HostTestCase):

    def test_find_keeps_the_order_and_tells_what_is_missing(self):
        held, missing = self.regions().inventory.find(
            [SECOND + '_port0', 'gone_port0', FIRST + '_port0'])
        self.assertEqual([(SECOND, 'port0'), (FIRST, 'port0')],
                         [(d.address, r.name) for d, r in held])
        self.assertEqual(['gone_port0'], missing)

    def families_read(self, regions, identifiers):
        discover = self.useFixture(fixtures.MockPatchObject(
            discovery, 'discover',
            wraps=discovery.discover)).mock
        held, missing = regions.inventory.find(identifiers)
        return ([list(call.args[2]) for call in discover.call_args_list],
                [(d.address, r.name) for d, r in held], missing)

    def test_find_reads_the_family_the_last_discovery_found(self):
        regions = self.regions(enabled_backends=['dfl', 'xrt', 'gpu'])
        regions.inventory.discover()
        self.assertEqual(([['dfl']], [(FIRST, 'port0')], []),
                         self.families_read(regions, [FIRST + '_port0']))

    def test_find_reads_every_family_before_any_discovery(self):
        regions = self.regions(enabled_backends=['dfl', 'xrt'])
        self.assertEqual(([['dfl', 'xrt']], [(FIRST, 'port0')], []),
                         self.families_read(regions, [FIRST + '_port0']))

    def test_find_reads_every_family_when_the_region_moved(self):
        regions = self.regions(enabled_backends=['dfl', 'xrt'])
        regions.inventory.discover()
        # Since then its card went to another driver family.
        regions.inventory.families[FIRST + '_port0'] = 'xrt'
        self.assertEqual(([['xrt'], ['dfl', 'xrt']], [(FIRST, 'port0')],
                          []),
                         self.families_read(regions, [FIRST + '_port0']))

    def test_find_reads_every_family_when_the_card_is_unhealthy(self):
        regions = self.regions(enabled_backends=['dfl', 'xrt'])
        regions.inventory.discover()
        self.host.crash(FIRST)
        families, _, _ = self.families_read(regions, [FIRST + '_port0'])
        self.assertEqual([['dfl'], ['dfl', 'xrt']], families)

    def test_find_sees_what_changed_since_the_last_discovery(self):
        regions = self.regions()
        regions.inventory.discover()
        self.host.set_function(FIRST, 0, base.AFU)
        held, _ = regions.inventory.find([FIRST + '_port0'])
        self.assertEqual(base.AFU, held[0][1].function_id)

    def test_a_region_released_by_reset_is_programmed_again(self):
        for reuse, outcome in ((False, programming.PROGRAMMED),
                               (True, programming.SKIPPED)):
            regions = self.regions(scrub_on_release='reset',
                                   reuse_after_reset=reuse)
            self.load(regions, [FIRST + '_port0'])
            regions.release([FIRST + '_port0'])
            self.assertEqual(base.AFU, self.function_of(FIRST))
            self.assertEqual([outcome],
                             self.load(regions, [FIRST + '_port0']))
            # Loaded since: it is reused, whatever the option.
            self.assertEqual([programming.SKIPPED],
                             self.load(regions, [FIRST + '_port0']))

    def test_load_programs_every_region_then_skips(self):
        regions = self.regions()
        both = [FIRST + '_port0', SECOND + '_port0']
        self.assertEqual([programming.PROGRAMMED] * 2,
                         self.load(regions, both))
        self.assertEqual([base.AFU] * 2, [self.function_of(FIRST),
                                          self.function_of(SECOND)])
        self.assertEqual([programming.SKIPPED] * 2, self.load(regions, both))
        self.assertEqual(1, self.image_api.downloads)

    def test_load_keeps_a_record_of_each_region(self):
        regions = self.regions()
        self.load(regions, [FIRST + '_port0'])
        self.load(regions, [FIRST + '_port0'])
        record = regions.state.read(FIRST + '_port0')
        self.assertEqual((base.AFU, IMAGE_ID, 'nlb'), (
            record['loaded']['function_id'], record['loaded']['image_id'],
            record['loaded']['image_name']))
        metrics = record['metrics']
        self.assertEqual((1, 1, 1, 1), (
            metrics['programmings'], metrics['skipped'],
            metrics['cache_misses'], metrics['cache_hits']))
        self.assertIsNotNone(metrics['last_programming_seconds'])
        self.assertEqual(records.empty_record(),
                         regions.state.read(SECOND + '_port0'))

    def test_failures_are_counted_by_kind(self):
        regions = self.regions()
        self.host.inject_fault(FIRST, 'pr', errno.EIO)
        e = self.assertRaises(exception.AssignmentFailed, self.load,
                              regions, [FIRST + '_port0'])
        self.assertEqual(exception.HARDWARE, e.kind)
        e = self.assertRaises(exception.AssignmentFailed, self.load,
                              regions, [FIRST + '_port0'],
                              request.Request(function='other'))
        self.assertEqual(exception.NOT_FOUND, e.kind)
        self.assertEqual(
            {exception.HARDWARE: 1, exception.NOT_FOUND: 1},
            regions.state.read(FIRST + '_port0')['metrics']['failures'])

    def test_a_record_that_cannot_be_written_does_not_fail_a_load(self):
        path = os.path.join(self.tmp, 'file')
        open(path, 'w').close()
        self.assertEqual([programming.PROGRAMMED], self.load(
            self.regions(state_dir=path), [FIRST + '_port0']))
        self.assertIn('The record of FPGA region %s_port0 is not updated'
                      % FIRST, self.logs.output)

    def test_load_by_function(self):
        self.assertEqual([programming.PROGRAMMED], self.load(
            self.regions(), [FIRST + '_port0'],
            request.Request(function='nlb')))

    def assertFails(self, message, identifiers, wanted=request.Request(
            bitstream_id=IMAGE_ID), regions=None):
        e = self.assertRaises(exception.AssignmentFailed, self.load,
                              regions or self.regions(), identifiers, wanted)
        self.assertEqual(message, str(e))
        return e

    def test_region_gone(self):
        self.assertFails('FPGA region gone_port0: it is not on this host any '
                         'more', [FIRST + '_port0', 'gone_port0'])

    def test_region_unusable(self):
        self.host.crash(SECOND)
        e = self.assertRaises(exception.AssignmentFailed,
                              self.regions().attachable, [SECOND + '_port0'])
        self.assertIn('FPGA region %s port0: it cannot be given to a guest '
                      'now: ' % SECOND, str(e))

    def test_no_sysfs(self):
        shutil.rmtree(self.host.sysfs_root)
        e = self.assertRaises(exception.AssignmentFailed,
                              self.regions().attachable, [FIRST + '_port0'])
        self.assertIn('FPGA region %s_port0: sysfs root' % FIRST, str(e))

    def test_bitstream_failure_names_region_and_image(self):
        self.assertFails(
            "FPGA region %s port0, the bitstream of function 'other': no "
            "active image tagged FPGA visible to the project has function "
            "'other' for interface %s and vendor intel" % (FIRST, N6000),
            [FIRST + '_port0'], request.Request(function='other'))
        self.image_api.fail_download = IOError('connection reset')
        e = self.assertFails(
            'FPGA region %s port0, bitstream image %s (nlb): download '
            'failed: connection reset' % (FIRST, IMAGE_ID),
            [FIRST + '_port0'])
        self.assertEqual([], fakes.cache_files(self.cache_dir))
        self.assertFalse(e.touched)

    def test_programming_failure_leaves_earlier_regions_loaded(self):
        self.host.inject_fault(SECOND, 'pr', errno.EIO)
        e = self.assertRaises(exception.AssignmentFailed, self.load,
                              self.regions(),
                              [FIRST + '_port0', SECOND + '_port0'])
        self.assertIn('FPGA region %s port0, bitstream image %s (nlb): '
                      'partial reconfiguration of port 0' % (
                          SECOND, IMAGE_ID), str(e))
        self.assertEqual(base.AFU, self.function_of(FIRST))
        self.assertEqual(NLB0, self.function_of(SECOND))
        self.assertTrue(e.touched)

    def test_a_failure_after_a_region_was_programmed_is_touched(self):
        prepare, prepared = lifecycle.bitstream.prepare, []

        def second_fails(*args, **kwargs):
            prepared.append(args)
            if len(prepared) == 2:
                raise IOError('disk gone')
            return prepare(*args, **kwargs)
        self.useFixture(fixtures.MockPatchObject(
            lifecycle.bitstream, 'prepare', second_fails))
        e = self.assertFails(
            'FPGA region %s port0, bitstream image %s: unexpected error: '
            'disk gone' % (SECOND, IMAGE_ID),
            [FIRST + '_port0', SECOND + '_port0'])
        self.assertEqual(base.AFU, self.function_of(FIRST))
        self.assertTrue(e.touched)

    def test_unexpected_error_is_named(self):
        self.useFixture(fixtures.MockPatchObject(
            programming, 'program_region', side_effect=RuntimeError('bug')))
        self.assertFails('FPGA region %s port0, bitstream image %s (nlb): '
                         'unexpected error: bug' % (FIRST, IMAGE_ID),
                         [FIRST + '_port0'])

    def test_release_none_touches_nothing(self):
        calls = self.spy()
        discover = self.useFixture(fixtures.MockPatchObject(
            discovery.HostInventory, 'discover')).mock
        self.assertEqual([], self.regions().release([FIRST + '_port0']))
        self.assertEqual([], calls)
        discover.assert_not_called()

    def test_release_resets(self):
        calls = self.spy()
        self.assertEqual([programming.RESET], self.regions(
            scrub_on_release='reset').release([FIRST + '_port0']))
        self.assertEqual([('ioctl', 'dfl-port.0', 0xB640)], calls)

    def test_release_goes_on_past_failures(self):
        self.host.crash(FIRST)
        outcomes = self.regions(scrub_on_release='reset').release(
            ['gone_port0', FIRST + '_port0', SECOND + '_port0'])
        self.assertEqual([None, programming.RESET], outcomes)
        self.assertIn('FPGA region gone_port0 is not on this host any more, '
                      'so it is not scrubbed', self.logs.output)
        self.assertIn('Scrubbing (reset) FPGA region %s port0 failed' % FIRST,
                      self.logs.output)

    def test_failed_scrub_quarantines_until_a_retry_succeeds(self):
        regions = self.regions(scrub_on_release='reset')
        self.host.inject_fault(FIRST, 'reset', errno.EIO, count=2)
        regions.release([FIRST + '_port0', SECOND + '_port0'])
        (reason,) = regions.quarantine.held().values()
        self.assertIn('Scrubbing (reset) FPGA region %s port0 failed' % FIRST,
                      reason)
        self.assertEqual([FIRST + '_port0'],
                         list(regions.retry_quarantined()))
        self.assertIn('FPGA region %s_port0 stays quarantined' % FIRST,
                      self.logs.output)
        self.assertEqual({}, regions.retry_quarantined())
        self.assertEqual({}, regions.quarantine.held())

    def test_failed_programming_quarantines(self):
        self.host.inject_fault(FIRST, 'pr', errno.EIO)
        regions = self.regions()
        self.assertRaises(exception.AssignmentFailed, self.load, regions,
                          [FIRST + '_port0'])
        self.assertIn('partial reconfiguration of port 0',
                      regions.quarantine.held()[FIRST + '_port0'])
        # With scrub_on_release = none the retry resets the region.
        calls = self.spy()
        self.assertEqual({}, regions.retry_quarantined())
        self.assertEqual([('ioctl', 'dfl-port.0', 0xB640)], calls)

    def test_bitstream_failure_does_not_quarantine(self):
        self.image_api.images.clear()
        regions = self.regions()
        self.assertRaises(exception.AssignmentFailed, self.load, regions,
                          [FIRST + '_port0'])
        self.assertEqual({}, regions.quarantine.held())

    def test_release_without_sysfs_is_logged(self):
        shutil.rmtree(self.host.sysfs_root)
        self.assertEqual([], self.regions(scrub_on_release='reset').release(
            [FIRST + '_port0']))
        self.assertIn('FPGA regions %s_port0 are not scrubbed: discovery '
                      'failed' % FIRST, self.logs.output)


class Watching:
    """A backend that reads the quarantine while it works, then does it."""

    def __init__(self, backend, quarantine, error=None):
        self.backend = backend
        self.quarantine = quarantine
        self.error = error
        self.seen = []

    def _work(self, method, *args):
        self.seen.append(dict(self.quarantine.held()))
        if self.error is not None:
            raise self.error
        return getattr(self.backend, method)(*args)

    def program(self, *args):
        return self._work('program', *args)

    def reset(self, *args):
        return self._work('reset', *args)


class InterruptionTest(HostTestCase):
    """A region is marked in quarantine while the hardware works on it."""

    def watch(self, regions, error=None):
        backend = regions.inventory.backend
        watching = []

        def watched(device):
            watching.append(Watching(backend(device), regions.quarantine,
                                     error))
            return watching[-1]
        self.useFixture(fixtures.MockPatchObject(
            regions.inventory, 'backend', watched))
        return watching

    def test_the_mark_is_held_while_programming_then_removed(self):
        regions = self.regions()
        watching = self.watch(regions)
        self.assertEqual([programming.PROGRAMMED],
                         self.load(regions, [FIRST + '_port0']))
        (reason,) = watching[0].seen[0].values()
        self.assertEqual([FIRST + '_port0'], list(watching[0].seen[0]))
        self.assertIn('Programming with bitstream image %s (nlb) of FPGA '
                      'region %s port0 began at ' % (IMAGE_ID, FIRST), reason)
        self.assertTrue(reason.endswith(quarantine.INTERRUPTED))
        self.assertEqual({}, regions.quarantine.held())

    def test_skipped_writes_nothing(self):
        regions = self.regions()
        self.load(regions, [FIRST + '_port0'])
        add = self.useFixture(fixtures.MockPatchObject(
            regions.quarantine, '_change')).mock
        self.assertEqual([programming.SKIPPED],
                         self.load(regions, [FIRST + '_port0']))
        add.assert_not_called()

    def test_a_failure_replaces_the_mark(self):
        self.host.inject_fault(FIRST, 'pr', errno.EIO)
        regions = self.regions()
        watching = self.watch(regions)
        self.assertRaises(exception.AssignmentFailed, self.load, regions,
                          [FIRST + '_port0'])
        self.assertEqual([FIRST + '_port0'], list(watching[0].seen[0]))
        reason = regions.quarantine.held()[FIRST + '_port0']
        self.assertIn('partial reconfiguration of port 0', reason)
        self.assertNotIn(quarantine.INTERRUPTED, reason)

    def test_an_unexpected_error_replaces_the_mark(self):
        regions = self.regions()
        self.watch(regions, RuntimeError('bug'))
        self.assertRaises(exception.AssignmentFailed, self.load, regions,
                          [FIRST + '_port0'])
        self.assertIn('unexpected error: bug',
                      regions.quarantine.held()[FIRST + '_port0'])

    def test_a_dying_process_leaves_the_mark_for_the_retry(self):
        regions = self.regions()
        self.watch(regions, SystemExit(1))
        self.assertRaises(SystemExit, self.load, regions, [FIRST + '_port0'])
        held = lifecycle.HostRegions(self.conf.conf).quarantine.held()
        self.assertTrue(held[FIRST + '_port0'].endswith(
            quarantine.INTERRUPTED))
        # After the restart: reported once, scrubbed and freed.
        restarted = lifecycle.HostRegions(self.conf.conf)
        calls = self.spy()
        self.assertEqual({}, restarted.retry_quarantined())
        self.assertEqual([('ioctl', 'dfl-port.0', 0xB640)], calls)
        self.assertIn('FPGA region %s_port0 was interrupted and is held in '
                      'quarantine' % FIRST, self.logs.output)

    def test_a_scrub_is_marked_and_a_failed_retry_keeps_its_reason(self):
        regions = self.regions(scrub_on_release='reset')
        watching = self.watch(regions)
        self.assertEqual([programming.RESET],
                         regions.release([FIRST + '_port0']))
        (reason,) = watching[0].seen[0].values()
        self.assertIn('Scrubbing (reset) of FPGA region %s port0 began'
                      % FIRST, reason)
        self.assertEqual({}, regions.quarantine.held())
        self.host.inject_fault(FIRST, 'reset', errno.EIO, count=2)
        regions.release([FIRST + '_port0'])
        reason = regions.quarantine.held()[FIRST + '_port0']
        self.assertIn('Scrubbing (reset) FPGA region %s port0 failed' % FIRST,
                      reason)
        self.assertNotIn(quarantine.INTERRUPTED, reason)
        self.assertEqual({FIRST + '_port0': reason},
                         regions.retry_quarantined())
        self.assertEqual({FIRST + '_port0': reason},
                         regions.quarantine.held())


class RetryRaceTest(HostTestCase):
    """The periodic retry of quarantine meets work still going on."""

    def test_a_region_this_process_programs_is_left_alone(self):
        regions = self.regions()
        working, go = threading.Event(), threading.Event()
        real = regions.inventory.backend

        class Paused:
            """Programs once the retry below has looked."""

            def __init__(self, backend):
                self.backend = backend

            def program(self, *args):
                working.set()
                go.wait(5)
                return self.backend.program(*args)
        self.useFixture(fixtures.MockPatchObject(
            regions.inventory, 'backend',
            lambda device: Paused(real(device))))
        loading = threading.Thread(target=self.load,
                                   args=(regions, [FIRST + '_port0']))
        loading.start()
        self.assertTrue(working.wait(5))
        calls = self.spy()
        # Its mark is in quarantine, but no interruption: nothing scrubbed.
        self.assertIn(FIRST + '_port0', regions.quarantine.held())
        self.assertEqual({}, regions.retry_quarantined())
        go.set()
        loading.join()
        self.assertNotIn(ioctls.DFL_FPGA_PORT_RESET,
                         [call[2] for call in calls])
        self.assertEqual(base.AFU, self.function_of(FIRST))
        self.assertEqual({}, regions.quarantine.held())

    def test_a_region_freed_while_the_retry_waited_is_left_alone(self):
        regions = self.regions()
        identifier = FIRST + '_port0'
        regions.quarantine.add(identifier, 'Programming ... began at ... '
                               'and ' + quarantine.INTERRUPTED)
        real_lock = programming.card_lock

        @contextlib.contextmanager
        def freed_meanwhile(address, lock_path=None):
            with real_lock(address, lock_path):
                # The other process's work ended, and freed the region.
                regions.quarantine.remove(identifier)
                yield
        self.useFixture(fixtures.MockPatchObject(
            programming, 'card_lock', freed_meanwhile))
        calls = self.spy()
        self.assertEqual({}, regions.retry_quarantined())
        self.assertEqual([], calls)
        self.assertEqual({}, regions.quarantine.held())


class UnitOfTest(testtools.TestCase):

    def test_gpus_and_regions_are_named_apart(self):
        self.assertEqual('GPU', model.unit_of(['0000:20:00.0']))
        self.assertEqual('FPGA region', model.unit_of(
            ['0000:10:00.0_port0', '0000:20:00.0']))
        self.assertEqual('FPGA region', model.unit_of([]))


class SurveyTest(HostTestCase):
    """The periodic update's reading of the host: no loss on a busy read."""

    def afu_id(self):
        return self.sys_path_of(FIRST, 'afu_id')

    def sys_path_of(self, address, name):
        found = [os.path.join(directory, name)
                 for directory, _, files in os.walk(self.host.sysfs_root)
                 if name in files and '/%s/' % address in directory and
                 'dfl-port' in directory]
        self.assertEqual(1, len(found), found)
        return found[0]

    def usable(self, inventory):
        return {model.region_identifier(device, region)
                for device in inventory.devices
                for region in device.regions
                if model.usable(device, region)}

    def test_a_region_read_while_its_card_is_busy_is_read_again(self):
        regions = self.regions()
        self.assertIn(FIRST + '_port0', self.usable(regions.survey()))
        path = self.afu_id()
        with open(path, 'rb') as f:
            good = f.read()
        locked, done = threading.Event(), []

        def programming_meanwhile():
            with programming.card_lock(FIRST, self.lock_path):
                # What a port being reconfigured reads, until it is done.
                with open(path, 'wb') as f:
                    f.write(b'\0' * len(good))
                locked.set()
                time.sleep(0.3)
                with open(path, 'wb') as f:
                    f.write(good)
                done.append(True)
        worker = threading.Thread(target=programming_meanwhile)
        worker.start()
        self.assertTrue(locked.wait(5))
        usable = self.usable(regions.survey())
        worker.join()
        self.assertEqual([True], done)
        self.assertIn(FIRST + '_port0', usable)

    def test_a_region_that_stays_unreadable_is_lost(self):
        regions = self.regions()
        regions.survey()
        with open(self.afu_id(), 'wb') as f:
            f.write(b'\0' * 33)
        inventory = regions.survey()
        self.assertNotIn(FIRST + '_port0', self.usable(inventory))
        self.assertIn(SECOND + '_port0', self.usable(inventory))
        region = inventory.device(FIRST).regions[0]
        self.assertIn('afu_id unreadable', region.health_reason)

    def test_only_a_region_that_was_usable_is_read_again(self):
        regions = self.regions()
        with open(self.afu_id(), 'wb') as f:
            f.write(b'\0' * 33)
        read = self.useFixture(fixtures.MockPatchObject(
            regions.inventory, 'read_device',
            wraps=regions.inventory.read_device)).mock
        regions.survey()
        regions.survey()
        read.assert_not_called()


class RestoreTest(HostTestCase):
    """A power cycle under held regions; a domain's definition restores."""

    def loaded_for(self, regions, instance, identifiers=(FIRST + '_port0',)):
        held = regions.attachable(list(identifiers))
        for device, region in held:
            regions.state.record_holder(
                model.region_identifier(device, region), instance, 'p', 'u')
        regions.load(CONTEXT, self.image_api, held,
                     request.Request(bitstream_id=IMAGE_ID),
                     instance=instance)

    def test_a_power_cycled_region_is_loaded_again_from_the_cache(self):
        regions = self.regions()
        self.loaded_for(regions, 'i-1')
        downloads = self.image_api.downloads
        self.host.power_cycle()
        self.assertEqual(NLB0, self.function_of(FIRST))
        calls = self.spy()
        regions.restore(regions.attachable([FIRST + '_port0']), 'i-1')
        self.assertEqual(base.AFU, self.function_of(FIRST))
        self.assertIn(('ioctl', 'dfl-fme.0', ioctls.DFL_FPGA_FME_PORT_PR),
                      calls)
        # From the cache: Glance is not asked again.
        self.assertEqual(downloads, self.image_api.downloads)
        loaded = regions.state.read(FIRST + '_port0')['loaded']
        self.assertEqual(('i-1', base.AFU, 'programmed'), (
            loaded['instance'], loaded['function_id'], loaded['outcome']))
        self.assertEqual({}, regions.quarantine.held())

    def test_a_region_that_kept_its_function_is_not_touched(self):
        regions = self.regions()
        self.loaded_for(regions, 'i-1')
        calls = self.spy()
        regions.restore(regions.attachable([FIRST + '_port0']), 'i-1')
        self.assertEqual([], calls)

    def test_what_was_loaded_for_another_instance_is_not_restored(self):
        regions = self.regions()
        self.loaded_for(regions, 'i-1')
        self.host.power_cycle()
        calls = self.spy()
        held = regions.attachable([FIRST + '_port0'])
        # The driver loads it as a spawn would.
        self.assertEqual(held, regions.restore(held, 'i-2'))
        self.assertEqual([], calls)
        self.assertEqual(NLB0, self.function_of(FIRST))
        self.assertEqual([], regions.restore(held, 'i-1'))

    def test_without_the_cached_copy_it_fails_and_quarantines(self):
        regions = self.regions()
        self.loaded_for(regions, 'i-1')
        self.host.power_cycle()
        shutil.rmtree(os.path.join(self.cache_dir, 'sha512'))
        calls = self.spy()
        e = self.assertRaises(
            exception.AssignmentFailed, regions.restore,
            regions.attachable([FIRST + '_port0']), 'i-1')
        self.assertIn('FPGA region %s port0, bitstream image %s (nlb): it '
                      'lost the function loaded for the instance and cannot '
                      'be loaded again: no verified copy of it in the '
                      'bitstream cache' % (FIRST, IMAGE_ID), str(e))
        self.assertFalse(e.touched)
        self.assertEqual([], calls)
        self.assertEqual(str(e), regions.quarantine.held()[FIRST + '_port0'])

    def test_the_bitstreams_servers_hold_are_never_evicted(self):
        other_id = '11111111-0000-4000-8000-000000000002'
        self.image_api.images[other_id] = fakes.Image(
            other_id, simulator.make_gbs(N6000, base.OTHER_AFU), name='other',
            properties={'fpga_interface_id': N6000})
        regions = self.regions(bitstream_cache_size_mb=0)
        self.loaded_for(regions, 'i-1')
        held = regions.cache.entries()
        self.assertEqual(1, len(held))
        regions.load(CONTEXT, self.image_api,
                     regions.attachable([SECOND + '_port0']),
                     request.Request(bitstream_id=other_id))
        # Over the cap: the other one is evicted at the next download, the
        # held one never.
        regions.cache.prune(0)
        self.assertEqual([held[0][2]],
                         [path for _, _, path in regions.cache.entries()])
        regions.release([FIRST + '_port0'])
        regions.cache.prune(0)
        self.assertEqual([], regions.cache.entries())


class HoldTest(HostTestCase):
    """A region given to an instance while its record names another."""

    def hold(self, regions, instance, identifier=FIRST + '_port0'):
        regions.hold(regions.attachable([identifier]), mock.Mock(
            uuid=instance, project_id='p', user_id='u', resources=None))

    def test_a_region_never_released_is_scrubbed_before_it_is_given(self):
        regions = self.regions(scrub_on_release='reset')
        self.hold(regions, 'i-1')
        calls = self.spy()
        self.hold(regions, 'i-1')
        self.assertEqual([], calls)
        log = self.useFixture(fixtures.FakeLogger())
        self.hold(regions, 'i-2')
        self.assertEqual([('ioctl', 'dfl-port.0', ioctls.DFL_FPGA_PORT_RESET)],
                         [call for call in calls if call[0] == 'ioctl'])
        self.assertEqual('i-2', regions.state.read(
            FIRST + '_port0')['held']['instance'])
        self.assertIn('was never released by instance i-1',
                      log.output)

    def test_a_region_released_or_forgotten_is_given_as_it_is(self):
        regions = self.regions(scrub_on_release='reset')
        self.hold(regions, 'i-1')
        regions.forget([FIRST + '_port0'])
        calls = self.spy()
        self.hold(regions, 'i-2')
        self.assertEqual([], calls)

    def test_a_failed_scrub_quarantines_and_refuses(self):
        regions = self.regions(scrub_on_release='reset')
        self.hold(regions, 'i-1')
        self.host.crash(FIRST)
        regions.inventory.discover()
        held = regions.inventory.find([FIRST + '_port0'])[0]
        e = self.assertRaises(
            exception.AssignmentFailed, regions.hold, held, mock.Mock(
                uuid='i-2', project_id='p', user_id='u', resources=None))
        self.assertIn('it was left by instance i-1 and cannot be scrubbed',
                      str(e))
        self.assertIn(FIRST + '_port0', regions.quarantine.held())
