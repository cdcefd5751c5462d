"""The metadefs load into the tests' real Glance and read back through it.
"""

import json
import os
import subprocess
import sys

import testtools

from demo import identity
from demo import images
from tests.integration import base

METADEFS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'etc', 'metadefs')


class MetadefsTest(testtools.TestCase):

    def test_db_load_metadefs_then_read_through_the_api(self):
        server = self.useFixture(base.GlanceFixture()).server
        result = subprocess.run(
            [sys.executable, '-m', 'glance.cmd.manage', '--config-dir',
             server.config_dir, 'db_load_metadefs', METADEFS],
            capture_output=True, text=True, timeout=300)
        self.assertEqual(0, result.returncode, result.stderr)
        glance = images.client(server.url, identity.make_token('u', 'p'))
        for name in sorted(os.listdir(METADEFS)):
            with open(os.path.join(METADEFS, name)) as f:
                expected = json.load(f)
            found = glance.metadefs_namespace.get(expected['namespace'])
            self.assertEqual(expected['display_name'], found['display_name'])
            self.assertEqual(
                sorted((a['name'], a.get('prefix')) for a in
                       expected['resource_type_associations']),
                sorted((a['name'], a.get('prefix')) for a in
                       found['resource_type_associations']))
            self.assertEqual(
                {key: (prop['type'], prop.get('pattern'))
                 for key, prop in expected['properties'].items()},
                {key: (prop['type'], prop.get('pattern'))
                 for key, prop in found['properties'].items()})
