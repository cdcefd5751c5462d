"""Hashing a download in a thread of its own, beside the download.

hashlib lets go of the GIL while it hashes a large buffer, so a download
and its hash can run on two cores. The thread is an OS thread under
eventlet too: a green one would take turns with the download instead.
"""

import hashlib
import queue
import threading

from oslo_utils import eventletutils

# glanceclient's chunks of 64 KiB are handed to the thread in batches of
# BATCH bytes, at most DEPTH of them waiting: a few MiB in all.
DEPTH = 4
BATCH = 1024 * 1024
_DONE = None


def _os_threading():
    """threading and queue as the OS has them, patched by eventlet or not."""
    if eventletutils.is_monkey_patched('thread'):
        from eventlet import patcher
        return patcher.original('threading'), patcher.original('queue')
    return threading, queue


class BackgroundHash:
    """A digest fed chunk by chunk; ``hexdigest`` waits for the last one.

    ``close`` stops the thread; it is called by ``hexdigest`` and must be
    called when the chunks stop coming for any other reason.
    """

    def __init__(self, algo):
        self._digest = hashlib.new(algo)
        self._pending, self._pending_size = [], 0
        os_threading, os_queue = _os_threading()
        self._chunks = os_queue.Queue(DEPTH)
        self._thread = os_threading.Thread(
            target=self._run, name='bitstream-hash', daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            chunk = self._chunks.get()
            if chunk is _DONE:
                return
            self._digest.update(chunk)

    def update(self, chunk):
        # Copied (bytes() of bytes is no copy), as the caller may reuse a
        # buffer; a hand-over per 64 KiB chunk would cost more than the
        # thread gains.
        self._pending.append(bytes(chunk))
        self._pending_size += len(chunk)
        if self._pending_size >= BATCH:
            self._hand_over()

    def _hand_over(self):
        if self._pending:
            self._chunks.put(b''.join(self._pending))
            self._pending, self._pending_size = [], 0

    def close(self):
        if self._thread.is_alive():
            self._hand_over()
            self._chunks.put(_DONE)
            self._thread.join()

    def hexdigest(self):
        self.close()
        return self._digest.hexdigest()
