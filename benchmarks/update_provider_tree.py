"""Cost of reporting FPGA regions, next to the libvirt driver's own report.

A compute with our driver runs in Nova's functional fixtures (fakelibvirt,
in-process Placement) on a simulated host of 16 cards. The simulator gives
each card one region, so discovery's result is widened to 4 regions per
card: 64 region providers. The libvirt driver's own report is measured on
a tree of its own providers only. Then the resource tracker's whole idle
periodic update, with the Placement requests it makes, for that host in
each layout and for a host without FPGAs, with the Placement requests
and writes it makes: the goal is at most twice the cost of the host
without FPGAs, and no write when nothing changed. Prints figures;
asserts nothing.

Run from the top of a checkout (it uses the functional test fixtures):
``python -m benchmarks.update_provider_tree``.
"""

import argparse
import copy
import logging
import statistics
import sys
import time

import fixtures
from nova import context as nova_context
from nova.virt.libvirt import driver as libvirt_driver

from benchmarks import in_nova
from nova_fpga import discovery
from nova_fpga import placement

# The whole idle periodic update, next to a host's without FPGAs.
PERIODIC_GOAL = 2.0
CARDS = ['n6000:4', 'd5005:4', 'pac_a10:4', 'n3000:4']
REGIONS_PER_CARD = 4


def widen(inventory):
    """Each card with REGIONS_PER_CARD copies of its first region."""
    devices = []
    for device in inventory.devices:
        first = device.regions[0]
        regions = tuple(
            first._replace(name='port%d' % i, port=i)
            for i in range(REGIONS_PER_CARD))
        devices.append(device._replace(regions=regions))
    return inventory._replace(devices=tuple(devices))


def median_ms(func, prepare, repeat):
    times = []
    for _ in range(repeat):
        arg = prepare()
        start = time.perf_counter()
        func(arg)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def writes_of(counts):
    """The Placement writes among ``{method: count}``."""
    return sum(n for method, n in counts.items() if method != 'GET')


def copies(tree):
    return lambda: copy.deepcopy(tree)


