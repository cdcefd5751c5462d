"""GET /allocation_candidates for two GPUs of one architecture, at scale.

Real Placement (``placement.direct``, in process) holds 100 or 1,000
compute nodes of 8 GPUs each: 4 H100 (hopper) and 4 A100 (ampere) on two
NUMA nodes. They are laid out by ``nova_fpga.placement.layout`` as
``[fpga] gpu_provider_layout`` says:

- ``device``: one provider per GPU (total 1); two GPUs are two granular
  groups (``resources1=PGPU:1&required1=<arch>``, ``group_policy=none``);
- ``pooled`` (the default): one provider per model and NUMA node; two
  GPUs are ``resources:PGPU=2`` with the architecture trait required,
  seed 003's flavor as written. With two GPUs of each model on each node,
  4 pools of 2 a host; ``pooled1`` is the same layout on hosts whose
  models sit on a node each, 2 pools of 4 a host.

Each request also asks for the server's VCPU, memory and disk, as Nova's
does. Timed with Placement's defaults and tuned as for
``benchmarks.placement_scale`` (whose machinery this reuses: bulk SQL,
each configuration in its own process on a fresh database, sqlite and,
where Debian's mariadb-server is installed, MariaDB). Prints figures
beside the goal and the candidate counts a correct database gives;
asserts nothing.

Run from the top of a checkout: ``python -m benchmarks.gpu_scale``
(``--hosts 100`` for a quick run).
"""

import sys

from benchmarks import placement_scale as scale
from nova_fpga import conf as fpga_conf
from nova_fpga import model
from nova_fpga import placement

GPUS_PER_HOST = 8
# (board, architecture, memory in MiB) of each model, in the GPU catalog's
# names; GPU i is of model i % 2.
MODELS = (('h100_pcie', 'hopper', 81920), ('a100_pcie_80gb', 'ampere', 81920))
HOPPER = placement.gpu_trait_name('arch', 'hopper')
# Whether GPUs are pooled, and the NUMA node of GPU i: two of each model on
# each node, or each model on a node of its own.
LAYOUTS = {
    'device': (False, lambda i: i // 2 % 2),
    'pooled': (True, lambda i: i // 2 % 2),
    'pooled1': (True, lambda i: i % 2),
}
POOLED = {'resources': scale.SERVER + ',PGPU:2', 'required': HOPPER}
QUERIES = {
    'device': {'two groups': {
        'resources': scale.SERVER,
        'resources1': 'PGPU:1', 'required1': HOPPER,
        'resources2': 'PGPU:1', 'required2': HOPPER,
        'group_policy': 'none'}},
    'pooled': {'PGPU=2': POOLED},
    'pooled1': {'PGPU=2': POOLED},
}
# A host's candidates: two of its 4 hopper GPUs, each pair twice (once
# per order of the groups), or one of its hopper pools.
PER_HOST = {'device': 12, 'pooled': 2, 'pooled1': 1}


def host_inventory(numa_node):
    devices = []
    for index in range(GPUS_PER_HOST):
        board, architecture, memory_mb = MODELS[index % len(MODELS)]
        address = '0000:%02x:00.0' % (0x10 + index)
        devices.append(model.Device(
            address=address, vendor='nvidia', family=model.GPU, board=board,
            numa_node=numa_node(index), architecture=architecture,
            memory_mb=memory_mb, memory_source=model.MEMORY_TABLE,
            regions=(model.Region(name='gpu', attach=(address,)),)))
    return model.Inventory(devices=tuple(devices))


def children(layout):
    pooled, numa_node = LAYOUTS[layout]
    return scale.laid_out(host_inventory(numa_node),
                          fpga_conf.PlacementOptions(gpu_pooled=pooled))


def measure(layout, hosts, tuning, repeat, connection):
    return scale.measure_queries(children(layout), QUERIES[layout], hosts,
                                 tuning, repeat, connection)


def main(argv=None):
    return scale.command(argv, __doc__, measure, run_all, 'gpu-scale-')


def run_all(args, databases):
    print('GET /allocation_candidates for 2 GPUs with %s, real Placement '
          'on %s, %d GPUs per host, limit=%d, median of %d; goal <= %.1f s'
          % (HOPPER, ' and '.join(databases.kinds), GPUS_PER_HOST,
             scale.LIMIT, args.repeat, scale.GOAL_SECONDS))
    print('%-7s %-6s %-7s %-9s %-10s %10s %9s %8s %7s' % (
        'db', 'hosts', 'layout', 'tuning', 'request', 'providers',
        'seconds', '/goal', 'count'))
    status = 0
    for kind in databases.kinds:
        for hosts in args.hosts or [100, 1000]:
            for layout in LAYOUTS:
                providers = hosts * (1 + len(children(layout)))
                for tuning in scale.TUNINGS:
                    figures = scale.run_child(
                        layout, hosts, tuning, args.repeat,
                        databases.new(kind), module='benchmarks.gpu_scale')
                    for query, (seconds, count) in figures.items():
                        want = min(PER_HOST[layout] * hosts, scale.LIMIT)
                        note = ('' if count == want else
                                '  (expected %d)' % want)
                        status |= count != want
                        print('%-7s %-6d %-7s %-9s %-10s %10d %9.3f %7.2fx '
                              '%7d%s' % (kind, hosts, layout, tuning, query,
                                         providers, seconds,
                                         seconds / scale.GOAL_SECONDS, count,
                                         note))
                    sys.stdout.flush()
    return status


if __name__ == '__main__':
    sys.exit(main())
