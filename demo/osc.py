"""The ``openstack`` command (python-openstackclient, osc-placement).

The demo acts through it as a person would: one command a call, as one
of the cloud's people (an entry of the cloud's clouds.yaml).
"""

import json
import os
import subprocess
import sys

COMMAND = os.path.join(os.path.dirname(sys.executable), 'openstack')
TIMEOUT = 300


class CommandFailed(Exception):
    """``openstack`` exited non-zero; the message has what it said."""


class Client:
    """``openstack --os-cloud <user>`` against the cloud's clouds.yaml."""

    def __init__(self, clouds_yaml, user):
        self.user = user
        self.env = dict(os.environ, OS_CLIENT_CONFIG_FILE=clouds_yaml)
        # Never through a proxy: the cloud is on loopback.
        self.env.pop('http_proxy', None)
        self.env.pop('HTTP_PROXY', None)

    def run(self, *args):
        """Run ``openstack <args>``; its standard output."""
        command = [COMMAND, '--os-cloud', self.user] + [str(a) for a in args]
        done = subprocess.run(command, env=self.env, capture_output=True,
                              text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL)
        if done.returncode:
            said = (done.stderr.strip() or done.stdout.strip()).splitlines()
            raise CommandFailed('openstack %s (as %s): %s' % (
                ' '.join(args[:3]), self.user,
                said[-1] if said else 'status %d' % done.returncode))
        return done.stdout

    def json(self, *args):
        """Run ``openstack <args> -f json``; what it printed, parsed."""
        return json.loads(self.run(*args, '-f', 'json') or 'null')
