"""``nova-fpga program`` against the real Glance: Glance decides visibility.

The installed command runs on a simulated host with a nova.conf of its
own, and authenticates with keystoneauth's admin_token plugin carrying
the demo Glance's token. No Placement answers here, so the in-use check
is met as "cannot tell", and --force passes it.
"""

import json
import os
import subprocess
import sys

import fixtures
import testtools

from demo import identity
from demo import images
from nova_fpga import simulator
from tests.integration import base

COMMAND = os.path.join(os.path.dirname(sys.executable), 'nova-fpga')
AFU = '0123456789abcdef0123456789abcdef'
REGION = '0000:10:00.0_port0'


class ProgramTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.glance = self.useFixture(base.GlanceFixture()).server
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.host = simulator.build(
            os.path.join(self.dir, 'host'), simulator.parse_card('n6000'))
        self.conf = os.path.join(self.dir, 'nova.conf')
        with open(self.conf, 'w') as f:
            f.write('[glance]\nendpoint_override = %s\n[fpga]\n'
                    'sysfs_root = %s\ndev_root = %s\nsimulator_root = %s\n'
                    'state_dir = %s/state\nbitstream_cache_dir = %s/cache\n'
                    'lock_path = %s/locks\n' % (
                        self.glance.url, self.host.sysfs_root,
                        self.host.dev_root, self.host.root, self.dir,
                        self.dir, self.dir))
        path = os.path.join(self.dir, 'nlb.gbs')
        with open(path, 'wb') as f:
            f.write(simulator.make_gbs(simulator.INTERFACE_IDS['n6000'], AFU))
        self.image = images.upload_bitstream(
            self.glance.url, identity.make_token('alice', 'lab'), path,
            'nlb-private', 'intel', simulator.INTERFACE_IDS['n6000'], AFU,
            'nlb')

    def program(self, project, *extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        return subprocess.run(
            [COMMAND, 'program', '--config-file', self.conf, '--region',
             REGION, '--bitstream', self.image['id'], '--node', 'compute',
             '--os-auth-type', 'admin_token', '--os-endpoint',
             self.glance.url, '--os-token',
             identity.make_token('someone', project), '--project', project,
             *extra], capture_output=True, text=True, timeout=300, env=env)

    def test_the_owner_programs_its_private_bitstream(self):
        result = self.program('lab', '--force', '--format', 'json')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('programmed', json.loads(result.stdout)['outcome'])
        self.assertEqual(AFU, self.host.expected().devices[0].regions[0]
                         .function_id)
        self.assertIn('Downloading bitstream image %s (nlb-private)' %
                      self.image['id'], result.stderr)

    def test_another_project_cannot_see_it(self):
        result = self.program('other', '--force')
        self.assertEqual(3, result.returncode, result.stderr)
        self.assertEqual(
            'nova-fpga: error: FPGA region 0000:10:00.0 port0, bitstream '
            'image %s: no such image, or not visible to the project' %
            self.image['id'], result.stderr.strip().splitlines()[-1])
        self.assertNotEqual(AFU, self.host.expected().devices[0].regions[0]
                            .function_id)

    def test_without_placement_the_region_is_not_touched(self):
        result = self.program('lab')
        self.assertEqual(5, result.returncode, result.stderr)
        self.assertIn('cannot tell whether an instance holds it',
                      result.stderr)
