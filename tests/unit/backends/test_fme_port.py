"""Programming and resetting DFL and intel-fpga cards, simulated.

Mainline drivers (d5005, pac_a10) carry a port on a VF by releasing it;
OFS cards (n6000) keep the port on the PF while VFs exist.
"""

import errno
import os
from unittest import mock

import fixtures
from oslo_concurrency import processutils

from nova_fpga.bitstream import headers
from nova_fpga.regions import exception
from nova_fpga.regions import programming
from nova_fpga import simulator
from nova_fpga.simulator import ioctls
from tests.unit.backends import base

D5005 = simulator.INTERFACE_IDS['d5005']
N6000 = simulator.INTERFACE_IDS['n6000']
PAC_A10 = simulator.INTERFACE_IDS['pac_a10']
NLB0 = simulator.FUNCTION_IDS['n6000']
PF = '0000:10:00.0'
VF = '0000:10:00.1'
# What the mainline sequence sends, in order, for port 0 and one VF.
DFL_VF_SEQUENCE = [
    ('write_attr', 'sriov_numvfs', 0),
    ('ioctl', 'dfl-fme.0', 0x4004B682),
    ('ioctl', 'dfl-fme.0', 0xB680),
    ('ioctl', 'dfl-fme.0', 0x4004B681),
    ('write_attr', 'sriov_numvfs', 1),
]


class FmePortTestCase(base.ProgrammingTestCase):

    family = 'dfl'
    fme_node = 'dfl-fme.0'

    def setUp(self):
        super().setUp()
        self.build(self.card)
        self.backend_ = self.backend(self.family)
        self.dev = self.device(self.backend_, PF)
        self.region = self.dev.regions[0]

    def program(self, interface_id, afu=base.AFU, expected=base.AFU):
        path, header = self.write_gbs(interface_id, afu)
        return programming.program_region(
            self.backend_, self.dev, self.region, path, header, expected, 10)

    def fails(self, interface_id=None, afu=base.AFU, expected=base.AFU):
        return self.assertRaises(
            exception.ProgrammingFailed, self.program,
            interface_id or self.interface_id, afu, expected)

    def assertVfState(self):
        """SR-IOV as it was: one VF, carrying the released port."""
        self.assertEqual('1\n', self.read(
            'bus', 'pci', 'devices', PF, 'sriov_numvfs'))
        self.assertEqual(VF, os.path.basename(
            os.readlink(self.pci(PF, 'virtfn0'))))
        region = self.device(self.backend_, PF).regions[0]
        self.assertEqual(((VF,), 'VF'), (region.attach, region.attach_kind))
        self.assertEqual([], [n for n in os.listdir(self.host.dev_root)
                              if n.startswith(self.port_prefix)])

    def loaded(self):
        """The released port's function, read by taking the port back."""
        self.host.write_attr(self.pci(PF, 'sriov_numvfs'), 0)
        self.host.ioctl(
            os.path.join(self.host.dev_root, self.fme_node),
            ioctls.ASSIGN[self.family], ioctls.port_id_arg(self.family, 0))
        return self.device(self.backend_, PF).regions[0].function_id


