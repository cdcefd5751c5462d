"""``[fpga]`` options of warm regions: loaded before anyone asks."""

from oslo_config import cfg
from oslo_config import types

OPTS = [
    cfg.Opt(
        'warm_bitstreams',
        type=types.Dict(value_type=types.Integer(min=1)),
        default={},
        help='Bitstream images to keep loaded in free regions of this '
             'host, as <image id>:<count>,...: at start-up and at each '
             'periodic update, while fewer than <count> free regions show '
             'an image\'s function, one more free region it fits is '
             'programmed with it (one region per update, never a held or '
             'quarantined one), through the same verified path as a '
             'spawn. Glance is asked with the [service_user] credentials '
             'of nova.conf (Nova\'s own service user, never a user\'s): '
             'the images must be visible to that user\'s project, e.g. '
             'public. The scheduler filter and weigher prefer such '
             'regions for a request of that bitstream or function.'),
    cfg.FloatOpt(
        'warm_weight_multiplier',
        default=10.0,
        help='nova-scheduler: the weight of a host whose first allocation '
             'candidate is a free region holding the requested function '
             '(FPGAWarmWeigher; 0 for any other host). Nova\'s own '
             'weighers have multipliers of 1.0 by default, so 10 puts '
             'warm hosts first.'),
    cfg.BoolOpt(
        'reuse_after_reset',
        default=False,
        help='Whether a region released with scrub_on_release = reset, '
             'which keeps its function loaded, is given to the next '
             'server asking for that function as it is. A reset clears '
             'the function\'s registers and state but neither its '
             'on-chip memories nor the card\'s memory; programming again '
             'clears the on-chip memories. False (the default) programs '
             'it again.'),
]
