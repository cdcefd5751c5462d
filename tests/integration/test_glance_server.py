"""The demo's glance-api process: start, answer, stop, fail clearly."""

import json
import os
import urllib.request

import fixtures
import testtools

from demo import glance
from tests.integration import base


def get_versions(url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url + '/versions', timeout=10) as response:
        return response.status, json.load(response)


class GlanceServerTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.workdir = self.useFixture(fixtures.TempDir()).path

    def test_answers_on_loopback_and_stop_ends_every_process(self):
        server = glance.GlanceServer(self.workdir)
        with server:
            self.assertTrue(server.url.startswith('http://127.0.0.1:'))
            self.assertNotEqual(0, server.port)
            status, body = get_versions(server.url)
            self.assertEqual(200, status)
            self.assertIn('versions', body)
            processes = base.processes_in(self.workdir)
            # The gunicorn master and its worker.
            self.assertEqual(2, len(processes))
        self.assertIsNone(server.pid)
        self.assertEqual([], base.alive(processes))
        self.assertRaises(OSError, get_versions, server.url)

    def test_stop_kills_a_server_that_does_not_exit_in_time(self):
        server = glance.GlanceServer(self.workdir, stop_timeout=1)
        self.addCleanup(server.stop)
        server.start()
        processes = base.processes_in(self.workdir)
        self.assertEqual(2, len(processes))
        # Stopped processes leave SIGTERM pending; only SIGKILL ends them.
        for process in processes:
            process.suspend()
        server.stop()
        # A killed worker goes once the kernel has torn it down.
        self.assertEqual([], base.alive(processes, grace=5))

    def test_failed_start_shows_the_log_and_leaves_nothing(self):
        # A pipeline whose filter cannot be imported: the worker cannot
        # load the application and gunicorn gives up.
        sections = glance._paste_sections()
        sections['filter:context']['paste.filter_factory'] = (
            'demo.absent:Middleware.factory')
        self.useFixture(fixtures.MockPatch(
            'demo.glance._paste_sections', return_value=sections))
        server = glance.GlanceServer(self.workdir, start_timeout=30)
        self.addCleanup(server.stop)
        error = self.assertRaises(glance.GlanceError, server.start)
        self.assertIn('glance-api exited', str(error))
        self.assertIn('the end of %s' % server.log_path, str(error))
        self.assertIn('demo.absent', str(error))
        self.assertIsNone(server.pid)
        self.assertEqual([], base.processes_in(self.workdir))

    def test_failed_database_sync_shows_the_log(self):
        os.mkdir(os.path.join(self.workdir, 'glance.sqlite'))
        server = glance.GlanceServer(self.workdir)
        self.addCleanup(server.stop)
        error = self.assertRaises(glance.GlanceError, server.start)
        self.assertIn('glance-manage db sync failed', str(error))
        self.assertIn('unable to open database file', str(error))
        self.assertIsNone(server.pid)
