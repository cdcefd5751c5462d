"""One run of the demo: start the cloud, run the steps, stop everything.

Everything lives in one temporary directory (TMPDIR points there too, so
the services' temporary files do) that is removed at the end, also after
a failure, Ctrl-C or SIGTERM; ``--keep`` keeps it. After a failure the
services' logs (one file each) are kept beside it and their directory
printed.
"""

import argparse
import logging
import os
import shutil
import signal
import tempfile
import time

from demo import output
from demo import scenario
from demo import services
from demo import steps

LOG = logging.getLogger(__name__)
START_TITLE = ('Starting RabbitMQ, keystone, Placement, Glance, Nova API, '
               'conductor, scheduler')
TOTAL = 1 + len(steps.STEPS)
FAILED = 'FAILED'


class Outcome:
    """What a Run did."""

    def __init__(self):
        # (number, title, result, seconds) of each step that ran.
        self.done = []
        self.first_active = None

    @property
    def failed(self):
        return any(line == FAILED for _, _, line, _ in self.done)


class Run:
    """The demo: step 1 starts the cloud, the others run until one fails."""

    def __init__(self, cloud, progress, outcome):
        self.cloud = cloud
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
        self.cloud.start()
        self.cloud.add_person(*scenario.USER)
        self.cloud.add_person(*scenario.OTHER)
        return steps.Result('%d processes; keystone at %s' % (
            len(self.cloud.processes), self.cloud.urls['keystone']))

    def run(self):
        self._step(1, START_TITLE, self._start)
        if self.outcome.failed:
            return
        demo = steps.Demo(self.cloud)
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


SERVING = """
The cloud is up, without the demo's own servers, flavors and images; it
runs until Ctrl-C. From another shell:

    export OS_CLIENT_CONFIG_FILE=%(clouds_yaml)s
    export OS_CLOUD=%(user)s      # or %(admin)s, the operator
    openstack server list
    openstack resource provider list
"""


def _log_to(path):
    """The demo's own log; each service has one of its own."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(
        '%(asctime)s %(levelname)s [%(name)s] %(message)s'))
    root = logging.getLogger()
    root.handlers[:] = [handler]
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
    lines += ['Stopping the cloud failed: %s' % error for error in errors]
    return '\n'.join(lines)


def _parser():
    parser = argparse.ArgumentParser(
        prog='python -m demo',
        description='Run a small FPGA cloud on this machine (loopback '
                    'only) and show it working.')
    parser.add_argument('--keep', action='store_true',
                        help='keep the work directory for inspection')
    parser.add_argument('--serve', action='store_true',
                        help='after the steps, leave the cloud running for '
                             'the openstack client until Ctrl-C')
    return parser


def _serve(cloud, progress):
    """Say how to reach the cloud; wait for Ctrl-C or SIGTERM."""
    progress.say(SERVING % {'clouds_yaml': cloud.clouds_yaml,
                            'user': scenario.USER.user,
                            'admin': scenario.OPERATOR.user})
    while True:
        time.sleep(3600)


def _run(cloud, progress, started, serve=False):
    """The exit status: 0 when every step and the clean-up went well.

    With ``serve``, once every step passed, the cloud runs until Ctrl-C or
    SIGTERM, which then end the demo as it should end (status 0).
    """
    outcome = Outcome()
    served = False
    try:
        Run(cloud, progress, outcome).run()
        if serve and not outcome.failed:
            served = True
            _serve(cloud, progress)
    except KeyboardInterrupt:
        if not served:
            raise
    finally:
        # After Ctrl-C too.
        errors = cloud.stop()
    for error in errors:
        LOG.error('%s', error)
    progress.say(_summary(outcome, started, errors))
    return 1 if outcome.failed or errors else 0


def main(started):
    """Run the demo; its exit status. Times count from ``started``."""
    args = _parser().parse_args()
    progress = output.Progress(TOTAL)
    workdir = tempfile.mkdtemp(prefix='nova-fpga-demo-')
    cloud = services.Cloud(workdir, say=progress.note)
    log_path = cloud.log('demo')
    logs = os.path.dirname(log_path)
    signals = StopOnSignal()
    status = 1
    try:
        tempfile.tempdir = os.environ['TMPDIR'] = workdir
        _log_to(log_path)
        progress.say('Work directory: %s' % workdir)
        status = _run(cloud, progress, started, serve=args.serve)
        signals.received = None
    except KeyboardInterrupt:
        pass
    finally:
        if signals.received:
            status = 128 + signals.received
            progress.say('\nInterrupted; stopped what the demo started.')
        if args.keep:
            progress.say('Kept %s; the logs are in %s' % (workdir, logs))
        else:
            if status == 1 and os.path.isdir(logs):
                shutil.move(logs, workdir + '-logs')
                progress.say('The logs: %s-logs' % workdir)
            shutil.rmtree(workdir, ignore_errors=True)
    return status
