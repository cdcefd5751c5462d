"""What the simulated kernel keeps to itself, in ``root/sim-state.json``.

Everything a program could see is in the tree; this file holds the rest
(released ports, faults, busy flags, id counters) so that several processes
can act on one simulated host.
"""

import contextlib
import fcntl
import json
import os

FILE = 'sim-state.json'


def new(pr_seconds):
    return {'pr_seconds': float(pr_seconds), 'counters': {}, 'cards': []}


def take(data, counter, start=0):
    """The next number of a kernel-global counter (region, fpga, ...)."""
    value = data['counters'].get(counter, start)
    data['counters'][counter] = value + 1
    return value


def path(root):
    return os.path.join(root, FILE)


def save(root, data):
    tmp = path(root) + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path(root))


@contextlib.contextmanager
def locked(root, write=True):
    """Load, yield and save the state under an exclusive lock.

    The lock is a flock on the root directory; each call opens its own
    descriptor, so it serialises threads as well as processes. The state is
    saved even when an emulated kernel error (OSError) escapes, because a
    failing call may still change it (a consumed fault, a status line).
    """
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with open(path(root)) as f:
            data = json.load(f)
        try:
            yield data
        except OSError:
            if write:
                save(root, data)
            raise
        if write:
            save(root, data)
    finally:
        os.close(fd)
