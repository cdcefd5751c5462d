"""The floor under discovery: a plain read of the files it reads."""

import os
from unittest import mock

from nova_fpga import sysfs


def files_read(discover):
    """The attribute files one ``discover()`` reads, in order."""
    seen = []
    real_read = sysfs._read_text

    def recording_read(path):
        seen.append(path)
        return real_read(path)

    with mock.patch.object(sysfs, '_read_text', recording_read):
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