class MainlineDflTest(FmePortTestCase):

    card = 'd5005:1,vfs=1'
    interface_id = D5005
    port_prefix = 'dfl-port.'

    def test_port_taken_back_programmed_and_released_again(self):
        calls = self.spy()
        self.assertEqual(programming.PROGRAMMED, self.program(D5005))
        self.assertEqual(DFL_VF_SEQUENCE, calls)
        self.assertVfState()
        self.assertEqual(base.AFU, self.loaded())

    def test_skipped_when_loaded_is_never_true_for_a_released_port(self):
        # Sysfs cannot show the function behind a VF: always programmed.
        self.assertIsNone(self.region.function_id)
        self.program(D5005)
        self.assertEqual(programming.PROGRAMMED, self.program(D5005))

    def test_incompatible_image_names_the_manager_status(self):
        e = self.fails(N6000)
        self.assertIn('reconfig incompatible image', str(e))
        self.assertIn('Input/output error', str(e))
        self.assertVfState()
        self.assertEqual(NLB0, self.loaded())

    def test_injected_pr_errors(self):
        for err, text in ((errno.EBUSY, 'the card is busy'),
                          (errno.ETIMEDOUT, 'did not respond in time'),
                          (errno.EIO, 'reconfig operation error')):
            self.host.inject_fault(PF, 'pr', err)
            e = self.fails()
            self.assertIn('partial reconfiguration of port 0 through %s' %
                          os.path.join(self.host.dev_root, 'dfl-fme.0'),
                          str(e))
            self.assertIn(os.strerror(err), str(e))
            self.assertIn(text, str(e))
            self.assertVfState()
        self.assertEqual(NLB0, self.loaded())

    def test_failing_assign_restores_sriov(self):
        self.host.inject_fault(PF, 'assign', errno.ENODEV)
        e = self.fails()
        self.assertIn('assigning port 0 to the PF', str(e))
        self.assertVfState()

    def test_failing_sriov_disable_changes_nothing(self):
        calls = self.spy()
        self.host.inject_fault(PF, 'sriov', errno.EBUSY)
        e = self.fails()
        self.assertIn('disabling SR-IOV of %s failed' % PF, str(e))
        self.assertEqual(DFL_VF_SEQUENCE[:1], calls)
        self.assertVfState()

    def test_failing_release_is_reported(self):
        self.host.inject_fault(PF, 'release', errno.EBUSY)
        e = self.fails()
        self.assertIn('releasing port 0', str(e))
        # The VF cannot come back while the port stays on the PF.
        self.assertEqual('0\n', self.read(
            'bus', 'pci', 'devices', PF, 'sriov_numvfs'))
        self.assertIn('restoring 1 VF(s) of %s failed' % PF,
                      self.logs.output)

    def test_reset(self):
        calls = self.spy()
        self.assertEqual(programming.RESET, programming.scrub_region(
            self.backend_, self.dev, self.region, 'reset', 10))
        self.assertEqual(
            DFL_VF_SEQUENCE[:2] + [('ioctl', 'dfl-port.0', 0xB640)] +
            DFL_VF_SEQUENCE[3:], calls)
        self.assertVfState()

    def test_reset_of_a_crashed_card_times_out(self):
        self.host.crash(PF)
        e = self.assertRaises(exception.ScrubFailed,
                              programming.scrub_region, self.backend_,
                              self.dev, self.region, 'reset', 10)
        self.assertIn('reset of %s' % os.path.join(
            self.host.dev_root, 'dfl-port.0'), str(e))
        self.assertIn('did not respond in time', str(e))
        self.assertVfState()


class OfsDflTest(FmePortTestCase):

    card = 'n6000:1,vfs=3'
    interface_id = N6000

    def test_only_pr(self):
        calls = self.spy()
        self.assertEqual(programming.PROGRAMMED, self.program(N6000))
        self.assertEqual([('ioctl', 'dfl-fme.0', 0xB680)], calls)
        region = self.device(self.backend_, PF).regions[0]
        self.assertEqual(base.AFU, region.function_id)
        self.assertEqual(('0000:10:00.1', '0000:10:00.2', '0000:10:00.3'),
                         region.attach)
        self.assertEqual('3\n', self.read(
            'bus', 'pci', 'devices', PF, 'sriov_numvfs'))

    def test_skipped_when_loaded(self):
        calls = self.spy()
        path, header = self.write_gbs(N6000, NLB0)
        self.assertEqual(programming.SKIPPED, programming.program_region(
            self.backend_, self.dev, self.region, path, header, NLB0, 10))
        self.assertEqual([], calls)

    def test_loaded_function_is_verified(self):
        e = self.fails(afu=base.OTHER_AFU)
        self.assertIn('shows function %s afterwards, not %s' % (
            base.OTHER_AFU, base.AFU), str(e))

    def test_reset(self):
        calls = self.spy()
        programming.scrub_region(self.backend_, self.dev, self.region,
                                 'reset', 10)
        self.assertEqual([('ioctl', 'dfl-port.0', 0xB640)], calls)


class NoPrTest(FmePortTestCase):

    card = 'c6100'
    interface_id = N6000

    def test_einval(self):
        e = self.fails()
        self.assertIn('Invalid argument', str(e))


