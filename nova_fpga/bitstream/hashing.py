"""Hashing a download in a thread of its own, beside the download.

hashlib lets go of the GIL while it hashes a large buffer, so a download
and its hash can run on two cores. The thread is an OS thread under
eventlet too: a green one would take turns with the download instead.
"""

import hashlib
import queue
import threading

from oslo_utils import eventletutils

# Chunks waiting for the hash, at most: Nova's image API hands over
# glanceclient's chunks of 1 MiB, so memory stays within a few MiB.
DEPTH = 8
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
        # A buffer the caller may reuse must be copied; bytes never change.
        self._chunks.put(chunk if isinstance(chunk, bytes) else bytes(chunk))

    def close(self):
        if self._thread.is_alive():
            self._chunks.put(_DONE)
            self._thread.join()

    def hexdigest(self):
        self.close()
        return self._digest.hexdigest()
