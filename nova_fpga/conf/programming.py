"""``[fpga]`` options of programming and scrubbing regions."""

from oslo_config import cfg

OPTS = [
    cfg.StrOpt(
        'intel_programmer',
        default='ioctl',
        choices=[
            ('ioctl', 'The kernel partial-reconfiguration ioctl on the FME '
                      'device node, with the GBS header stripped.'),
            ('fpgaconf', "OPAE's fpgaconf tool, given the whole GBS file."),
        ],
        help='How regions of DFL and intel-fpga cards are programmed.'),
    cfg.StrOpt(
        'fpgaconf_path',
        default='fpgaconf',
        help='The OPAE fpgaconf command, used when intel_programmer is '
             'fpgaconf.'),
    cfg.StrOpt(
        'xbmgmt_path',
        default='/opt/xilinx/xrt/bin/xbmgmt',
        help="The XRT xbmgmt command that loads xclbins into Alveo cards."),
    cfg.IntOpt(
        'program_timeout',
        default=300,
        min=1,
        help='Seconds a vendor tool (fpgaconf, xbmgmt) may take to program '
             'a region; after that it is killed and programming fails.'),
    cfg.StrOpt(
        'scrub_on_release',
        default='none',
        choices=[
            ('none', 'Leave the region as the guest left it.'),
            ('reset', 'Reset the region\'s user logic (DFL and intel-fpga '
                      'port reset, XRT dynamic-region reset); what is '
                      'loaded stays loaded.'),
            ('blank', 'Load the blank bitstream blank_bitstreams names '
                      'for the region\'s interface id.'),
        ],
        help='What to do with a region when its instance is gone.'),
    cfg.DictOpt(
        'blank_bitstreams',
        default={},
        help='Blank bitstreams for scrub_on_release = blank, as '
             '<interface id>:<file> pairs; the interface id is 32 hex '
             'digits, the file a GBS or xclbin built for that interface.'),
    cfg.StrOpt(
        'lock_path',
        help='Directory of the per-card lock files that keep two '
             'programmings of one card from running at once, across '
             'processes. Unset: [oslo_concurrency] lock_path.'),
    cfg.StrOpt(
        'simulator_root',
        default='',
        help='Empty on real hosts. A directory holding a simulated FPGA '
             'host (nova-fpga simulate), or several, each in a directory '
             'of its own: ioctls, sysfs writes and vendor tools then act on '
             'the host whose tree holds the device node or sysfs path they '
             'are given, instead of the hardware. Point sysfs_root and '
             'dev_root at a host\'s sys and dev.'),
]
