"""A real glance-api for the demo and the integration tests, on loopback.

Glance runs under gunicorn with sqlite and the file store, and without
keystone: nova_fpga.demo.glance_auth tells callers apart by their token.
Everything it writes stays under one work directory::

    etc/             glance-api.conf, glance-api-paste.ini
    images/          the file store
    staging/ tasks/  Glance's own stores for image import
    glance.sqlite    the database
    glance-api.log   database sync and server output
"""

import configparser
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

HOST = '127.0.0.1'
_LOG_TAIL_LINES = 40


class GlanceError(Exception):
    """glance-api could not be set up, or did not answer in time."""


def _write_ini(path, sections):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_dict(sections)
    with open(path, 'w') as f:
        parser.write(f)


class GlanceServer(object):
    """glance-api in a gunicorn process of its own; a context manager.

    ``port`` 0 takes a free one. The listening socket is bound here and
    handed to gunicorn, so the port cannot be taken in between.
    """

    def __init__(self, workdir, port=0, start_timeout=60, stop_timeout=10):
        self.workdir = os.path.abspath(workdir)
        self.port = port
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.config_dir = os.path.join(self.workdir, 'etc')
        self.log_path = os.path.join(self.workdir, 'glance-api.log')
        self._process = None

    @property
    def url(self):
        return 'http://%s:%d' % (HOST, self.port)

    @property
    def pid(self):
        """The gunicorn master's process id; None when stopped."""
        return None if self._process is None else self._process.pid

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        if self._process is not None:
            raise GlanceError('glance-api is already running at %s'
                              % self.url)
        self._write_config()
        self._sync_database()
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((HOST, self.port))
            sock.listen(64)
            self.port = sock.getsockname()[1]
            self._process = self._spawn(sock.fileno())
        try:
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise

    def stop(self):
        """Stop gunicorn and its worker; kill them if they linger."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            # Not yet reaped, so the group id is still ours alone.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def _write_config(self):
        os.makedirs(self.config_dir, exist_ok=True)
        paste_ini = os.path.join(self.config_dir, 'glance-api-paste.ini')
        _write_ini(paste_ini, _paste_sections())
        _write_ini(os.path.join(self.config_dir, 'glance-api.conf'),
                   _api_sections(self.workdir, paste_ini))

    def _sync_database(self):
        with open(self.log_path, 'ab') as log:
            status = subprocess.call(
                [sys.executable, '-m', 'glance.cmd.manage',
                 '--config-dir', self.config_dir, 'db', 'sync'],
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd=self.workdir)
        if status:
            raise GlanceError('glance-manage db sync failed (status %d)%s'
                              % (status, self._log_tail()))

    def _spawn(self, fd):
        # Threads let a download and other calls overlap. The graceful
        # timeout stays under stop_timeout's default; without
        # --no-control-socket gunicorn opens a socket in $HOME.
        command = [sys.executable, '-m', 'gunicorn',
                   '--bind', 'fd://%d' % fd,
                   '--workers', '1', '--threads', '4',
                   '--graceful-timeout', '5', '--no-control-socket',
                   'glance.wsgi.api:application']
        env = dict(os.environ, OS_GLANCE_CONFIG_DIR=self.config_dir)
        with open(self.log_path, 'ab') as log:
            # A session of its own: stop() can kill the whole group.
            return subprocess.Popen(
                command, env=env, cwd=self.workdir, pass_fds=(fd,),
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_until_answering(self):
        # No proxy, whatever the environment says: the server is local.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + self.start_timeout
        while True:
            status = self._process.poll()
            if status is not None:
                raise GlanceError('glance-api exited with status %d%s'
                                  % (status, self._log_tail()))
            try:
                with opener.open(self.url + '/versions', timeout=2):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise GlanceError(
                    'glance-api did not answer at %s within %d s%s'
                    % (self.url, self.start_timeout, self._log_tail()))
            time.sleep(0.2)

    def _log_tail(self):
        try:
            with open(self.log_path, errors='replace') as f:
                lines = f.readlines()[-_LOG_TAIL_LINES:]
        except OSError:
            return ''
        return '; the end of %s:\n%s' % (self.log_path, ''.join(lines))


def _api_sections(workdir, paste_ini):
    def path(name):
        return os.path.join(workdir, name)

    return {
        # The file store as one of "enabled_backends": the single-store
        # options ([glance_store] stores, default_store) are deprecated.
        'DEFAULT': {'enabled_backends': 'files:file'},
        'glance_store': {'default_backend': 'files'},
        'files': {'filesystem_store_datadir': path('images')},
        'os_glance_staging_store': {
            'filesystem_store_datadir': path('staging')},
        'os_glance_tasks_store': {'filesystem_store_datadir': path('tasks')},
        'database': {'connection': 'sqlite:///' + path('glance.sqlite')},
        # No flavor: the "default" pipeline below, without keystone.
        'paste_deploy': {'flavor': '', 'config_file': paste_ini},
    }


def _paste_sections():
    return {
        'composite:glance-api': {
            'paste.composite_factory': 'glance.api:root_app_factory',
            '/': 'api'},
        'composite:api': {
            'paste.composite_factory': 'glance.api:pipeline_factory',
            'default': 'versionnegotiation context rootapp'},
        'composite:rootapp': {
            'paste.composite_factory': 'glance.api:root_app_factory',
            '/': 'apiversions',
            '/v2': 'apiv2app'},
        'app:apiversions': {
            'paste.app_factory': 'glance.api.versions:create_resource'},
        'app:apiv2app': {
            'paste.app_factory': 'glance.api.v2.router:API.factory'},
        'filter:versionnegotiation': {
            'paste.filter_factory': 'glance.api.middleware.'
                                    'version_negotiation:'
                                    'VersionNegotiationFilter.factory'},
        'filter:context': {
            'paste.filter_factory': 'nova_fpga.demo.glance_auth:'
                                    'TokenContextMiddleware.factory'},
    }
