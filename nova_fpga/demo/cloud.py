"""A small FPGA cloud in one process, on loopback, for the demo and tests.

Nova's API, conductor and scheduler, real Placement and nova-compute
services running our driver on simulated FPGA hosts, all in process
through Nova's own functional-test base (fakelibvirt stands in for
libvirt); and a real Glance (nova_fpga.demo.glance) that Nova's image
API reaches over HTTP with each request's token.

The base is a testtools TestCase: its setUp starts the services and each
cleanup it registers stops one. It is Nova's only way to run its services
together in one process, so the demo runs the cloud as a test (setUp, the
demo, the cleanups, which testtools runs after errors and Ctrl-C too) and
the integration tests subclass it.
"""

import logging
import os
import sys

import fixtures
from nova import context as nova_context
from nova.tests.functional.api import client
from nova.tests.functional.libvirt import base
import webob.exc

from nova_fpga.demo import glance
from nova_fpga.demo import identity
from nova_fpga.demo import images
from nova_fpga import privsep
from nova_fpga import simulator
from nova_fpga.virt import driver

LOG_FILE = 'nova.log'


def log_handler(path):
    """Where the cloud's log goes: a file, INFO and up."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(
        '%(asctime)s %(levelname)s [%(name)s] %(message)s'))
    handler.setLevel(logging.INFO)
    return handler


class TokenClient(client.TestOpenStackClient):
    """Nova's API client that authenticates with a demo token only."""

    def __init__(self, base_url, user, project, roles=()):
        super().__init__(user, base_url, project_id=project)
        self.token = identity.make_token(user, project, roles)
        self.microversion = 'latest'

    def request(self, url, method='GET', body=None, headers=None):
        headers = dict(headers or {})
        headers['X-Auth-Token'] = self.token
        return super().request(url, method=method, body=body,
                               headers=headers)


def _context_from_token(env, **kwargs):
    """Who the token names, as keystone's middleware would leave it."""
    try:
        user, project, roles = identity.parse_token(
            env.get('HTTP_X_AUTH_TOKEN', ''))
    except ValueError as e:
        raise webob.exc.HTTPUnauthorized(explanation=str(e))
    return images.request_context(user, project, roles, **kwargs)


class LogToFile(fixtures.Fixture):
    """Everything logged, warnings too, to a file instead."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def _setUp(self):
        self.useFixture(fixtures.LogHandler(log_handler(self.path),
                                            level=logging.INFO))
        logging.captureWarnings(True)
        self.addCleanup(logging.captureWarnings, False)
        # Nova's services would set logging up again when they start.
        self.useFixture(fixtures.MonkeyPatch('oslo_log.log.setup',
                                             lambda *args, **kwargs: None))


class RealGlance(fixtures.Fixture):
    """Instead of Nova's GlanceFixture: glance-api, reached over HTTP."""

    def __init__(self, test):
        super().__init__()
        self.test = test

    def _setUp(self):
        self.server = glance.GlanceServer(
            os.path.join(self.test.workdir, 'glance'))
        self.addCleanup(self.server.stop)
        self.server.start()
        images.use_glance(self.server.url)


class Cloud(base.ServersTestBase):
    """The control plane at setUp; computes come with start_fpga_compute.

    ``workdir`` (set before setUp; a temporary directory otherwise) holds
    what the cloud writes: Glance's files, the simulated hosts, the
    bitstream cache, per-card locks and nova.log.
    """

    workdir = None

    def setUp(self):
        if self.workdir is None:
            self.workdir = self.useFixture(fixtures.TempDir()).path
        # Before anything logs, and stopped last.
        self.useFixture(LogToFile(os.path.join(self.workdir, LOG_FILE)))
        self.useFixture(fixtures.MonkeyPatch(
            'nova.tests.fixtures.StandardLogging', fixtures.Fixture))
        self.useFixture(fixtures.MonkeyPatch(
            'nova.tests.fixtures.GlanceFixture', RealGlance))
        # The nova wheel installs api-paste.ini under sys.prefix, not where
        # Nova's config fixture looks for it.
        self.flags(api_paste_config=os.path.join(
            sys.prefix, 'etc', 'nova', 'api-paste.ini'), group='wsgi')
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'nova.api.auth.NovaKeystoneContext._create_context',
            _context_from_token))
        driver.register_alias()
        self.addCleanup(sys.modules.pop, 'nova.virt.' + driver.ALIAS)
        self.flags(compute_driver=driver.ALIAS + '.FPGALibvirtDriver')
        # Nothing privileged happens on a simulated host.
        privsep.sys_admin_pctxt.set_client_mode(False)
        self.addCleanup(privsep.sys_admin_pctxt.set_client_mode, True)
        # One simulator root for every host: each call of privileged code
        # acts on the host whose tree holds the path it is given.
        self.flags(simulator_root=self._path('hosts'),
                   bitstream_cache_dir=self._path('bitstream-cache'),
                   lock_path=self._path('locks'), group='fpga')
        self.fpga_hosts = {}

    def _path(self, name):
        path = os.path.join(self.workdir, name)
        os.makedirs(path, exist_ok=True)
        return path

    @property
    def glance_url(self):
        return self.glance.server.url

    def client(self, user, project, roles=()):
        """A Nova API client for ``user`` of ``project``."""
        return TokenClient(self.api_fixture.base_url, user, project, roles)

    def update_resources(self):
        """Run every compute's periodic resource update now.

        A region's function trait follows programming at the compute's
        next resource update: this one, or a claim's.
        """
        context = nova_context.get_admin_context()
        for compute in self.computes.values():
            compute.manager.update_available_resource(context)

    def start_fpga_compute(self, hostname, *cards):
        """Start nova-compute on a new simulated host with ``cards``."""
        host = simulator.build(
            os.path.join(self.workdir, 'hosts', hostname),
            [spec for text in cards for spec in simulator.parse_card(text)])
        self.flags(sysfs_root=host.sysfs_root, dev_root=host.dev_root,
                   state_dir=os.path.join(host.root, 'state'), group='fpga')
        self.start_compute(hostname)
        self.fpga_hosts[hostname] = host
        return host
