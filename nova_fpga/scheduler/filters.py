"""A scheduler filter that spreads concurrent claims over free regions.

Nova's scheduler claims the first allocation candidate of the host it
picks. Placement lists a host's candidates in the same order for every
request of one shape, so requests made at once all claim the same region:
one wins, the others fail their claim and, with no other host left, end
"No valid host" while regions of that host are free. This filter keeps
every host and every candidate, and hands each request the candidates in
another turn: concurrent requests then claim different regions.
"""

import itertools
import random

from nova.scheduler import filters
import os_resource_classes as orc

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
    """Every host passes; its FPGA and GPU candidates turn per request."""

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

    def host_passes(self, host_state, spec_obj):
        candidates = host_state.allocation_candidates
        if len(candidates) > 1 and _takes_ours(candidates[0]):
            turns = self._turns.setdefault(host_state.uuid,
                                           itertools.count(self._start))
            first = next(turns) % len(candidates)
            # Turned from one order whatever this list's: each instance of
            # a multi-create finds the list its predecessor's turn left.
            ordered = sorted(candidates, key=_providers)
            host_state.allocation_candidates = (ordered[first:] +
                                                ordered[:first])
        return True
