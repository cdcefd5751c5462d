"""Cost of reporting FPGA regions, next to the libvirt driver's own report.

A compute with our driver runs in Nova's functional fixtures (fakelibvirt,
in-process Placement) on a simulated host of 16 cards. The simulator gives
each card one region, so discovery's result is widened to 4 regions per
card: 64 region providers. Prints figures; asserts nothing.

Run from the top of a checkout (it uses the functional test fixtures):
``python -m benchmarks.update_provider_tree``.
"""

import argparse
import copy
import dataclasses
import logging
import statistics
import sys
import time

import fixtures
from nova import context as nova_context
from nova.virt.libvirt import driver as libvirt_driver

from benchmarks import in_nova
from benchmarks import sysfs_floor
from nova_fpga import discovery
from nova_fpga import placement

DISCOVERY_GOAL = 1.5
ADDED_GOAL = 2.0
CARDS = ['n6000:4', 'd5005:4', 'pac_a10:4', 'n3000:4']
REGIONS_PER_CARD = 4


def widen(inventory):
    """Each card with REGIONS_PER_CARD copies of its first region."""
    devices = []
    for device in inventory.devices:
        first = device.regions[0]
        regions = tuple(
            dataclasses.replace(first, name='port%d' % i, port=i)
            for i in range(REGIONS_PER_CARD))
        devices.append(dataclasses.replace(device, regions=regions))
    return dataclasses.replace(inventory, devices=tuple(devices))


def median_ms(func, prepare, repeat):
    times = []
    for _ in range(repeat):
        arg = prepare()
        start = time.perf_counter()
        func(arg)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


class Measure(in_nova.Measure):
    repeat = 20

    def count_writes(self, client):
        counts = {'PUT': 0, 'POST': 0, 'DELETE': 0}

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
        rt = compute.manager.rt
        ctx = nova_context.get_admin_context()
        steady = rt.provider_tree

        def fresh_tree():
            return copy.deepcopy(steady)

        libvirt_ms = median_ms(
            lambda tree: libvirt_driver.LibvirtDriver.update_provider_tree(
                drv, tree, 'compute1'), fresh_tree, self.repeat)
        # Nothing changed since the last report: the fast path.
        ours_ms = median_ms(
            lambda tree: drv.update_provider_tree(tree, 'compute1'),
            fresh_tree, self.repeat)

        def full(tree):
            drv._fpga_reported = None
            drv.update_provider_tree(tree, 'compute1')
        full_ms = median_ms(full, fresh_tree, self.repeat)
        discovery_ms = median_ms(
            lambda _: drv._fpga_regions.discover(), lambda: None, self.repeat)
        inventory = drv._fpga_regions.discover()
        placement_ms = median_ms(
            lambda tree: placement.update(
                tree, 'compute1', inventory, drv._fpga_options,
                lambda rp_uuid: False),
            fresh_tree, self.repeat)
        paths = sysfs_floor.files_read(drv._fpga_regions.discover)
        floor_ms = median_ms(lambda _: sysfs_floor.read_all(paths),
                             lambda: None, self.repeat)

        counts = self.count_writes(rt.reportclient)
        compute.manager.update_available_resource(ctx)
        idle = dict(counts)
        # The same count after one card crashed (4 providers to reserve).
        host.crash(inventory.devices[0].address)
        compute.manager.update_available_resource(ctx)
        crashed = sum(counts.values()) - sum(idle.values())
        self.FIGURES.extend([
            'simulated host: %d cards (%s) widened to %d regions, %d FPGA '
            'providers in Placement' % (
                len(inventory.devices), ', '.join(CARDS),
                sum(len(d.regions) for d in inventory.devices),
                len(self.fpga_providers('compute1'))),
            'median of %d runs:' % self.repeat,
            '  LibvirtDriver.update_provider_tree alone: %.2f ms'
            % libvirt_ms,
            '  FPGALibvirtDriver.update_provider_tree:   %.2f ms' % ours_ms,
            '  added by nova_fpga:                       %.2f ms'
            % (ours_ms - libvirt_ms),
            '    of which discovery:                     %.2f ms'
            % discovery_ms,
            '    placement.update alone:                 %.2f ms'
            % placement_ms,
            '  added when the providers must be set again: %.2f ms '
            '(placement.update not skipped)' % (full_ms - libvirt_ms),
            'floor (a plain read of the %d files discovery reads): %.2f ms'
            % (len(paths), floor_ms),
            'discovery / floor: %.1fx (goal <= %.1fx); added / floor: %.1fx '
            '(goal <= %.1fx)' % (discovery_ms / floor_ms, DISCOVERY_GOAL,
                                 (ours_ms - libvirt_ms) / floor_ms,
                                 ADDED_GOAL),
            'Placement writes in a periodic update with nothing changed: '
            '%d (PUT %d, POST %d, DELETE %d)' % (
                sum(idle.values()), idle['PUT'], idle['POST'],
                idle['DELETE']),
            'Placement writes in the next one, after a card crashed: %d'
            % crashed,
        ])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--repeat', type=int, default=Measure.repeat)
    Measure.repeat = parser.parse_args().repeat
    return in_nova.run(Measure)


if __name__ == '__main__':
    sys.exit(main())