class LegacyIntelFpgaTest(FmePortTestCase):

    card = 'pac_a10:1,vfs=1'
    family = 'intel_fpga'
    fme_node = 'intel-fpga-fme.0'
    interface_id = PAC_A10
    port_prefix = 'intel-fpga-port.'

    def test_port_taken_back_programmed_and_released_again(self):
        calls = self.spy()
        self.assertEqual(programming.PROGRAMMED, self.program(PAC_A10))
        self.assertEqual([
            ('write_attr', 'sriov_numvfs', 0),
            ('ioctl', 'intel-fpga-fme.0', 0xB582),
            ('ioctl', 'intel-fpga-fme.0', 0xB580),
            ('ioctl', 'intel-fpga-fme.0', 0xB581),
            ('write_attr', 'sriov_numvfs', 1),
        ], calls)
        self.assertVfState()
        self.assertEqual(base.AFU, self.loaded())

    def test_incompatible_image_names_the_status_bits(self):
        e = self.fails(N6000)
        self.assertIn('Input/output error: PR incompatible bitstream error',
                      str(e))
        self.assertVfState()

    def test_reset(self):
        calls = self.spy()
        programming.scrub_region(self.backend_, self.dev, self.region,
                                 'reset', 10)
        self.assertIn(('ioctl', 'intel-fpga-port.0', 0xB540), calls)
        self.assertVfState()


class FpgaconfTest(FmePortTestCase):
    """fpgaconf instead of the ioctl; tools run through a fake execute."""

    card = 'd5005:1,vfs=1'
    interface_id = D5005
    port_prefix = 'dfl-port.'

    def setUp(self):
        super().setUp()
        self.conf.config(intel_programmer='fpgaconf', group='fpga')
        # Options are handed to a backend when it is loaded.
        self.backend_ = self.backend(self.family)
        self.runs = []
        self.exit = 0

        def fpgaconf(sysfs_root, address, path, timeout):
            self.runs.append((address, path, timeout))
            if not self.exit:
                # What fpgaconf would do: PR with the header stripped.
                self.backend_.port_pr(
                    os.path.join(self.host.dev_root, 'dfl-fme.0'), 0, path,
                    headers.parse(path).payload_offset)
            return self.exit, '', 'No suitable slots found.\n'
        self.useFixture(fixtures.MockPatch(
            'nova_fpga.backends.fme_port.fpgaconf', fpgaconf))

    def test_whole_file_given_with_the_port_on_the_pf(self):
        self.assertEqual(programming.PROGRAMMED, self.program(D5005))
        path = os.path.join(self.tmp, 'afu.gbs')
        self.assertEqual([(PF, path, 10)], self.runs)
        self.assertVfState()
        self.assertEqual(base.AFU, self.loaded())

    def test_exit_codes(self):
        for code, text in ((2, 'the GBS file failed to load'),
                           (4, 'no suitable slot'),
                           (5, 'or the reconfiguration failed'),
                           (7, 'exit code 7 (No suitable slots found.)')):
            self.exit = code
            e = self.fails()
            self.assertIn('fpgaconf %s %s failed with exit code %d' % (
                PF, os.path.join(self.tmp, 'afu.gbs'), code), str(e))
            self.assertIn(text, str(e))
            self.assertVfState()


class ToolFailureTest(base.ProgrammingTestCase):
    """fpgaconf run for real, through processutils, on an OFS card."""

    def test_exit_code_4(self):
        self.build('n6000')
        self.conf.config(intel_programmer='fpgaconf', simulator_root='',
                         group='fpga')
        backend = self.backend('dfl')
        dev = self.device(backend, PF)
        path, header = self.write_gbs(N6000, base.AFU)
        with mock.patch.object(
                processutils, 'execute', side_effect=(
                    processutils.ProcessExecutionError(
                        exit_code=4, stdout='',
                        stderr='No suitable slots found.\n'))) as execute:
            e = self.assertRaises(
                exception.ProgrammingFailed, programming.program_region,
                backend, dev, dev.regions[0], path, header, base.AFU, 42)
        self.assertEqual(('fpgaconf', PF, path), execute.call_args[0])
        self.assertEqual(42, execute.call_args[1]['timeout'])
        self.assertEqual(
            'Programming FPGA region %s port0 with %s failed: fpgaconf %s '
            '%s failed with exit code 4: no suitable slot: no region has '
            'the interface the GBS was built for (No suitable slots '
            'found.)' % (PF, path, PF, path), str(e))
