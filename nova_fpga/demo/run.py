"""One run of the demo: start the cloud, run the steps, stop everything.

Everything lives in one temporary directory (TMPDIR points there too, so
Nova's own temporary files do) that is removed at the end, also after a
failure, Ctrl-C or SIGTERM; ``--keep`` keeps it. After a failure Nova's
log is kept beside it and its path printed.
"""

import argparse
import logging
import os
import shutil
import signal
import tempfile
import time

import testtools

from nova_fpga.demo import cloud
from nova_fpga.demo import output
from nova_fpga.demo import steps

LOG = logging.getLogger(__name__)
START_TITLE = 'Starting Glance, Placement, Nova API, conductor, scheduler'
TOTAL = 1 + len(steps.STEPS)
FAILED = 'FAILED'


class Outcome:
    """What a Run did, kept apart: Nova's base clears a test's attributes."""

    def __init__(self):
        # (number, title, result, seconds) of each step that ran.
        self.done = []
        self.first_active = None

    @property
    def failed(self):
        return any(line == FAILED for _, _, line, _ in self.done)


class Run(cloud.Cloud):
    """The demo as the one test of a Cloud.

    setUp is step 1; the test runs the other steps until one fails; the
    cleanups testtools runs afterwards, whatever happened (Ctrl-C too),
    stop the cloud.
    """

    def __init__(self, workdir, progress, outcome):
        super().__init__()
        self.workdir = workdir
        self.progress = progress
        self.outcome = outcome

    def _step(self, number, title, function):
        self.progress.begin(number, title)
        began = time.monotonic()
        try:
            result = function()
        except Exception as e:
            LOG.exception('Step %d, %s, failed', number, title)
            self._record(number, title, FAILED, began)
            self.progress.show(str(e))
            return
        self._record(number, title, result.line, began)
        for text in result.tables:
            self.progress.show(text)

    def _record(self, number, title, line, began):
        seconds = time.monotonic() - began
        self.progress.end(line, seconds)
        self.outcome.done.append((number, title, line, seconds))

    def _start(self):
        super(Run, self).setUp()
        return steps.Result('Glance at %s' % self.glance_url)

    def setUp(self):
        # A failure is shown as the step's; runTest then does nothing.
        self._step(1, START_TITLE, self._start)

    def runTest(self):
        if self.outcome.failed:
            return
        demo = steps.Demo(self)
        try:
            for number, step in enumerate(steps.STEPS, 2):
                self._step(number, step.title, lambda: step(demo))
                if self.outcome.failed:
                    return
        finally:
            self.outcome.first_active = demo.first_active


class StopOnSignal:
    """SIGINT and SIGTERM raise KeyboardInterrupt, the first one only."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.received = None
        for sig in self.SIGNALS:
            signal.signal(sig, self)

    def __call__(self, signum, frame):
        # Later ones must not cut the clean-up short.
        for sig in self.SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        self.received = signum
        raise KeyboardInterrupt


def _log_to(path):
    """The process's log, the cloud's own start and stop included."""
    root = logging.getLogger()
    root.handlers[:] = [cloud.log_handler(path)]
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)


def _summary(outcome, started, errors):
    passed = sum(line != FAILED for _, _, line, _ in outcome.done)
    lines = ['', 'Summary', output.table(
        ('#', 'step', 'result', 'seconds'),
        [(n, title, FAILED if line == FAILED else 'ok', '%.1f' % s)
         for n, title, line, s in outcome.done]),
        '%d of %d steps passed.' % (passed, TOTAL)]
    if outcome.first_active:
        lines.append('First server ACTIVE: %.1f s after the start.' % (
            outcome.first_active - started))
    lines.append('Whole demo: %.1f s.' % (time.monotonic() - started))
    lines += ['Stopping the cloud failed: %s' % error.strip().splitlines()[-1]
              for error in errors]
    return '\n'.join(lines)


def _parser():
    parser = argparse.ArgumentParser(
        prog='python -m nova_fpga.demo',
        description='Run a small FPGA cloud on this machine (loopback '
                    'only) and show it working.')
    parser.add_argument('--keep', action='store_true',
                        help='keep the work directory for inspection')
    return parser


def _run(workdir, progress, started):
    """The exit status: 0 when every step and the clean-up went well."""
    outcome = Outcome()
    result = testtools.TestResult()
    Run(workdir, progress, outcome).run(result)
    # Steps show their own failures; these come from the clean-up.
    errors = [error for _, error in result.errors + result.failures]
    for error in errors:
        LOG.error('%s', error)
    progress.say(_summary(outcome, started, errors))
    return 1 if outcome.failed or errors else 0


def main(started):
    """Run the demo; its exit status. Times count from ``started``."""
    args = _parser().parse_args()
    progress = output.Progress(TOTAL)
    workdir = tempfile.mkdtemp(prefix='nova-fpga-demo-')
    log_path = os.path.join(workdir, cloud.LOG_FILE)
    signals = StopOnSignal()
    status = 1
    try:
        tempfile.tempdir = os.environ['TMPDIR'] = workdir
        _log_to(log_path)
        progress.say('Work directory: %s' % workdir)
        status = _run(workdir, progress, started)
    except KeyboardInterrupt:
        pass
    finally:
        if signals.received:
            status = 128 + signals.received
            progress.say('\nInterrupted; stopped what the demo started.')
        if args.keep:
            progress.say('Kept %s; Nova logged to %s' % (workdir, log_path))
        else:
            if status == 1 and os.path.exists(log_path):
                shutil.move(log_path, workdir + '.log')
                progress.say("Nova's log: %s.log" % workdir)
            shutil.rmtree(workdir, ignore_errors=True)
    return status
