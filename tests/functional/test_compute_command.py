"""The nova-fpga-compute command: Nova's nova-compute, our driver loadable."""

import os
import subprocess
import sys
import textwrap

import testtools

# Runs the command's main in a fresh process (Nova's compute command
# chooses the concurrency mode on import) with Nova's own main replaced by
# what Nova does with compute_driver, and the mode it runs in.
PROBE = textwrap.dedent('''
    from unittest import mock

    from oslo_utils import importutils

    from nova_fpga.cmd import compute


    def nova_main():
        from nova import utils
        cls = importutils.import_class(
            'nova.virt.fpga_libvirt.FPGALibvirtDriver')
        print(cls.__module__, cls.__name__)
        print('threading' if utils.concurrency_mode_threading()
              else 'eventlet')


    with mock.patch.object(compute.compute, 'main', nova_main):
        compute.main()
''')
ENV = 'OS_NOVA_DISABLE_EVENTLET_PATCHING'


class ComputeCommandTest(testtools.TestCase):

    def run_command(self, **env):
        environ = {k: v for k, v in os.environ.items() if k != ENV}
        environ.update(env)
        result = subprocess.run([sys.executable, '-c', PROBE], env=environ,
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stderr)
        return result.stdout.split('\n')[:2]

    def test_main_registers_the_driver_then_runs_nova_compute(self):
        self.assertEqual(['nova_fpga.virt.driver FPGALibvirtDriver',
                          'threading'], self.run_command())

    def test_eventlet_when_asked_for(self):
        self.assertEqual(['nova_fpga.virt.driver FPGALibvirtDriver',
                          'eventlet'], self.run_command(**{ENV: 'false'}))