class Measure(in_nova.Measure):
    repeat = 20

    def count_requests(self, client):
        """``{method: count}`` of the Placement requests ``client`` makes."""
        counts = {'GET': 0, 'PUT': 0, 'POST': 0, 'DELETE': 0}

        def counting(method, real):
            def call(*args, **kwargs):
                counts[method] += 1
                return real(*args, **kwargs)
            return call

        for method in counts:
            name = method.lower()
            self.useFixture(fixtures.MockPatchObject(
                client, name, counting(method, getattr(client, name))))
        return counts

    def periodics(self, hostnames, ctx):
        """``{host: (median ms, Placement requests)}`` of idle updates.

        The resource tracker's whole ``update_available_resource``: it also
        reads each provider's allocations from Placement. The hosts take
        turns, so that their ratios hold on a busy machine; their requests
        are counted in one update each, first.
        """
        managers = [self.computes[h].manager for h in hostnames]
        requests = []
        for manager in managers:
            manager.update_available_resource(ctx)
            counts = self.count_requests(manager.rt.reportclient)
            manager.update_available_resource(ctx)
            requests.append(dict(counts))
        times = [[] for _ in managers]
        for _ in range(self.repeat):
            for manager, taken in zip(managers, times):
                start = time.perf_counter()
                manager.update_available_resource(ctx)
                taken.append(time.perf_counter() - start)
        return {host: (statistics.median(taken) * 1e3, counts)
                for host, taken, counts in zip(hostnames, times, requests)}

    def test_measure(self):
        # As deployed: nova-compute logs at INFO unless [DEFAULT] debug.
        logging.getLogger().setLevel(logging.INFO)
        real_discover = discovery.discover
        self.useFixture(fixtures.MockPatchObject(
            discovery, 'discover',
            lambda *args: widen(real_discover(*args))))
        host = self.start_fpga_compute('compute1', *CARDS)
        compute = self.computes['compute1']
        drv = compute.driver
        ctx = nova_context.get_admin_context()
        steady = compute.manager.rt.provider_tree
        # Nova's own providers only: what the libvirt driver reports alone.
        nova_only = copy.deepcopy(steady)
        for rp in self.fpga_providers('compute1').values():
            nova_only.remove(rp['uuid'])

        libvirt_ms = median_ms(
            lambda tree: libvirt_driver.LibvirtDriver.update_provider_tree(
                drv, tree, 'compute1'), copies(nova_only), self.repeat)
        # Nothing changed since the last report: the fast path.
        ours_ms = median_ms(
            lambda tree: drv.update_provider_tree(tree, 'compute1'),
            copies(steady), self.repeat)

        def full(tree):
            drv._fpga_reporter._reported = None
            drv.update_provider_tree(tree, 'compute1')
        full_ms = median_ms(full, copies(steady), self.repeat)
        discovery_ms = median_ms(
            lambda _: drv._fpga_regions.survey(), lambda: None, self.repeat)
        inventory = drv._fpga_regions.survey()
        widen_ms = median_ms(lambda _: widen(inventory), lambda: None,
                             self.repeat)
        placement_ms = median_ms(
            lambda tree: placement.update(
                tree, 'compute1', inventory, drv._fpga_reporter.options,
                lambda rp_uuid: False),
            copies(steady), self.repeat)
        added_ms = ours_ms - libvirt_ms - widen_ms

        self.start_fpga_compute('pooled', *CARDS, provider_layout='pooled')
        self.start_fpga_compute('plain')
        periodic = self.periodics(['compute1', 'pooled', 'plain'], ctx)
        plain_ms = periodic['plain'][0]
        # The writes after one card crashed (4 providers to reserve).
        writes = self.count_requests(compute.manager.rt.reportclient)
        host.crash(inventory.devices[0].address)
        compute.manager.update_available_resource(ctx)
        crashed = writes_of(writes)
        requests = periodic['compute1'][1]
        self.FIGURES.extend([
            'simulated host: %d cards (%s) widened to %d regions, %d FPGA '
            'providers in Placement' % (
                len(inventory.devices), ', '.join(CARDS),
                sum(len(d.regions) for d in inventory.devices),
                len(self.fpga_providers('compute1'))),
            'median of %d runs:' % self.repeat,
            '  LibvirtDriver.update_provider_tree, its providers only: '
            '%.2f ms' % libvirt_ms,
            '  FPGALibvirtDriver.update_provider_tree:   %.2f ms' % ours_ms,
            '  added by nova_fpga:                       %.2f ms'
            % added_ms,
            '    of which discovery:                     %.2f ms'
            % (discovery_ms - widen_ms),
            '    (the benchmark widening the inventory:  %.2f ms, left '
            'out)' % widen_ms,
            '    placement.update alone:                 %.2f ms'
            % placement_ms,
            '  added when the providers must be set again: %.2f ms '
            '(placement.update not skipped)' % (
                full_ms - libvirt_ms - widen_ms),
            'Placement writes in a periodic update with nothing changed: '
            '%d (PUT %d, POST %d, DELETE %d)' % (
                writes_of(requests), requests['PUT'], requests['POST'],
                requests['DELETE']),
            'Placement writes in the next one, after a card crashed: %d'
            % crashed,
            "The resource tracker's whole periodic update, idle, median of "
            '%d (goals: at most %.0fx that of a host without FPGAs, no '
            'Placement write):' % (self.repeat, PERIODIC_GOAL),
            '  %-38s %8s %10s %8s %8s %7s' % (
                '', 'ms', '/ no FPGA', '/ goal', 'GETs', 'writes'),
        ] + [
            '  %-38s %8.2f %9.2fx %7.2fx %8d %7d' % (
                what, ms, ms / plain_ms, ms / plain_ms / PERIODIC_GOAL,
                counts['GET'], writes_of(counts))
            for what, (ms, counts) in (
                ('no FPGA', periodic['plain']),
                ('64 regions, provider_layout = region',
                 periodic['compute1']),
                ('64 regions, provider_layout = pooled', periodic['pooled']))
        ] + [
            '  (Nova reads the allocations of each provider in the tree '
            'from Placement at every periodic update: one GET each.)',
        ])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--repeat', type=int, default=Measure.repeat)
    Measure.repeat = parser.parse_args().repeat
    return in_nova.run(Measure)


if __name__ == '__main__':
    sys.exit(main())
