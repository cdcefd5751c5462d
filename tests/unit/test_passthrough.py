"""Regions whose PCI functions ``[pci] device_spec`` gives to Nova too."""

import json

import fixtures
from nova import exception

from nova_fpga import model
from nova_fpga import passthrough
from nova_fpga.regions import exception as regions_exception
from nova_fpga.regions import lifecycle
from tests.unit.backends import base

FIRST = '0000:10:00.0'
SECOND = '0000:18:00.0'
GPU = '0000:20:00.0'


class DeviceSpecTest(base.ProgrammingTestCase):

    def setUp(self):
        super().setUp()
        # Two N6000 cards with a VF each, passed for their region, and an
        # H100.
        host = self.build('n6000:2,vfs=1', 'h100')
        self.conf.config(sysfs_root=host.sysfs_root, dev_root=host.dev_root,
                         enabled_backends=['dfl', 'gpu'], group='fpga')
        # Nova asks this host's /sys whether a spec's address is a PF.
        self.useFixture(fixtures.MockPatch(
            'nova.pci.utils.is_physical_function', return_value=False))

    def regions(self, *specs):
        self.conf.config(device_spec=[json.dumps(s) for s in specs],
                         group='pci')
        return lifecycle.HostRegions(self.conf.conf)

    def health(self, regions):
        return {model.region_identifier(device, region):
                region.health_reason
                for device in regions.inventory.discover().devices
                for region in device.regions}

    def test_without_a_spec_nothing_is_withheld(self):
        regions = self.regions()
        self.assertFalse(regions.inventory.device_spec)
        self.assertEqual(
            {FIRST + '_port0': None, SECOND + '_port0': None, GPU: None},
            self.health(regions))

    def test_a_spec_of_a_vf_by_address(self):
        vf = self.host.expected().device(SECOND).regions[0].attach[0]
        health = self.health(self.regions({'address': vf}))
        self.assertIsNone(health[FIRST + '_port0'])
        self.assertIsNone(health[GPU])
        self.assertEqual(
            "PCI function %s is in [pci] device_spec too, so Nova's PCI "
            "passthrough hands it out: remove it from there to use it "
            "here" % vf, health[SECOND + '_port0'])

    def test_a_spec_of_the_vfs_by_vendor_and_product(self):
        health = self.health(self.regions(
            {'vendor_id': '8086', 'product_id': 'bccf'}))
        self.assertIsNone(health[GPU])
        self.assertIn('in [pci] device_spec', health[FIRST + '_port0'])
        self.assertIn('in [pci] device_spec', health[SECOND + '_port0'])

    def test_a_gpu_and_its_companions(self):
        health = self.health(self.regions({'address': GPU}))
        self.assertIn('PCI function %s is in [pci] device_spec' % GPU,
                      health[GPU])
        self.assertIsNone(health[FIRST + '_port0'])

    def test_a_withheld_region_cannot_be_given_to_a_guest(self):
        e = self.assertRaises(
            regions_exception.AssignmentFailed,
            self.regions({'address': GPU}).attachable, [GPU])
        self.assertIn('GPU %s: it cannot be given to a guest now: PCI '
                      'function %s is in [pci] device_spec' % (GPU, GPU),
                      str(e))

    def test_an_unhealthy_region_keeps_its_own_reason(self):
        self.host.crash(FIRST)
        health = self.health(self.regions(
            {'vendor_id': '8086', 'product_id': 'bccf'}))
        self.assertIn('in [pci] device_spec', health[SECOND + '_port0'])
        self.assertIn('card not responding', health[FIRST + '_port0'])
        self.assertNotIn('device_spec', health[FIRST + '_port0'])

    def test_a_spec_nova_refuses_is_refused_when_read(self):
        self.regions('not a dict')
        spec = passthrough.DeviceSpec(self.conf.conf)
        self.assertRaises(exception.PciConfigInvalidSpec, spec.withhold,
                          self.host.expected(), self.host.sysfs_root)
