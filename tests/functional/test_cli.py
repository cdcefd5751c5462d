"""The installed nova-fpga command, end to end on simulated hosts."""

import json
import os
import subprocess
import sys

import fixtures
import testtools

from nova_fpga import model
from nova_fpga import simulator

COMMAND = os.path.join(os.path.dirname(sys.executable), 'nova-fpga')


class CommandTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def run_command(self, *args):
        return subprocess.run([COMMAND, *args], capture_output=True,
                              text=True, timeout=120)

    def simulate(self, *cards):
        root = os.path.join(self.dir, 'host')
        args = ['simulate', '--root', root]
        for card in cards:
            args += ['--card', card]
        result = self.run_command(*args)
        self.assertEqual(0, result.returncode, result.stderr)
        return simulator.SimulatedHost.open(root)

    def test_simulate_then_discover_round_trips(self):
        host = self.simulate('n6000:2,vfs=3', 'd5005,vfs=1', 'c6100',
                             'pac_a10', 'n3000', 'u250', 'zynqmp')
        result = self.run_command(
            'discover', '--sysfs-root', host.sysfs_root,
            '--dev-root', host.dev_root, '--format', 'json')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(model.inventory_to_dict(host.expected()),
                         json.loads(result.stdout))

    def test_discover_lists_gpus(self):
        host = self.simulate('n6000', 'h100:2', 'rtx4090,driver=nvidia',
                             'mi210,driver=amdgpu', 'nvidia_next')
        result = self.run_command(
            'discover', '--sysfs-root', host.sysfs_root,
            '--dev-root', host.dev_root, '--format', 'json')
        self.assertEqual(0, result.returncode, result.stderr)
        found = json.loads(result.stdout)
        self.assertEqual(model.inventory_to_dict(host.expected()), found)
        self.assertEqual(
            [('h100_pcie', 'hopper'), ('h100_pcie', 'hopper'),
             ('rtx_4090', 'ada'), ('instinct_mi210', 'cdna2'),
             ('10de_2fff', None)],
            [(d['board'], d['architecture']) for d in found['devices']
             if d['family'] == 'gpu'])

    def test_table_shows_architecture_memory_and_driver(self):
        host = self.simulate('h100', 'mi210,driver=amdgpu', 'nvidia_next')
        result = self.run_command(
            'discover', '--sysfs-root', host.sysfs_root,
            '--dev-root', host.dev_root)
        self.assertEqual(0, result.returncode, result.stderr)
        rows = [[cell.strip() for cell in line.split('|')[1:-1]]
                for line in result.stdout.splitlines()
                if line.startswith('| 0000:')]
        self.assertEqual(
            [['h100_pcie', 'gpu', 'hopper', '80 GiB', 'vfio-pci'],
             ['instinct_mi210', 'gpu', 'cdna2', '64 GiB', 'amdgpu']],
            [row[2:7] for row in rows[:2]])
        # An unknown id: no architecture, and only the BAR's size.
        self.assertEqual('-', rows[2][4])
        self.assertTrue(rows[2][5].endswith(' GiB (BAR)'), rows[2][5])

    def test_a_host_with_no_cards(self):
        host = self.simulate('h100')
        for name in os.listdir(os.path.join(host.sysfs_root, 'bus', 'pci',
                                            'devices')):
            os.unlink(os.path.join(host.sysfs_root, 'bus', 'pci', 'devices',
                                   name))
        result = self.run_command('discover', '--sysfs-root',
                                  host.sysfs_root)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('No FPGA cards or GPUs found under %s.\n' %
                         host.sysfs_root, result.stdout)

    def test_config_file_sets_the_roots_and_table_lists_regions(self):
        host = self.simulate('u250', 'd5005,vfs=1')
        conf = os.path.join(self.dir, 'nova.conf')
        with open(conf, 'w') as f:
            f.write('[fpga]\nsysfs_root = %s\ndev_root = %s\n' % (
                host.sysfs_root, host.dev_root))
        result = self.run_command('discover', '--config-file', conf)
        self.assertEqual(0, result.returncode, result.stderr)
        for dev in host.expected().devices:
            self.assertIn(dev.address, result.stdout)
            self.assertIn(dev.board, result.stdout)
            for region in dev.regions:
                self.assertIn(region.interface_id, result.stdout)

    def assert_usage_error(self, result, *words):
        self.assertEqual(64, result.returncode)
        self.assertEqual('', result.stdout)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        for word in words:
            self.assertIn(word, lines[0])

    def test_missing_sysfs_root(self):
        missing = os.path.join(self.dir, 'nowhere')
        self.assert_usage_error(
            self.run_command('discover', '--sysfs-root', missing),
            missing, 'does not exist')

    def test_root_that_is_not_sysfs(self):
        self.assert_usage_error(
            self.run_command('discover', '--sysfs-root', self.dir),
            self.dir, 'not a sysfs tree')

    def test_missing_config_file(self):
        missing = os.path.join(self.dir, 'nova.conf')
        self.assert_usage_error(
            self.run_command('discover', '--config-file', missing),
            'nova.conf')

    def test_bad_card(self):
        result = self.run_command('simulate', '--root',
                                  os.path.join(self.dir, 'h'),
                                  '--card', 'n9999')
        self.assert_usage_error(result, 'n9999')
        self.assertFalse(os.path.exists(os.path.join(self.dir, 'h', 'sys')))


class NoConfigTest(testtools.TestCase):
    """A command that needs nova.conf says so when there is none."""

    def test_status_without_a_config_says_so(self):
        home = self.useFixture(fixtures.TempDir()).path
        root = os.path.join(home, 'host')
        simulator.build(root, simulator.parse_card('n6000'))
        env = dict(os.environ, HOME=home)
        result = subprocess.run(
            [COMMAND, 'status', '--sysfs-root', os.path.join(root, 'sys'),
             '--dev-root', os.path.join(root, 'dev'), '--state-dir',
             os.path.join(home, 'state')], capture_output=True, text=True,
            timeout=120, env=env, cwd=home)
        if os.path.exists('/etc/nova/nova.conf'):
            self.skipTest('this host has /etc/nova/nova.conf')
        self.assertIn('nova-fpga: warning: no --config-file and no nova.conf',
                      result.stderr)
