"""The nova-fpga-compute command: Nova's nova-compute, our driver loadable."""

import subprocess
import sys
import textwrap

import testtools

# Runs the command's main in a fresh process (Nova's compute command
# patches the standard library on import) with Nova's own main replaced by
# what Nova does with compute_driver.
PROBE = textwrap.dedent('''
    from unittest import mock

    from oslo_utils import importutils

    from nova_fpga.cmd import compute


    def nova_main():
        cls = importutils.import_class(
            'nova.virt.fpga_libvirt.FPGALibvirtDriver')
        print(cls.__module__, cls.__name__)


    with mock.patch.object(compute.compute, 'main', nova_main):
        compute.main()
''')


class ComputeCommandTest(testtools.TestCase):

    def test_main_registers_the_driver_then_runs_nova_compute(self):
        result = subprocess.run([sys.executable, '-c', PROBE],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('nova_fpga.virt.driver FPGALibvirtDriver',
                         result.stdout.strip())
