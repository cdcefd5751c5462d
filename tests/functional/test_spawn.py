"""Booting servers on FPGA regions: load the bitstream, attach the region."""

import shutil
import subprocess
import tempfile
import time

import fixtures
from lxml import etree
from nova.tests.functional.api import client
from oslo_utils import uuidutils

from nova_fpga.bitstream import cache
from nova_fpga.simulator import kinds
from tests.functional import libvirt_base

# Imported before Nova's fixtures forbid importing it in a test, and kept
# apart from the fakelibvirt those fixtures give Nova.
try:
    import libvirt
except ImportError:
    libvirt = None

FIRST, SECOND, AFU = libvirt_base.FIRST, libvirt_base.SECOND, libvirt_base.AFU
XCLBIN = '5f5d29c66d5a4b6e8f3c0f1e2d3c4b5a'


class SpawnTest(libvirt_base.FPGAServersTestBase):

    def setUp(self):
        super().setUp()
        self.downloads = []
        real = self.glance.download

        def download(*args, **kwargs):
            self.downloads.append(args[1])
            return real(*args, **kwargs)
        self.useFixture(fixtures.MockPatchObject(
            self.glance, 'download', download))

    def record_domain_xml(self):
        """The domain XML the driver writes, in order."""
        written = []
        real = self.computes['compute1'].driver._host.write_instance_config

        def write(xml):
            written.append(xml)
            return real(xml)
        self.useFixture(fixtures.MockPatchObject(
            self.computes['compute1'].driver._host, 'write_instance_config',
            write))
        return written

    def assertValidDomainXML(self, xml):
        if not (shutil.which('virt-xml-validate') and shutil.which('xmllint')):
            self.skipTest('virt-xml-validate and xmllint are needed to check '
                          'domain XML: install the Debian packages '
                          'libvirt-clients and libxml2-utils')
        with tempfile.NamedTemporaryFile('w', suffix='.xml') as f:
            f.write(xml)
            f.flush()
            result = subprocess.run(['virt-xml-validate', f.name, 'domain'],
                                    capture_output=True, text=True)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)

    def test_intel_by_bitstream_id(self):
        self.start_fpga_compute('compute1', 'n6000,vfs=1', 'u250')
        image_id = self.add_bitstream(
            self.gbs('n6000', AFU), name='nlb-afu', fpga_function='nlb')
        written = self.record_domain_xml()
        server = self.boot(self.fpga_flavor(**{
            'trait:CUSTOM_FPGA_INTEL': 'required',
            'fpga:bitstream': image_id}))

        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        # The n6000 gives its port's VF.
        self.assertEqual(['0000:10:00.1'], self.hostdevs(server))
        self.assertIn("<hostdev mode=\"subsystem\" type=\"pci\" "
                      "managed=\"yes\">", written[-1])
        self.assertEqual([image_id], self.downloads)
        old = libvirt_base.function_trait(kinds.NLB0)
        self.assertIn(old, self.region_traits('compute1', FIRST))
        self._run_periodics(raise_on_error=True)
        traits = self.region_traits('compute1', FIRST)
        self.assertIn(libvirt_base.function_trait(AFU), traits)
        self.assertNotIn(old, traits)
        self.assertValidDomainXML(written[-1])

    def test_real_libvirt_defines_the_domain(self):
        if libvirt is None:
            self.skipTest('libvirt-python is needed: install nova-fpga with '
                          'its libvirt extra')
        self.start_fpga_compute('compute1', 'n6000:2')
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        written = self.record_domain_xml()
        server = self.boot(self.fpga_flavor(**{
            'resources:FPGA': '0', 'resources1:FPGA': '1',
            'resources2:FPGA': '1', 'group_policy': 'isolate',
            'fpga:bitstream': image_id}))
        expected = self.hostdevs(server)
        self.assertEqual(2, len(expected))
        domain = etree.fromstring(written[-1])
        # libvirt's test driver runs only domains of its own type.
        domain.set('type', 'test')
        connection = libvirt.open('test:///default')
        self.addCleanup(connection.close)
        defined = connection.defineXML(etree.tostring(domain).decode())
        self.addCleanup(defined.undefine)
        read_back = etree.fromstring(defined.XMLDesc(0))
        self.assertEqual(server['id'], read_back.findtext('uuid'))
        self.assertEqual(expected, libvirt_base.pci_hostdevs(read_back))
        self.assertEqual(['yes', 'yes'], [
            hostdev.get('managed') for hostdev in
            read_back.findall("./devices/hostdev[@type='pci']")])

    def test_xilinx_by_function(self):
        self.start_fpga_compute('compute1', 'n6000', 'u250')
        # The same function built for the n6000 is passed over.
        self.add_bitstream(self.gbs('n6000', AFU), fpga_function='vadd')
        self.add_bitstream(self.xclbin(XCLBIN), fpga_function='vadd',
                           fpga_interface_id=kinds.INTERFACE_IDS['u250'])
        server = self.boot(self.fpga_flavor(**{
            'trait:CUSTOM_FPGA_XILINX': 'required',
            'fpga:function': 'vadd'}))
        self.assertEqual(XCLBIN, self.loaded('compute1', SECOND, 'slot0'))
        self.assertEqual(['0000:18:00.1'], self.hostdevs(server))
        self.assertEqual(kinds.NLB0, self.loaded('compute1', FIRST))

    def test_second_boot_of_a_loaded_function_skips_programming(self):
        host = self.start_fpga_compute('compute1', 'n6000')
        self.add_bitstream(self.gbs('n6000', AFU), fpga_function='nlb',
                           fpga_interface_id=kinds.INTERFACE_IDS['n6000'])
        flavor = self.fpga_flavor(**{'fpga:function': 'nlb'})
        self._delete_server(self.boot(flavor))
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        # Programming again would fail now.
        host.inject_fault(FIRST, 'pr', 5)
        server = self.boot(flavor)
        self.assertEqual([FIRST], self.hostdevs(server))
        self.assertIn(': skipped', self.stdlog.logger.output)

    def test_no_request_attaches_without_programming(self):
        host = self.start_fpga_compute('compute1', 'n6000')
        host.inject_fault(FIRST, 'pr', 5)
        server = self.boot(self.fpga_flavor())
        self.assertEqual([FIRST], self.hostdevs(server))
        self.assertEqual(kinds.NLB0, self.loaded('compute1', FIRST))
        self.assertEqual([], self.downloads)

    def test_image_properties_ask_and_the_flavor_wins(self):
        self.start_fpga_compute('compute1', 'n6000:2')
        nlb = self.add_bitstream(self.gbs('n6000', AFU), fpga_function='nlb')
        other = 'fedcba9876543210fedcba9876543210'
        self.add_bitstream(self.gbs('n6000', other), fpga_function='other',
                           fpga_interface_id=kinds.INTERFACE_IDS['n6000'])
        image = self.vm_image(fpga_function='other')

        self.boot(self.fpga_flavor(), image_uuid=image)
        self.boot(self.fpga_flavor(**{'fpga:bitstream': nlb}),
                  image_uuid=image)
        self.assertEqual({other, AFU}, {self.loaded('compute1', FIRST),
                                        self.loaded('compute1', SECOND)})
        self.assertIn('The flavor asks for bitstream image %s, which wins '
                      'over the image properties fpga_function=other' % nlb,
                      self.stdlog.logger.output)

    def test_every_region_claimed_is_loaded(self):
        self.start_fpga_compute('compute1', 'n6000:3')
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        server = self.boot(self.fpga_flavor(**{
            'resources:FPGA': '0', 'resources1:FPGA': '1',
            'resources2:FPGA': '1', 'group_policy': 'isolate',
            'fpga:bitstream': image_id}))
        hostdevs = self.hostdevs(server)
        self.assertEqual(2, len(set(hostdevs)))
        for address in hostdevs:
            self.assertEqual(AFU, self.loaded('compute1', address))
        # Fetched once, programmed twice.
        self.assertEqual([image_id], self.downloads)

    def test_concurrent_boots_download_a_bitstream_once(self):
        self.start_fpga_compute('compute1', 'n6000:10')
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        asked = []
        real_get = cache.Cache.get

        def get(cache_self, image, fetch):
            asked.append(image['id'])
            return real_get(cache_self, image, fetch)
        self.useFixture(fixtures.MockPatchObject(cache.Cache, 'get', get))
        real_download = self.glance.download

        def download(*args, **kwargs):
            # Every build asks for the bitstream while this one fetches it.
            deadline = time.monotonic() + 30
            while len(asked) < 10 and time.monotonic() < deadline:
                time.sleep(0.05)
            return real_download(*args, **kwargs)
        self.useFixture(fixtures.MockPatchObject(
            self.glance, 'download', download))

        flavor = self.fpga_flavor(**{'fpga:bitstream': image_id})
        servers = [self.api.post_server({'server': self._build_server(
            flavor_id=flavor, networks='none')}) for _ in range(10)]
        for server in servers:
            self._wait_for_state_change(server, 'ACTIVE')
        self.assertEqual([image_id] * 10, asked)
        self.assertEqual([image_id], self.downloads)
        inventory = self.fpga_hosts['compute1'].expected()
        self.assertEqual([AFU] * 10, [d.regions[0].function_id
                                      for d in inventory.devices])

    def test_flavor_refuses_bad_fpga_extra_specs(self):
        flavor = self._create_flavor()
        for key, value in (('fpga:bitstream', 'not-an-id'),
                           ('fpga:function', ''),
                           ('fpga:function', ' padded'),
                           ('fpga:bitsream', uuidutils.generate_uuid())):
            e = self.assertRaises(
                client.OpenStackApiException,
                self.admin_api.post_extra_spec, flavor,
                {'extra_specs': {key: value}})
            self.assertEqual(400, e.response.status_code, (key, value))
        self.assertEqual({}, self.admin_api.get_flavor(flavor)['extra_specs'])

    def test_bad_requests_abort_the_build(self):
        self.start_fpga_compute('compute1', 'n6000')
        # Nova validates one key at a time: both pass.
        both = self.fpga_flavor(**{
            'fpga:bitstream': uuidutils.generate_uuid(),
            'fpga:function': 'nlb'})
        server = self.boot(both, expected_state='ERROR')
        self.assertIn('aborted: the flavor sets both fpga:bitstream and '
                      'fpga:function; set one of them',
                      server['fault']['message'])
        server = self.boot(self.fpga_flavor(), expected_state='ERROR',
                           image_uuid=self.vm_image(fpga_bitstream='nlb'))
        self.assertIn("the image sets fpga_bitstream to 'nlb', which is not "
                      "a Glance image id", server['fault']['message'])
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        self.assertEqual([], self.downloads)
