"""A scheduler weigher that puts hosts with a warm region first.

FPGACandidateFilter marks a host ``fpga_warm`` when its first allocation
candidate is a free region holding what the request asks for; this
weigher gives such a host the weight 1, any other 0, times ``[fpga]
warm_weight_multiplier``.
"""

import nova.conf
from nova.scheduler import weights

from nova_fpga import conf as fpga_conf

CONF = nova.conf.CONF
fpga_conf.register_opts(CONF)


def all_weighers():
    """Nova's weighers and ours: ``[filter_scheduler] weight_classes``."""
    return weights.all_weighers() + [FPGAWarmWeigher]


class FPGAWarmWeigher(weights.BaseHostWeigher):

    def weight_multiplier(self, host_state):
        return CONF.fpga.warm_weight_multiplier

    def _weigh_object(self, host_state, weight_properties):
        return 1.0 if getattr(host_state, 'fpga_warm', False) else 0.0
