"""Progress lines on standard error, each with the seconds since the start.

Standard output stays for the result, so ``--format json`` can be piped.
"""

import sys
import time


class Progress:

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.started = time.monotonic()

    def __call__(self, message):
        print('[%6.1fs] %s' % (time.monotonic() - self.started, message),
              file=self.stream, flush=True)
