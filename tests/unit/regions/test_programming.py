"""The core of programming and scrubbing: skip, lock, verify, scrub modes."""

import os
import threading
import time

from nova_fpga.backends import base as backends_base
from nova_fpga.backends import exception as backend_exception
from nova_fpga import model
from nova_fpga.regions import exception
from nova_fpga.regions import programming
from nova_fpga import simulator
from nova_fpga.simulator import images
from tests.unit.backends import base

AFU = base.AFU
OTHER_AFU = base.OTHER_AFU
N6000 = simulator.INTERFACE_IDS['n6000']
NLB0 = simulator.FUNCTION_IDS['n6000']
BLANK = 'b1a4cb1a4cb1a4cb1a4cb1a4cb1a4c00'
REGION = model.Region(name='port0', port=0, interface_id=N6000,
                      function_id=NLB0, attach=('0000:10:00.1',))
DEVICE = model.Device(address='0000:10:00.0', vendor='intel', family='dfl',
                      board='n6000', regions=(REGION,))


class FakeBackend(backends_base.Backend):
    family = 'fake'

    def __init__(self, found=REGION, error=None):
        super().__init__('/sys', '/dev')
        self.found = found
        self.error = error
        self.calls = []

    def discover(self):
        return [DEVICE]

    def program(self, device, region, bitstream_path, header, timeout):
        self.calls.append(('program', device.address, region.name,
                           bitstream_path, header, timeout))
        if self.error:
            raise self.error
        return self.found

    def reset(self, device, region):
        self.calls.append(('reset', device.address, region.name))
        if self.error:
            raise self.error


def program(backend, expected=base.AFU):
    return programming.program_region(
        backend, DEVICE, REGION, '/cache/afu.gbs', 'header', expected, 30)


class ProgramRegionTest(base.ProgrammingTestCase):

    def test_programmed_and_verified(self):
        backend = FakeBackend(found=model.Region('port0', function_id=AFU))
        self.assertEqual(programming.PROGRAMMED, program(backend))
        self.assertEqual([('program', '0000:10:00.0', 'port0',
                           '/cache/afu.gbs', 'header', 30)], backend.calls)

    def test_skipped_when_loaded(self):
        backend = FakeBackend()
        self.assertEqual(programming.SKIPPED, program(backend, NLB0))
        self.assertEqual([], backend.calls)

    def test_the_expected_function_is_required(self):
        backend = FakeBackend(found=model.Region('port0'))
        for expected in (None, ''):
            self.assertRaises(ValueError, program, backend, expected)
        self.assertEqual([], backend.calls)

    def test_failure_names_region_bitstream_and_cause(self):
        backend = FakeBackend(error=backend_exception.HardwareError(
            'partial reconfiguration of port 0 failed: Input/output error'))
        e = self.assertRaises(exception.ProgrammingFailed, program,
                              backend)
        self.assertEqual(
            'Programming FPGA region 0000:10:00.0 port0 with /cache/afu.gbs '
            'failed: partial reconfiguration of port 0 failed: Input/output '
            'error', str(e))
        self.assertIsInstance(e.cause, backend_exception.HardwareError)

    def test_not_supported(self):
        backend = FakeBackend(error=backend_exception.NotSupported('no'))
        e = self.assertRaises(exception.ProgrammingFailed, program,
                              backend)
        self.assertTrue(str(e).endswith('failed: no'))

    def test_other_function_loaded(self):
        backend = FakeBackend(found=model.Region(
            'port0', health_reason='afu_id unreadable: busy'))
        e = self.assertRaises(exception.ProgrammingFailed, program,
                              backend)
        self.assertTrue(str(e).endswith(
            'failed: the region shows function unknown afterwards, not %s '
            '(afu_id unreadable: busy)' % AFU), str(e))

    def test_region_gone(self):
        e = self.assertRaises(exception.ProgrammingFailed, program,
                              FakeBackend(found=None))
        self.assertTrue(str(e).endswith('failed: the region is gone '
                                        'afterwards'))


class RediscoverTest(base.ProgrammingTestCase):

    def backend(self, *regions):
        backend = FakeBackend()
        answers = iter(regions)
        backend.discover = lambda: [
            DEVICE._replace(regions=(next(answers),))]
        return backend

    def test_read_again_while_the_port_is_busy(self):
        busy = model.Region('port0', health_reason='afu_id unreadable')
        done = model.Region('port0', function_id=AFU)
        self.assertEqual(done, self.backend(busy, busy, done).rediscover(
            DEVICE, REGION))

    def test_gives_up(self):
        busy = model.Region('port0', health_reason='afu_id unreadable')
        backend = self.backend(*[busy] * backends_base.READ_ATTEMPTS)
        self.assertEqual(busy, backend.rediscover(DEVICE, REGION))

    def test_a_port_without_afu_is_not_waited_for(self):
        bare = model.Region('port0')
        self.assertEqual(bare, self.backend(bare).rediscover(DEVICE, REGION))

    def test_gone(self):
        self.assertIsNone(self.backend(model.Region('port1')).rediscover(
            DEVICE, REGION))


