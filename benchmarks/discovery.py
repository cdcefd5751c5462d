"""Discovery time on a simulated host with 16 cards, next to its floor.

The floor is a plain loop of every system call discovery must make: it
opens and reads (one read(2) each) the very files discovery reads, and
makes the link reads and directory listings it makes. What is left above
it is discovery's own work (parsing, the model). The goal: at most twice
the floor. The files alone, without links and listings, are printed too.
Prints figures; asserts nothing.
"""

import argparse
import collections
import statistics
import tempfile
import time

from benchmarks import sysfs_floor
from nova_fpga import conf
from nova_fpga import discovery
from nova_fpga import simulator

GOAL = 2.0
CARDS = ['n6000:4,vfs=3', 'd5005:4,vfs=1', 'pac_a10:4', 'u250:4']


def discover(host):
    return discovery.discover(host.sysfs_root, host.dev_root,
                              list(conf.BACKEND_NAMES))


def medians(funcs, repeat):
    """The median seconds of each of ``funcs``, run in turn ``repeat`` times.

    Taking turns puts each under the same load, so their ratio holds on a
    busy machine.
    """
    times = [[] for _ in funcs]
    for _ in range(repeat):
        for func, taken in zip(funcs, times):
            start = time.perf_counter()
            func()
            taken.append(time.perf_counter() - start)
    return [statistics.median(taken) for taken in times]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--repeat', type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        cards = [c for text in CARDS for c in simulator.parse_card(text)]
        host = simulator.build(root + '/host', cards)
        inventory = discover(host)
        paths = sysfs_floor.files_read(lambda: discover(host))
        calls = sysfs_floor.calls_made(lambda: discover(host))
        found, floor, all_io = medians([
            lambda: discover(host),
            lambda: sysfs_floor.read_all(paths),
            lambda: sysfs_floor.make_all(paths, calls)], args.repeat)
    regions = sum(len(d.regions) for d in inventory.devices)
    kinds = collections.Counter(name for name, _ in calls)
    print('simulated host: %d cards (%s), %d regions, %d files read' % (
        len(inventory.devices), ', '.join(CARDS), regions, len(paths)))
    print('discovery, median of %d: %.2f ms' % (args.repeat, found * 1e3))
    print('floor: the same files and the %s discovery makes, in a plain '
          'loop, median: %.2f ms' % (
              ', '.join('%d %s' % (n, name)
                        for name, n in sorted(kinds.items())),
              all_io * 1e3))
    print('discovery / floor: %.2fx (goal <= %.1fx: %.2f of it)' % (
        found / all_io, GOAL, found / all_io / GOAL))
    print('(the files alone, open+read: %.2f ms; discovery / that: %.1fx)'
          % (floor * 1e3, found / floor))


if __name__ == '__main__':
    main()
