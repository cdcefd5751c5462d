"""``[fpga]`` options of discovery: where sysfs is, which families."""

from oslo_config import cfg

BACKEND_NAMES = ('dfl', 'intel_fpga', 'xrt', 'fpga_region', 'gpu')

OPTS = [
    cfg.StrOpt(
        'sysfs_root',
        default='/sys',
        help='Where sysfs is mounted. Tests and the simulator point it at a '
             'directory that holds a simulated tree.'),
    cfg.StrOpt(
        'dev_root',
        default='/dev',
        help='Where device nodes live (dfl-fme.N, intel-fpga-port.N, '
             'xclmgmtN). Tests and the simulator point it at a directory.'),
    cfg.ListOpt(
        'enabled_backends',
        default=list(BACKEND_NAMES),
        item_type=cfg.types.String(choices=BACKEND_NAMES),
        help='Driver families to look for, in order; gpu is whole NVIDIA, '
             'AMD and Intel GPUs. A device claimed by more than one family '
             'is reported once, by the first family that finds it '
             'healthy.'),
]
