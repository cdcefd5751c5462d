import os
import tempfile

from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from nova_fpga import conf
from nova_fpga import model
from tests import writable


def device(address, vendor_id='8086', device_id='bcce'):
    return model.Device(address=address, vendor='intel', family='dfl',
                        board='n6000', vendor_id=vendor_id,
                        device_id=device_id)


class PlacementOptionsTest(testtools.TestCase):

    def options(self, **values):
        opts = cfg.ConfigOpts()
        conf.register_opts(opts)
        opts([])
        self.useFixture(config_fixture.Config(opts)).config(
            group='fpga', **values)
        return conf.placement_options(opts)

    def assertRefused(self, option, **values):
        e = self.assertRaises(conf.InvalidOption, self.options, **values)
        self.assertIn('[fpga] %s' % option, str(e))
        return str(e)

    def test_defaults(self):
        found = self.options()
        self.assertTrue(found.allows(device('0000:5e:00.0')))
        self.assertEqual('FPGA', found.resource_class('n6000'))
        self.assertEqual(frozenset(), found.traits('n6000'))
        # Regions and GPUs pooled.
        self.assertEqual((True, True), (found.pooled, found.gpu_pooled))

    def test_layouts(self):
        found = self.options(provider_layout='region',
                             gpu_provider_layout='device')
        self.assertEqual((False, False), (found.pooled, found.gpu_pooled))
        self.assertRaises(ValueError, self.options,
                          gpu_provider_layout='region')

    def test_enabled_devices(self):
        found = self.options(enabled_devices=['0000:5E:00.0', '10EE:5004'])
        self.assertTrue(found.allows(device('0000:5e:00.0')))
        self.assertTrue(found.allows(device('0000:3b:00.0', '10ee', '5004')))
        self.assertFalse(found.allows(device('0000:af:00.0')))

    def test_gpus_of_host_drivers_need_the_allow_list(self):
        nvidia = model.Device(address='0000:41:00.0', vendor='nvidia',
                              family=model.GPU, board='h100_pcie',
                              vendor_id='10de', device_id='2331',
                              driver='nvidia')
        self.assertFalse(self.options().allows(nvidia))
        self.assertTrue(self.options().allows(
            nvidia._replace(driver='vfio-pci')))
        for allowed in (['0000:41:00.0'], ['10de:2331']):
            self.assertTrue(self.options(
                gpu_host_driver_allowlist=allowed).allows(nvidia))
        # enabled_devices still applies.
        self.assertFalse(self.options(
            gpu_host_driver_allowlist=['10de:2331'],
            enabled_devices=['0000:5e:00.0']).allows(nvidia))
        self.assertIn('nvidia', self.assertRefused(
            'gpu_host_driver_allowlist',
            gpu_host_driver_allowlist=['nvidia']))

    def test_malformed_devices_are_refused(self):
        for bad in ('5e:00.0', '0000:5e:00.8', '8086', '8086:bcce:1',
                    'fpga0'):
            message = self.assertRefused('enabled_devices',
                                         enabled_devices=[bad])
            self.assertIn(bad, message)

    def test_resource_classes(self):
        found = self.options(resource_classes={
            'N6000': 'CUSTOM_FPGA_INTEL_PF', 'u250': 'FPGA'})
        self.assertEqual('CUSTOM_FPGA_INTEL_PF',
                         found.resource_class('n6000'))
        self.assertEqual('FPGA', found.resource_class('u250'))
        self.assertEqual('FPGA', found.resource_class('d5005'))

    def test_bad_resource_classes_are_refused(self):
        for bad in ('VGPU', 'CUSTOM_', 'custom_fpga', 'CUSTOM_FPGA-PF',
                    'C' * 256):
            self.assertRefused('resource_classes',
                               resource_classes={'n6000': bad})
        self.assertRefused('resource_classes',
                           resource_classes={'n 6000': 'FPGA'})

    def test_extra_traits(self):
        found = self.options(extra_traits=[
            'n6000:CUSTOM_LOW_LATENCY, HW_NIC_SRIOV',
            'N6000:CUSTOM_NETWORK', 'u250:CUSTOM_HBM'])
        self.assertEqual(
            {'CUSTOM_LOW_LATENCY', 'HW_NIC_SRIOV', 'CUSTOM_NETWORK'},
            found.traits('n6000'))
        self.assertEqual(
            {'CUSTOM_LOW_LATENCY', 'HW_NIC_SRIOV', 'CUSTOM_NETWORK',
             'CUSTOM_HBM'}, found.all_extra_traits)

    def test_bad_extra_traits_are_refused(self):
        for bad in ('CUSTOM_LOW_LATENCY', 'n6000:', 'n6000:low_latency',
                    'n6000:HW_NOT_A_TRAIT', 'n6000:CUSTOM_A,CUSTOM_b',
                    'n6000:COMPUTE_MANAGED_PCI_DEVICE'):
            self.assertRefused('extra_traits', extra_traits=[bad])


class WritableDefaultsTest(testtools.TestCase):
    """A test that sets no place to write never writes to /var/lib/nova."""

    def test_tests_write_in_a_temporary_directory(self):
        opts = cfg.ConfigOpts()
        conf.register_opts(opts)
        opts([])
        for name in writable.OPTIONS:
            self.assertTrue(getattr(opts.fpga, name).startswith(
                tempfile.gettempdir() + os.sep), name)
            self.assertTrue(writable.SHIPPED[name].startswith(
                '/var/lib/nova/'), name)
