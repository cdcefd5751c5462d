"""A scheduler filter that orders each host's FPGA and GPU candidates.

Nova's scheduler claims the first allocation candidate of the host it
picks. Placement lists a host's candidates in the same order for every
request of one shape, so requests made at once all claim the same region:
one wins, the others fail their claim and, with no other host left, end
"No valid host" while regions of that host are free. This filter keeps
every host and every candidate, and hands each request the candidates in
another turn: concurrent requests then claim different regions.

First come the candidates whose regions hold what the request asks for
already (nova_fpga.scheduler.warm): a server given one needs no
programming. A host whose first candidate is such gets ``fpga_warm``,
which FPGAWarmWeigher (nova_fpga.scheduler.weights) puts first.
"""

import itertools
import random

from nova.scheduler import filters
import os_resource_classes as orc

from nova_fpga.scheduler import warm

# A candidate that takes any of these is one we order.
OURS = (orc.FPGA, orc.PGPU)
CUSTOM_PREFIX = 'CUSTOM_FPGA'


def all_filters():
    """Nova's filters and ours: ``[filter_scheduler] available_filters``."""
    return filters.all_filters() + [FPGACandidateFilter]


def _providers(candidate):
    return sorted(candidate['allocations'])


def _takes_ours(candidate):
    return any(rc in OURS or rc.startswith(CUSTOM_PREFIX)
               for allocation in candidate['allocations'].values()
               for rc in allocation['resources'])


class FPGACandidateFilter(filters.BaseHostFilter):
    """Every host passes; its FPGA and GPU candidates turn, warm first."""

    # Run for each instance of a multi-create request too: each claims.
    run_filter_once_per_request = False
    # A rebuild on its host claims nothing.
    RUN_ON_REBUILD = False

    def __init__(self):
        super().__init__()
        # Each host's turns; a scheduler starts at a random one, so that
        # several schedulers do not hand out the same order.
        self._start = random.randrange(1 << 16)
        self._turns = {}
        self._lookup = warm.WarmProviders()
        self._spec = self._warm = None

    def filter_all(self, filter_obj_list, spec_obj):
        hosts = list(filter_obj_list)
        warm = frozenset()
        if any(host.allocation_candidates and
               _takes_ours(host.allocation_candidates[0]) for host in hosts):
            warm = self._warm_providers(spec_obj)
        for host_state in hosts:
            self._order(host_state, warm)
            yield host_state

    def _warm_providers(self, spec_obj):
        # Once per request: each instance of a multi-create comes again
        # with the same spec.
        if self._spec is not spec_obj:
            self._spec, self._warm = spec_obj, self._lookup.of(spec_obj)
        return self._warm

    def _order(self, host_state, warm):
        candidates = host_state.allocation_candidates
        host_state.fpga_warm = False
        if not candidates or not _takes_ours(candidates[0]):
            return
        turns = self._turns.setdefault(host_state.uuid,
                                       itertools.count(self._start))
        first = next(turns) % len(candidates)
        # Turned from one order whatever this list's: each instance of a
        # multi-create finds the list its predecessor's turn left.
        ordered = sorted(candidates, key=_providers)
        turned = ordered[first:] + ordered[:first]
        if warm:
            turned.sort(key=lambda c: warm.isdisjoint(c['allocations']))
            host_state.fpga_warm = not warm.isdisjoint(
                turned[0]['allocations'])
        host_state.allocation_candidates = turned

    def host_passes(self, host_state, spec_obj):
        # filter_all does the work; every host passes.
        return True
