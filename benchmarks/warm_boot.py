"""Boots onto warm regions: programming operations and boot times.

A compute with our driver runs in Nova's functional fixtures on a
simulated host of R N6000 regions whose partial reconfiguration takes
``--pr-seconds`` (the DFL driver allows up to 8 s a step on real cards).
k regions are free and hold function X; n servers asking for X boot one
after the other, then are deleted. Run twice: with Nova's filters only,
and with FPGACandidateFilter and FPGAWarmWeigher. Printed: the partial
reconfigurations the boots made, beside the goal max(0, n - k); the
median boot time (create to ACTIVE) of a boot onto a warm region, beside
that of a server without FPGA on the same cloud (goal <= 1.1x). Asserts
nothing.

Run from the top of a checkout: ``python -m benchmarks.warm_boot``.
"""

import argparse
import statistics
import sys
import time

from benchmarks import in_nova
from nova_fpga import simulator
from nova_fpga.simulator import ioctls
from tests.functional import test_scheduling
from tests.unit.backends import base as programming_base

AFU = '0123456789abcdef0123456789abcdef'
BOOT_GOAL = 1.1


class Measure(in_nova.Measure):
    regions, warm, boots, pr_seconds = 8, 5, 5, 1.0
    with_filter = True

    def _setup_scheduler_service(self):
        filters = list(test_scheduling.NOVA_FILTERS)
        weighers = ['nova.scheduler.weights.all_weighers']
        if self.with_filter:
            filters.append('FPGACandidateFilter')
            weighers = ['nova_fpga.scheduler.weights.all_weighers']
        self.flags(available_filters=[
            'nova_fpga.scheduler.filters.all_filters'],
            enabled_filters=filters, weight_classes=weighers,
            group='filter_scheduler')
        return self.start_service('scheduler')

    def timed_boot(self, flavor):
        started = time.perf_counter()
        server = self.boot(flavor)
        return server, time.perf_counter() - started

    def test_measure(self):
        host = self.start_fpga_compute('compute1', 'n6000:%d' % self.regions)
        host.pr_seconds = self.pr_seconds
        image_id = self.add_bitstream(
            self.gbs('n6000', AFU), name='x', fpga_function='x',
            fpga_function_id=AFU,
            fpga_interface_id=simulator.INTERFACE_IDS['n6000'])
        fpga = self.fpga_flavor(**{'fpga:bitstream': image_id})
        plain = self._create_flavor(memory_mb=512, vcpu=1, disk=1,
                                    ephemeral=0)
        addresses = sorted(d.address for d in host.expected().devices)
        # The warm ones last: Placement's own order does not find them.
        warm = addresses[-self.warm:]
        plain_times, warm_times = [], []
        # The first boot of a cloud pays for first imports and caches.
        self._delete_server(self.boot(plain))
        for _ in range(self.boots):
            server, seconds = self.timed_boot(plain)
            plain_times.append(seconds)
            self._delete_server(server)
        for address in warm:
            host.set_function(address, 0, AFU)
        self._run_periodics()
        calls = programming_base.spy(self)
        servers = []
        for _ in range(self.boots):
            before = len(calls)
            server, seconds = self.timed_boot(fpga)
            if not any(c[0] == 'ioctl' and c[2] == ioctls.DFL_FPGA_FME_PORT_PR
                       for c in calls[before:]):
                warm_times.append(seconds)
            servers.append(server)
        made = sum(1 for c in calls
                   if c[0] == 'ioctl' and c[2] == ioctls.DFL_FPGA_FME_PORT_PR)
        for server in servers:
            self._delete_server(server)
        goal = max(0, self.boots - self.warm)
        self.FIGURES.append(
            '%s: R=%d regions, k=%d warm, n=%d boots, %.1f s a partial '
            'reconfiguration: %d programming operations (goal %d)' % (
                'with FPGACandidateFilter and FPGAWarmWeigher'
                if self.with_filter else "Nova's filters only",
                self.regions, self.warm, self.boots, self.pr_seconds, made,
                goal))
        plain_median = statistics.median(plain_times)
        if warm_times:
            ratio = statistics.median(warm_times) / plain_median
            self.FIGURES.append(
                '  boot onto a warm region %.2f s, boot without FPGA %.2f s: '
                '%.2fx (goal <= %.1fx)' % (statistics.median(warm_times),
                                           plain_median, ratio, BOOT_GOAL))
        else:
            self.FIGURES.append('  no boot landed on a warm region; boot '
                                'without FPGA %.2f s' % plain_median)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ('regions', 'warm', 'boots'):
        parser.add_argument('--' + name, type=int,
                            default=getattr(Measure, name))
    parser.add_argument('--pr-seconds', type=float,
                        default=Measure.pr_seconds)
    args = parser.parse_args()
    Measure.regions, Measure.warm, Measure.boots = (
        args.regions, args.warm, args.boots)
    Measure.pr_seconds = args.pr_seconds
    status = 0
    for with_filter in (False, True):
        Measure.with_filter = with_filter
        status |= in_nova.run(Measure)
        Measure.FIGURES.clear()
    return status


if __name__ == '__main__':
    sys.exit(main())
