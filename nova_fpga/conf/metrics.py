"""``[fpga]`` options of what operators are told: metrics."""

from oslo_config import cfg

OPTS = [
    cfg.StrOpt(
        'metrics_file',
        default='',
        help='Where nova-compute writes its FPGA metrics (programming and '
             'download times, bitstream cache hits and misses, failures by '
             'cause, scrubs, regions by state) in the Prometheus text '
             'format, for node_exporter\'s textfile collector: a file '
             'ending in .prom in the collector\'s directory '
             '(--collector.textfile.directory), which nova-compute can '
             'write. It is replaced whole after each change and at each '
             'periodic update; counts start at zero when nova-compute '
             'starts. A file that cannot be written is a warning. Empty: '
             'no file.'),
]