class CardLockTest(base.ProgrammingTestCase):
    """Simulated PR takes pr_seconds and refuses a second one with EBUSY."""

    def program_at_once(self, targets):
        backend = self.backend('dfl')
        results, threads = [], []

        def run(address, afu):
            dev = self.device(backend, address)
            path, header = self.write_gbs(N6000, afu, name=afu)
            try:
                results.append(programming.program_region(
                    backend, dev, dev.regions[0], path, header, afu, 10))
            except exception.ProgrammingFailed as e:
                results.append(e)
        for address, afu in targets:
            threads.append(threading.Thread(target=run, args=(address, afu)))
        begin = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results, time.monotonic() - begin

    def test_same_card_waits(self):
        self.build('n6000')
        self.host.pr_seconds = 0.5
        results, elapsed = self.program_at_once(
            [('0000:10:00.0', AFU), ('0000:10:00.0', OTHER_AFU)])
        self.assertEqual([programming.PROGRAMMED] * 2, results)
        self.assertGreaterEqual(elapsed, 1.0)
        self.assertTrue(os.path.exists(os.path.join(
            self.lock_path, 'nova-fpga-card-0000:10:00.0')))

    def test_cards_do_not_wait_for_each_other(self):
        self.build('n6000:2')
        self.host.pr_seconds = 1.0
        results, elapsed = self.program_at_once(
            [('0000:10:00.0', AFU), ('0000:18:00.0', AFU)])
        self.assertEqual([programming.PROGRAMMED] * 2, results)
        self.assertLess(elapsed, 1.9)


class ScrubRegionTest(base.ProgrammingTestCase):

    def setUp(self):
        super().setUp()
        self.build('n6000')
        self.backend_ = self.backend('dfl')
        self.dev = self.device(self.backend_, '0000:10:00.0')
        self.region = self.dev.regions[0]

    def scrub(self, mode, backend=None):
        return programming.scrub_region(
            backend or self.backend_, self.dev, self.region, mode, 10,
            blanks=self.conf.conf.fpga.blank_bitstreams)

    def test_none(self):
        calls = self.spy()
        self.assertEqual(programming.SKIPPED, self.scrub('none'))
        self.assertEqual([], calls)

    def test_reset(self):
        backend = FakeBackend()
        self.assertEqual(programming.RESET, self.scrub('reset', backend))
        self.assertEqual([('reset', '0000:10:00.0', 'port0')],
                         backend.calls)

    def test_failed_reset(self):
        backend = FakeBackend(error=backend_exception.HardwareError(
            'reset of x failed'))
        e = self.assertRaises(exception.ScrubFailed, self.scrub, 'reset',
                              backend)
        self.assertEqual('Scrubbing (reset) FPGA region 0000:10:00.0 port0 '
                         'failed: reset of x failed', str(e))

    def test_blank(self):
        path, _ = self.write_gbs(N6000, BLANK, name='blank.gbs')
        self.conf.config(blank_bitstreams={images.dashed(N6000): path},
                         group='fpga')
        self.assertEqual(programming.PROGRAMMED, self.scrub('blank'))
        self.region = self.device(self.backend_, self.dev.address).regions[0]
        self.assertEqual(BLANK, self.region.function_id)
        self.assertEqual(programming.SKIPPED, self.scrub('blank'))

    def test_no_blank_configured(self):
        self.conf.config(blank_bitstreams={'0' * 32: '/x.gbs'}, group='fpga')
        e = self.assertRaises(exception.ScrubFailed, self.scrub, 'blank')
        self.assertTrue(str(e).endswith(
            'failed: no blank bitstream for interface %s in [fpga] '
            'blank_bitstreams' % N6000), str(e))

    def test_blank_for_another_interface(self):
        other = simulator.INTERFACE_IDS['d5005']
        path, _ = self.write_gbs(other, BLANK, name='blank.gbs')
        self.conf.config(blank_bitstreams={N6000: path}, group='fpga')
        e = self.assertRaises(exception.ScrubFailed, self.scrub, 'blank')
        self.assertIn('blank bitstream %s: built for interface %s' % (
            path, other), str(e))

    def test_blank_refused_by_the_card(self):
        path, _ = self.write_gbs(N6000, BLANK, name='blank.gbs',
                                 payload=b'not a payload')
        self.conf.config(blank_bitstreams={N6000: path}, group='fpga')
        e = self.assertRaises(exception.ScrubFailed, self.scrub, 'blank')
        self.assertIn('Scrubbing (blank) FPGA region 0000:10:00.0 port0 '
                      'failed: blank bitstream %s: partial reconfiguration '
                      'of port 0' % path, str(e))
        self.assertIn('reconfig operation error', str(e))

    def test_unknown_mode(self):
        self.assertRaises(ValueError, self.scrub, 'erase')
