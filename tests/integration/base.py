"""A real Glance for integration tests, and a look at its processes."""

import os
import time

import fixtures
import psutil

from demo import glance


class GlanceFixture(fixtures.Fixture):
    """glance-api in a temporary directory, stopped at clean-up."""

    def _setUp(self):
        workdir = self.useFixture(fixtures.TempDir()).path
        self.server = glance.GlanceServer(workdir)
        self.addCleanup(self.server.stop)
        self.server.start()


def processes_in(workdir):
    """Our descendants, zombies aside, that run in ``workdir``."""
    workdir = os.path.realpath(workdir)
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            if (process.status() != psutil.STATUS_ZOMBIE
                    and process.cwd() == workdir):
                found.append(process)
        except psutil.NoSuchProcess:
            pass
    return found


def alive(processes, grace=0):
    """Those still running (zombies aside) once ``grace`` seconds pass."""
    deadline = time.monotonic() + grace
    while True:
        running = []
        for process in processes:
            try:
                if (process.is_running()
                        and process.status() != psutil.STATUS_ZOMBIE):
                    running.append(process)
            except psutil.NoSuchProcess:
                pass
        if not running or time.monotonic() >= deadline:
            return running
        time.sleep(0.1)


def write_random_file(path, size):
    data = os.urandom(size)
    with open(path, 'wb') as f:
        f.write(data)
    return data
