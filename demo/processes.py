"""OS processes of the demo cloud: start one, wait for it, stop its group.

Each process leads a process group of its own, so stopping it stops
whatever it started too (gunicorn's workers); its output goes to
a log file of its own, whose end errors quote. The demo is not installed:
what it starts finds it through PYTHONPATH (gunicorn's applications and
glance-api's paste filter are in it, and so is the computes' launcher).
"""

import os
import signal
import socket
import subprocess
import time
import urllib.request

HOST = '127.0.0.1'
_LOG_TAIL_LINES = 40
# The top of the checkout, where the demo package is.
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ProcessError(Exception):
    """A process could not be started, or did not answer in time."""


def log_tail(path, lines=_LOG_TAIL_LINES):
    """The end of the log at ``path``, to quote in an error."""
    try:
        with open(path, errors='replace') as f:
            tail = f.readlines()[-lines:]
    except OSError:
        return ''
    return '; the end of %s:\n%s' % (path, ''.join(tail))


def child_env(env=None):
    """``env`` (None: ours) with the checkout's top first in PYTHONPATH."""
    env = dict(os.environ if env is None else env)
    paths = [path for path in env.get('PYTHONPATH', '').split(os.pathsep)
             if path and path != TOP]
    env['PYTHONPATH'] = os.pathsep.join([TOP] + paths)
    return env


def run(command, log_path, cwd, env=None, what=None):
    """Run ``command`` to its end, its output appended to ``log_path``."""
    with open(log_path, 'ab') as log:
        status = subprocess.call(command, stdin=subprocess.DEVNULL,
                                 stdout=log, stderr=subprocess.STDOUT,
                                 cwd=cwd, env=child_env(env))
    if status:
        raise ProcessError('%s failed (status %d)%s' % (
            what or ' '.join(command), status, log_tail(log_path)))


def free_port():
    """A port nothing listens on now, for servers that bind themselves."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def listening_socket(port=0):
    """A bound, listening socket to hand to a server; ``port`` 0: any."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(64)
    return sock


def answers_http(url):
    """A readiness check: ``url`` answers (any status)."""
    # No proxy, whatever the environment says: the servers are local.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def check():
        try:
            with opener.open(url, timeout=2):
                return True
        except urllib.request.HTTPError:
            return True
        except OSError:
            return False
    return check


def accepts_connections(port):
    """A readiness check: something accepts TCP connections on ``port``."""
    def check():
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return True
        except OSError:
            return False
    return check


def accepts_unix_connections(path):
    """A readiness check: something accepts connections on socket ``path``."""
    def check():
        with socket.socket(socket.AF_UNIX) as sock:
            try:
                sock.connect(path)
                return True
            except OSError:
                return False
    return check


class Process:
    """One long-running command: its own process group, its own log.

    ``ready`` (a callable, or None) says when it is up; start() waits for
    it, failing early if the process exits.
    """

    def __init__(self, name, command, log_path, cwd, env=None, ready=None,
                 pass_fds=(), start_timeout=120, stop_timeout=10):
        self.name = name
        self.command = command
        self.log_path = log_path
        self.cwd = cwd
        self.env = env
        self.ready = ready
        self.pass_fds = pass_fds
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self._process = None

    @property
    def pid(self):
        """The process id; None when stopped."""
        return None if self._process is None else self._process.pid

    def spawn(self):
        """Start the process; do not wait for it."""
        if self._process is not None:
            raise ProcessError('%s is already running' % self.name)
        with open(self.log_path, 'ab') as log:
            self._process = subprocess.Popen(
                self.command, env=child_env(self.env), cwd=self.cwd,
                pass_fds=self.pass_fds, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_until_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while self.ready is not None and not self.ready():
            self.check_running()
            if time.monotonic() > deadline:
                raise ProcessError('%s was not up within %d s%s' % (
                    self.name, self.start_timeout,
                    log_tail(self.log_path)))
            time.sleep(0.2)

    def check_running(self):
        status = self._process.poll()
        if status is not None:
            raise ProcessError('%s exited with status %d%s' % (
                self.name, status, log_tail(self.log_path)))

    def start(self):
        self.spawn()
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self):
        """SIGTERM to the process group; SIGKILL when it lingers."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            # Not yet reaped, so the group id is still ours alone.
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            pass
        # What the leader left behind in its group goes too.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
