"""What nova_fpga adds to a spawn, next to the libvirt driver's own spawn.

A compute with our driver runs in Nova's functional fixtures (fakelibvirt,
in-process Placement, Nova's GlanceFixture) on a simulated host with one
N6000. Servers are booted and deleted one after the other, asking for a
bitstream of ``--size-mb`` MiB by id, in three cases: the bitstream cached
and its function loaded already; cached but the region to program; not
cached. Measured per boot: the mixin's work before the domain is defined
(request, discovery, resolve, fetch and verify, program), its work in
``_get_guest_config`` (discovery, hostdevs), and the whole driver spawn.
Simulated programming takes no time; real partial reconfiguration takes
seconds. Prints figures; asserts nothing.

Run from the top of a checkout (it uses the functional test fixtures):
``python -m benchmarks.spawn``.
"""

import argparse
import glob
import os
import shutil
import statistics
import sys
import time

import fixtures
from nova.virt.libvirt import driver as libvirt_driver

from benchmarks import in_nova
from nova_fpga.bitstream import cache
from nova_fpga.regions import programming
from nova_fpga import simulator
from nova_fpga.virt import driver
from tests.functional import libvirt_base

MiB = 1024 * 1024
FAST_GOAL_MS = 3.0
PROGRAM_GOAL = 1.1


class Timer:
    """Seconds spent in a method, per call, once patched in."""

    def __init__(self, test, owner, name):
        self.times = []
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.times.append(time.perf_counter() - start)
        test.useFixture(fixtures.MockPatchObject(owner, name, timed))

    def take(self):
        taken, self.times = self.times, []
        return taken


def timed(func, *args):
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def ms(times):
    return '%7.2f' % (statistics.median(times) * 1e3)


class Measure(in_nova.Measure):
    boots = 10
    size_mb = 16

    def test_measure(self):
        host = self.start_fpga_compute('compute1', 'n6000')
        payload = simulator.make_raw_payload(
            simulator.INTERFACE_IDS['n6000'], libvirt_base.AFU,
            size=self.size_mb * MiB)
        image_id = self.add_bitstream(
            self.gbs('n6000', libvirt_base.AFU, payload=payload),
            fpga_function='nlb')
        flavor = self.fpga_flavor(**{'fpga:bitstream': image_id})
        load = Timer(self, driver.FPGADriverMixin, '_fpga_load')
        ours = Timer(self, driver.FPGADriverMixin, '_get_guest_config')
        theirs = Timer(self, libvirt_driver.LibvirtDriver,
                       '_get_guest_config')
        spawn = Timer(self, driver.FPGADriverMixin, 'spawn')
        hardware = Timer(self, programming, 'program_region')

        def unload():
            host.set_function(libvirt_base.FIRST, 0, simulator.FUNCTION_IDS[
                'n6000'])

        def uncache():
            unload()
            shutil.rmtree(os.path.join(self.bitstream_cache, 'sha512'),
                          ignore_errors=True)

        cases = (('cached, function loaded', lambda: None),
                 ('cached, region to program', unload),
                 ('not cached', uncache))
        # Warm up: first imports, first cache directory.
        self._delete_server(self.boot(flavor))
        for timer in (load, ours, theirs, spawn, hardware):
            timer.take()
        cached = glob.glob(os.path.join(self.bitstream_cache, 'sha512', '*'))
        hashing = []
        self.FIGURES.append('median of %d boots, %d MiB bitstream, in ms:' % (
            self.boots, self.size_mb))
        self.FIGURES.append('%-28s %9s %9s %9s' % (
            '', 'pre-spawn', 'guest cfg', 'spawn'))
        above = {}
        for name, prepare in cases:
            for _ in range(self.boots):
                prepare()
                self._delete_server(self.boot(flavor))
                if prepare is unload:
                    # The baseline takes turns with the boots it is for.
                    hashing.append(timed(cache.hash_file, cached[0],
                                         'sha512'))
            config = [total - parent for total, parent in
                      zip(ours.take(), theirs.take())]
            loads = load.take()
            above[name] = [total - programmed for total, programmed in
                           zip(loads, hardware.take())]
            self.FIGURES.append('%-28s %9s %9s %9s' % (
                name, ms(loads), ms(config), ms(spawn.take())))
        fast = statistics.median(above['cached, function loaded']) * 1e3
        ratio = (statistics.median(above['cached, region to program']) /
                 statistics.median(hashing))
        self.FIGURES.append(
            'region holding the function: %.2f ms before the domain (goal '
            '<= %.1f ms): %.2fx the goal' % (fast, FAST_GOAL_MS,
                                             fast / FAST_GOAL_MS))
        self.FIGURES.append(
            'region to program: our work above programming %s ms, one '
            'sequential hash of the file %s ms: %.2fx (goal <= %.1fx)' % (
                ms(above['cached, region to program']), ms(hashing), ratio,
                PROGRAM_GOAL))
        self.FIGURES.append(
            'pre-spawn: the mixin before the domain (request, discovery, '
            'bitstream, programming); guest cfg: its part of '
            '_get_guest_config; spawn: the whole driver spawn, both included')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--boots', type=int, default=Measure.boots)
    parser.add_argument('--size-mb', type=int, default=Measure.size_mb)
    args = parser.parse_args()
    Measure.boots, Measure.size_mb = args.boots, args.size_mb
    return in_nova.run(Measure)


if __name__ == '__main__':
    sys.exit(main())
