"""Helpers for tests that program simulated cards.

Privileged entry points run in the test's process, as under Nova's
PrivsepFixture (``client_mode`` False), and act on the simulated host
through nova_fpga.privsep.kernel because ``[fpga] simulator_root`` points
at it.
"""

import os

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from nova_fpga.backends import base
from nova_fpga.bitstream import headers
from nova_fpga import conf as fpga_conf
from nova_fpga import discovery
from nova_fpga import privsep
from nova_fpga.privsep import kernel
from nova_fpga import simulator

AFU = '0123456789abcdef0123456789abcdef'
OTHER_AFU = 'fedcba9876543210fedcba9876543210'


def spy(test):
    """Record what reaches the simulated kernel, in order, for ``test``.

    Each call as ``(method, node or file name, request or value)``.
    """
    calls = []
    real = kernel.kernel_of

    def recording(name, method):
        def call(*args, **kwargs):
            calls.append((name, os.path.basename(args[0]), args[1]))
            return method(*args, **kwargs)
        return call

    def kernel_of(path):
        sim = real(path)
        for name in ('ioctl', 'write_attr', 'execute'):
            setattr(sim, name, recording(name, getattr(sim, name)))
        return sim
    test.useFixture(fixtures.MockPatchObject(kernel, 'kernel_of', kernel_of))
    return calls


class Recorder:
    """A stand-in kernel that records what reaches it.

    PR payloads are read through their buffer address during the call,
    as the kernel would.
    """

    def __init__(self):
        self.calls = []
        self.fail = None

    def ioctl(self, node, request, arg):
        self.calls.append(('ioctl', node, request,
                           arg if isinstance(arg, int) else bytes(arg)))
        if self.fail:
            self.fail(node, request, arg)
        return 0

    def write_attr(self, path, value):
        self.calls.append(('write_attr', path, value))

    def execute(self, *argv, timeout=None):
        self.calls.append(('execute', argv, timeout))
        return 0, '', ''


class ProgrammingTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # Permanent and idempotent, like the driver's registration.
        fpga_conf.register_opts(cfg.CONF)
        self.conf = self.useFixture(config_fixture.Config(cfg.CONF))
        self.lock_path = self.useFixture(fixtures.TempDir()).path
        self.state_dir = self.useFixture(fixtures.TempDir()).path
        self.conf.config(lock_path=self.lock_path, state_dir=self.state_dir,
                         group='fpga')
        # Where the card locks are when programming is not told.
        self.conf.config(lock_path=self.lock_path, group='oslo_concurrency')
        self.useFixture(fixtures.MockPatchObject(
            privsep.sys_admin_pctxt, 'client_mode', False))
        self.useFixture(fixtures.MockPatchObject(base, 'READ_DELAY', 0))
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.logs = self.useFixture(fixtures.FakeLogger())

    def build(self, *cards):
        root = os.path.join(self.tmp, 'host')
        specs = [spec for text in cards for spec in simulator.parse_card(text)]
        self.host = simulator.build(root, specs)
        self.conf.config(simulator_root=root, group='fpga')
        return self.host

    def backend(self, name):
        return discovery.load_backends(
            (name,), self.host.sysfs_root, self.host.dev_root,
            base.Options.from_conf(cfg.CONF))[0]

    def device(self, backend, address):
        return next(d for d in backend.discover() if d.address == address)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def write_gbs(self, interface_id, afu_id, name='afu.gbs', **kwargs):
        """The path and parsed header of a new GBS file."""
        data = simulator.make_gbs(interface_id, afu_id, **kwargs)
        path = self.write(name, data)
        return path, headers.parse(path)

    def read(self, *parts):
        with open(os.path.join(self.host.sysfs_root, *parts)) as f:
            return f.read()

    def pci(self, address, *parts):
        return os.path.join(self.host.sysfs_root, 'bus', 'pci', 'devices',
                            address, *parts)

    def spy(self):
        return spy(self)

    def record(self):
        """Replace the kernel by a Recorder."""
        recorder = Recorder()
        self.useFixture(fixtures.MockPatchObject(
            kernel, 'kernel_of', lambda path: recorder))
        return recorder
