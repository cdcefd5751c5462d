"""``python -m demo`` as a person runs it, and what it leaves.

Each run gets a TMPDIR of its own: the demo must leave it as it found it
(a failed run leaves its logs there, nothing else), and no process of its
(the cloud's services) may outlive it.
"""

import os
import re
import signal
import subprocess
import sys
import textwrap

import fixtures
import psutil
import testtools

from demo import run
from tests.integration import base

# The whole demo runs in --serve, beside the other integration tests.
TIMEOUT = 600
# The cloud cannot register its services in keystone: step 1 fails.
BROKEN_START = textwrap.dedent('''
    import runpy

    from demo import services


    def broken(self):
        raise RuntimeError('no catalog today')


    services.Cloud._register = broken
    runpy.run_module('demo', run_name='__main__')
''')


def processes_under(directory):
    """Processes of this machine whose working directory is in there."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.cwd().startswith(directory + os.sep):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return found


class DemoCommandTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.Timeout(TIMEOUT, gentle=True))
        self.tmp = os.path.realpath(self.useFixture(fixtures.TempDir()).path)

    def start(self, *argv):
        argv = argv or ('-m', 'demo')
        return subprocess.Popen(
            [sys.executable, *argv], env=dict(os.environ, TMPDIR=self.tmp),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)

    def assertNothingLeft(self, *files):
        self.assertEqual(sorted(files), sorted(os.listdir(self.tmp)))
        self.assertEqual([], base.alive(processes_under(self.tmp), grace=5))

    def interrupt_at_the_second_step(self, signum):
        demo = self.start()
        for line in demo.stdout:
            # Every service of the control plane runs.
            if line.startswith('[ 2/'):
                break
        children = psutil.Process(demo.pid).children(recursive=True)
        commands = ' '.join(' '.join(p.cmdline()) for p in children)
        # The conductor is demo.conductor until it names itself
        # nova-conductor.
        for name in ('gunicorn', 'rabbitmq', 'conductor', 'nova-scheduler'):
            self.assertIn(name, commands)
        demo.send_signal(signum)
        out, _ = demo.communicate(timeout=TIMEOUT)
        self.assertEqual(128 + signum, demo.returncode, out)
        self.assertIn('Interrupted; stopped what the demo started.', out)
        self.assertNotIn('Summary', out)
        self.assertEqual([], base.alive(children, grace=5))
        self.assertNothingLeft()

    def test_ctrl_c_stops_everything_and_removes_the_work_directory(self):
        self.interrupt_at_the_second_step(signal.SIGINT)

    def test_sigterm_stops_everything_too(self):
        self.interrupt_at_the_second_step(signal.SIGTERM)

    def test_a_failing_step_fails_the_command_and_keeps_the_logs(self):
        demo = self.start('-c', BROKEN_START)
        out, _ = demo.communicate(timeout=TIMEOUT)
        self.assertEqual(1, demo.returncode, out)
        self.assertRegex(out, r'\n\[ 1/\d+\] Starting .* \.\.\. '
                              r'\n(.*\n)*.* FAILED \(\d+\.\d s\)\n +'
                              r'no catalog today\n')
        # Nothing runs after the failed step.
        self.assertNotIn('[ 2/', out)
        self.assertIn('0 of %d steps passed.' % run.TOTAL, out)
        logs = re.search(r"^The logs: (.*)$", out, re.MULTILINE).group(1)
        self.assertEqual(self.tmp, os.path.dirname(logs))
        with open(os.path.join(logs, 'demo.log')) as f:
            self.assertIn('no catalog today', f.read())
        self.assertIn('keystone.log', os.listdir(logs))
        self.assertNothingLeft(os.path.basename(logs))

    def test_serve_leaves_the_cloud_running_until_ctrl_c(self):
        demo = self.start('-m', 'demo', '--serve')
        said = []
        for line in demo.stdout:
            said.append(line)
            if line.startswith('    export OS_CLIENT_CONFIG_FILE='):
                clouds_yaml = line.split('=', 1)[1].strip()
            if 'openstack resource provider list' in line:
                break
        out = ''.join(said)
        self.assertIn('The cloud is up', out)
        env = dict(os.environ, OS_CLIENT_CONFIG_FILE=clouds_yaml)
        openstack = os.path.join(os.path.dirname(sys.executable),
                                 'openstack')
        providers = subprocess.run(
            [openstack, '--os-cloud', 'admin', 'resource', 'provider',
             'list', '-f', 'value', '-c', 'name'], env=env,
            capture_output=True, text=True, timeout=120)
        self.assertEqual(0, providers.returncode, providers.stderr)
        self.assertIn('_FPGA_', providers.stdout)
        children = psutil.Process(demo.pid).children(recursive=True)
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=TIMEOUT)
        self.assertEqual(0, demo.returncode, out + rest)
        self.assertIn('%d of %d steps passed.' % (run.TOTAL, run.TOTAL),
                      rest)
        self.assertNotIn('Interrupted', rest)
        self.assertEqual([], base.alive(children, grace=5))
        self.assertNothingLeft()
