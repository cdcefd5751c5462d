"""``python -m demo``: a small FPGA cloud, shown working."""

import logging
import sys
import time
import warnings

# The demo's times count from here, imports included.
STARTED = time.monotonic()

# What Nova says while being imported stays off the terminal; once the
# demo's log file is open, everything goes there.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
logging.getLogger().addHandler(logging.NullHandler())

from demo import run  # noqa: E402

sys.exit(run.main(STARTED))
