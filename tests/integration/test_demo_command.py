"""``python -m nova_fpga.demo`` as a person runs it, and what it leaves.

Each run gets a TMPDIR of its own: the demo must leave it as it found it
(a failed run leaves its log there, nothing else), and no process of its
(gunicorn) may outlive it.
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

from nova_fpga.demo import run
from tests.integration import base

TIMEOUT = 240
# Simulated partial reconfiguration fails on every card: servers go to
# ERROR at boot.
BROKEN_PROGRAMMING = textwrap.dedent('''
    import errno
    import runpy

    from nova_fpga import simulator

    build = simulator.build


    def broken(*args, **kwargs):
        host = build(*args, **kwargs)
        for device in host.expected().devices:
            for op in ('pr', 'program'):
                host.inject_fault(device.address, op, errno.EIO, count=99)
        return host


    simulator.build = broken
    runpy.run_module('nova_fpga.demo', run_name='__main__')
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
        argv = argv or ('-m', 'nova_fpga.demo')
        return subprocess.Popen(
            [sys.executable, *argv], env=dict(os.environ, TMPDIR=self.tmp),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)

    def assertNothingLeft(self, *files):
        self.assertEqual(sorted(files), sorted(os.listdir(self.tmp)))
        self.assertEqual([], base.alive(processes_under(self.tmp), grace=5))

    def test_runs_every_step_and_prints_the_summary(self):
        demo = self.start()
        out, _ = demo.communicate(timeout=TIMEOUT)
        self.assertEqual(0, demo.returncode, out)
        steps = re.findall(r'^\[ ?(\d+)/(\d+)\] .* \.\.\. (.*) \(\d+\.\d s\)$',
                           out, re.MULTILINE)
        self.assertEqual([str(n) for n in range(1, run.TOTAL + 1)],
                         [number for number, _, _ in steps])
        self.assertNotIn(run.FAILED, [result for _, _, result in steps])
        self.assertIn('\nSummary\n', out)
        self.assertIn('%d of %d steps passed.' % (run.TOTAL, run.TOTAL), out)
        self.assertRegex(out, r'First server ACTIVE: \d+\.\d s after')
        self.assertRegex(out, r'Whole demo: \d+\.\d s\.')
        self.assertNothingLeft()

    def test_ctrl_c_stops_everything_and_removes_the_work_directory(self):
        demo = self.start()
        for line in demo.stdout:
            # Glance and both computes run; a server is being booted.
            if line.startswith('[ 9/'):
                break
        children = psutil.Process(demo.pid).children(recursive=True)
        self.assertIn('gunicorn', ' '.join(
            ' '.join(p.cmdline()) for p in children))
        demo.send_signal(signal.SIGINT)
        out, _ = demo.communicate(timeout=TIMEOUT)
        self.assertEqual(128 + signal.SIGINT, demo.returncode, out)
        self.assertIn('Interrupted; stopped what the demo started.', out)
        self.assertNotIn('Summary', out)
        self.assertEqual([], base.alive(children, grace=5))
        self.assertNothingLeft()

    def test_a_failing_step_fails_the_command_and_keeps_the_log(self):
        demo = self.start('-c', BROKEN_PROGRAMMING)
        out, _ = demo.communicate(timeout=TIMEOUT)
        self.assertEqual(1, demo.returncode, out)
        self.assertRegex(out, r'\n\[ 9/\d+\] Booting fpga-by-id: .* \.\.\. '
                              r'FAILED \(\d+\.\d s\)\n +server fpga-by-id '
                              r'is ERROR: ')
        # Nothing runs after the failed step.
        self.assertNotIn('[10/', out)
        self.assertIn('8 of %d steps passed.' % run.TOTAL, out)
        log = re.search(r"^Nova's log: (.*)$", out, re.MULTILINE).group(1)
        self.assertEqual(self.tmp, os.path.dirname(log))
        with open(log) as f:
            self.assertIn('Input/output error', f.read())
        self.assertNothingLeft(os.path.basename(log))
