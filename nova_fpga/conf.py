"""The ``[fpga]`` section of nova.conf."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'fpga',
    title='FPGA regions',
    help='Discovery, reporting and programming of FPGA '
         'partial-reconfiguration regions by the nova_fpga plugin.')

BACKEND_NAMES = ('dfl', 'intel_fpga', 'xrt', 'fpga_region')

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
        help='Driver families to look for, in order. A device claimed by '
             'more than one family is reported once, by the first family '
             'that finds it healthy.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]
