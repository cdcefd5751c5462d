"""The floor under discovery: a plain read of what it reads.

Two floors: everything discovery asks of sysfs (files, links and
directory listings: the goal's), and the attribute files alone, to show
how much of discovery's time the files take.
"""

import os
from unittest import mock


def files_read(discover):
    """The files one ``discover()`` opens, in order."""
    seen = []
    real_open = os.open

    def recording_open(path, *args, **kwargs):
        seen.append(path)
        return real_open(path, *args, **kwargs)

    with mock.patch.object(os, 'open', recording_open):
        discover()
    return seen


def read_all(paths):
    """Open and read each file once, one read(2) each: the floor."""
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.read(fd, 65536)
        except OSError:
            pass
        finally:
            os.close(fd)


def _list(path):
    with os.scandir(path) as entries:
        for _ in entries:
            pass


# What discovery may ask of sysfs besides reading files, and how a plain
# loop asks it again.
_CALLS = {'readlink': os.readlink, 'scandir': _list, 'listdir': os.listdir,
          'stat': os.stat, 'lstat': os.lstat}


def calls_made(discover):
    """``(name, path)`` of the links, listings and stats of one run.

    Run ``discover`` once before: loading the backends stats files too.
    """
    seen = []

    def recording(name, real):
        def call(path, *args, **kwargs):
            seen.append((name, path))
            return real(path, *args, **kwargs)
        return call

    with mock.patch.multiple(os, **{
            name: recording(name, getattr(os, name)) for name in _CALLS}):
        discover()
    return seen


def make_all(paths, calls):
    """``read_all(paths)``, then each of ``calls`` once: the second floor."""
    read_all(paths)
    for name, path in calls:
        try:
            _CALLS[name](path)
        except OSError:
            pass
