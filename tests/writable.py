"""The tests' own defaults for where nova-compute writes.

The ``[fpga]`` options naming where nova-compute writes default to
/var/lib/nova. A test (or a Nova test running our driver) that does not
set one would write there, as root on CI. In a test process those
defaults name one temporary directory instead, removed at exit.
"""

import atexit
import os
import shutil
import tempfile

from oslo_config import cfg

from nova_fpga import conf as fpga_conf

OPTIONS = ('state_dir', 'bitstream_cache_dir')

# What operators get, for the tests of the defaults.
SHIPPED = {opt.name: opt.default for opt in fpga_conf.OPTS
           if opt.name in OPTIONS}


def keep_in_a_temporary_directory():
    root = tempfile.mkdtemp(prefix='nova-fpga-tests-')
    atexit.register(shutil.rmtree, root, True)
    cfg.set_defaults(fpga_conf.OPTS, **{
        name: os.path.join(root, name) for name in OPTIONS})
