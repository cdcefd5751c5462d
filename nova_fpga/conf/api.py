"""``[fpga]`` options of the cloud-wide API and the computes' endpoint."""

from oslo_config import cfg

OPTS = [
    cfg.BoolOpt(
        'rpc_endpoint',
        default=True,
        help='nova-compute: serve the cloud-wide FPGA API\'s requests for '
             'this host\'s regions (show, program, scrub) on Nova\'s RPC '
             'transport, topic nova-fpga, server the compute\'s host. '
             'False leaves the host to the nova-fpga command only.'),
    cfg.IntOpt(
        'api_timeout',
        default=300,
        min=1,
        help='The cloud-wide FPGA API: how many seconds a request waits '
             'for the region\'s compute (programming included) before it '
             'answers 503 naming the host. A request the compute has not '
             'taken by then is dropped by it, never done late.'),
]
