"""A real glance-api for the demo and the integration tests, on loopback.

Glance runs under gunicorn with sqlite and the file store; behind
keystone's middleware in the demo cloud (demo.services), or
without keystone for the tests that need Glance alone:
demo.glance_auth then tells callers apart by their token.
Everything it writes stays under one work directory::

    etc/             glance-api.conf, glance-api-paste.ini
    images/          the file store
    staging/ tasks/  Glance's own stores for image import
    glance.sqlite    the database
    glance-api.log   database sync and server output
"""

import configparser
import os
import sys

from demo import processes

HOST = processes.HOST
GlanceError = processes.ProcessError


def write_ini(path, sections):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_dict(sections)
    with open(path, 'w') as f:
        parser.write(f)


class GlanceServer(object):
    """glance-api in a gunicorn process of its own; a context manager.

    ``port`` 0 takes a free one. The listening socket is bound here and
    handed to gunicorn, so the port cannot be taken in between.
    ``keystone`` (the [keystone_authtoken] options) puts keystone's
    middleware in front instead of the demo tokens.
    """

    def __init__(self, workdir, port=0, start_timeout=60, stop_timeout=10,
                 keystone=None):
        self.workdir = os.path.abspath(workdir)
        self.port = port
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.keystone = keystone
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

    def prepare(self):
        """Write the configuration and the database; bind the port."""
        if self._process is not None:
            raise GlanceError('glance-api is already running at %s'
                              % self.url)
        os.makedirs(self.workdir, exist_ok=True)
        self._write_config()
        processes.run([sys.executable, '-m', 'glance.cmd.manage',
                       '--config-dir', self.config_dir, 'db', 'sync'],
                      self.log_path, self.workdir,
                      what='glance-manage db sync')
        sock = processes.listening_socket(self.port)
        self.port = sock.getsockname()[1]
        # Threads let a download and other calls overlap. The graceful
        # timeout stays under stop_timeout's default; without
        # --no-control-socket gunicorn opens a socket in $HOME; with no
        # keep-alive no client reuses a connection gunicorn is closing.
        self._process = processes.Process(
            'glance-api',
            [sys.executable, '-m', 'gunicorn',
             '--bind', 'fd://%d' % sock.fileno(),
             '--workers', '1', '--threads', '4',
             '--graceful-timeout', '5', '--no-control-socket',
             '--keep-alive', '0', 'glance.wsgi.api:application'],
            self.log_path, self.workdir,
            env=dict(os.environ, OS_GLANCE_CONFIG_DIR=self.config_dir),
            ready=processes.answers_http(self.url + '/versions'),
            pass_fds=(sock.fileno(),), start_timeout=self.start_timeout,
            stop_timeout=self.stop_timeout)
        self._socket = sock
        return self._process

    def start(self):
        process = self.prepare()
        try:
            process.spawn()
        finally:
            self._socket.close()
        try:
            process.wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self):
        """Stop gunicorn and its worker; kill them if they linger."""
        process, self._process = self._process, None
        if process is not None:
            process.stop()

    def _write_config(self):
        os.makedirs(self.config_dir, exist_ok=True)
        paste_ini = os.path.join(self.config_dir, 'glance-api-paste.ini')
        write_ini(paste_ini, _paste_sections())
        sections = _api_sections(self.workdir, paste_ini)
        if self.keystone:
            sections['keystone_authtoken'] = self.keystone
            sections['paste_deploy']['flavor'] = 'keystone'
        write_ini(os.path.join(self.config_dir, 'glance-api.conf'), sections)


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
        # Glance's name for the pipeline of the "keystone" flavor.
        'pipeline:glance-api-keystone': {
            'pipeline': 'versionnegotiation authtoken keystonecontext '
                        'rootapp'},
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
        'filter:authtoken': {
            'paste.filter_factory': 'keystonemiddleware.auth_token:'
                                    'filter_factory',
            'delay_auth_decision': 'true'},
        'filter:keystonecontext': {
            'paste.filter_factory': 'glance.api.middleware.context:'
                                    'ContextMiddleware.factory'},
        'filter:context': {
            'paste.filter_factory': 'demo.glance_auth:'
                                    'TokenContextMiddleware.factory'},
    }
