"""``[fpga]`` options of the per-region records."""

from oslo_config import cfg

OPTS = [
    cfg.StrOpt(
        'state_dir',
        default='/var/lib/nova/fpga-state',
        help='Where a small record of each FPGA region is kept: what was '
             'loaded into it (function id, Glance image id and name, when, '
             'by whom) and its metrics (programming and download times, '
             'cache hits and misses, failures by cause). nova-compute and '
             '`nova-fpga` write it, `nova-fpga status` reads it. It must '
             'be writable by nova-compute.'),
]
