"""The ``[fpga]`` section of nova.conf, one module per concern."""

from oslo_config import cfg

from nova_fpga.conf import api
from nova_fpga.conf import bitstream
from nova_fpga.conf import discovery
from nova_fpga.conf import metrics
from nova_fpga.conf import placement
from nova_fpga.conf import programming
from nova_fpga.conf import records
from nova_fpga.conf import warm

GROUP = cfg.OptGroup(
    'fpga',
    title='FPGA regions',
    help='Discovery, reporting and programming of FPGA '
         'partial-reconfiguration regions by the nova_fpga plugin.')

BACKEND_NAMES = discovery.BACKEND_NAMES
InvalidOption = placement.InvalidOption
PlacementOptions = placement.PlacementOptions
placement_options = placement.placement_options

OPTS = (discovery.OPTS + placement.OPTS + bitstream.OPTS + programming.OPTS +
        records.OPTS + metrics.OPTS + warm.OPTS + api.OPTS)


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]
