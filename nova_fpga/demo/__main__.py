"""``python -m nova_fpga.demo``: a small FPGA cloud, shown working."""

import logging
import sys
import time
import warnings

# The demo's times count from here, imports included.
STARTED = time.monotonic()

# What eventlet and Nova say while being imported stays off the terminal;
# once the demo's log file is open, everything goes there.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
logging.getLogger().addHandler(logging.NullHandler())

# Nova's functional-test services need eventlet's patched standard library,
# before anything else of Nova is imported.
from nova import monkey_patch  # noqa: E402
monkey_patch.patch()

from nova_fpga.demo import run  # noqa: E402

sys.exit(run.main(STARTED))
