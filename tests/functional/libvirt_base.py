"""Nova's libvirt functional base with our driver on simulated FPGA hosts.

Privileged code runs in the test's process, on the simulated host that
``[fpga] simulator_root`` names. That option is global, so computes that
program regions share one simulated host, each given its own cards with
``[fpga] enabled_devices``.
"""

import hashlib
import io
import os
import sys
from unittest import mock

import fixtures
from lxml import etree
from nova.tests.functional.libvirt import base
from oslo_utils import uuidutils

from nova_fpga.backends import base as backend_base
from nova_fpga import privsep
from nova_fpga import simulator
from nova_fpga.virt import driver


# The PCI addresses of the first two cards of a simulated host.
FIRST = '0000:10:00.0'
SECOND = '0000:18:00.0'
# The function the tests' bitstreams load.
AFU = '0123456789abcdef0123456789abcdef'
# For resizes and migrations: the fake hosts have no disks to move.
MOVE_DISKS = mock.patch(
    'nova.virt.libvirt.driver.LibvirtDriver.migrate_disk_and_power_off',
    return_value='{}')


def function_trait(function_id):
    return 'CUSTOM_FPGA_FUNCTION_' + function_id.upper()


def pci_hostdevs(domain):
    """The host PCI addresses of the hostdevs of a domain's XML tree."""
    return ['%04x:%02x:%02x.%x' % tuple(
        int(address.get(part), 16)
        for part in ('domain', 'bus', 'slot', 'function'))
        for address in domain.findall(
            "./devices/hostdev[@type='pci']/source/address")]


class SimulatedFPGAHost(fixtures.Fixture):
    """A simulated FPGA host in a temporary directory."""

    def __init__(self, *cards):
        super().__init__()
        self.cards = [spec for text in cards
                      for spec in simulator.parse_card(text)]

    def _setUp(self):
        root = self.useFixture(fixtures.TempDir()).path
        self.host = simulator.build(os.path.join(root, 'host'), self.cards)


class FPGAServersTestBase(base.ServersTestBase):
    ADMIN_API = True
    microversion = 'latest'

    def setUp(self):
        # The nova wheel installs api-paste.ini under sys.prefix, not where
        # Nova's config fixture looks for it.
        self.flags(api_paste_config=os.path.join(
            sys.prefix, 'etc', 'nova', 'api-paste.ini'), group='wsgi')
        super().setUp()
        driver.register_alias()
        self.addCleanup(sys.modules.pop, 'nova.virt.' + driver.ALIAS)
        self.flags(compute_driver=driver.ALIAS + '.FPGALibvirtDriver')
        self.useFixture(fixtures.MockPatchObject(
            privsep.sys_admin_pctxt, 'client_mode', False))
        self.useFixture(fixtures.MockPatchObject(
            backend_base, 'READ_DELAY', 0))
        self.bitstream_cache = self.useFixture(fixtures.TempDir()).path
        self.state_dir = self.useFixture(fixtures.TempDir()).path
        # One provider per region, so that a test reads in Placement which
        # region a server holds; the pooled default is test_pooled's.
        self.flags(lock_path=self.useFixture(fixtures.TempDir()).path,
                   state_dir=self.state_dir,
                   bitstream_cache_dir=self.bitstream_cache,
                   provider_layout='region', group='fpga')
        self.fpga_hosts = {}

    def simulate(self, *cards):
        """A new simulated host with ``cards``, the one programming acts on."""
        host = self.useFixture(SimulatedFPGAHost(*cards)).host
        self.flags(sysfs_root=host.sysfs_root, dev_root=host.dev_root,
                   simulator_root=host.root, group='fpga')
        return host

    def start_fpga_compute(self, hostname, *cards, **fpga_flags):
        """Start a compute on a new simulated host with ``cards``."""
        return self.start_compute_on(self.simulate(*cards), hostname,
                                     **fpga_flags)

    def start_compute_on(self, host, hostname, **fpga_flags):
        """Start a compute on ``host``, the one ``simulate`` built last."""
        self.flags(group='fpga', **fpga_flags)
        self.start_compute(hostname)
        self.fpga_hosts[hostname] = host
        return host

    @staticmethod
    def gbs(kind, afu_id, payload=None):
        """A GBS file for a simulated card kind that loads ``afu_id``."""
        return simulator.make_gbs(simulator.INTERFACE_IDS[kind], afu_id,
                                  payload=payload)

    @staticmethod
    def xclbin(xclbin_id, kind='u250'):
        return simulator.make_xclbin(simulator.INTERFACE_IDS[kind],
                                     xclbin_id)

    def add_bitstream(self, data, name='bitstream', meta=None, **properties):
        """A bitstream image in the GlanceFixture; returns its id.

        Metadata as Nova's image API returns it, with the size and hash
        Glance would compute unless ``meta`` says otherwise.
        """
        image = {
            'id': uuidutils.generate_uuid(), 'name': name,
            'status': 'active', 'size': len(data), 'os_hash_algo': 'sha512',
            'os_hash_value': hashlib.sha512(data).hexdigest(),
            'properties': properties}
        image.update(meta or {})
        return self.glance.create(None, image, data=io.BytesIO(data))['id']

    def vm_image(self, **properties):
        """A VM image in the GlanceFixture with ``properties``; its id."""
        image_id = uuidutils.generate_uuid()
        self.glance.create(None, {
            'id': image_id, 'name': 'vm', 'status': 'active',
            'container_format': 'bare', 'disk_format': 'raw', 'size': 1024,
            'min_ram': 0, 'min_disk': 0, 'properties': properties})
        return image_id

    def force_down(self, hostname, forced_down):
        (service,) = self.api.get_services(host=hostname,
                                           binary='nova-compute')
        self.api.put_service_force_down(service['id'], forced_down)

    def fpga_providers(self, hostname, marker='_FPGA_'):
        """``{provider name: provider}`` of the FPGA providers of a host."""
        prefix = hostname + marker
        return {rp['name']: rp
                for rp in self._get_all_rps_in_a_tree(
                    self.compute_rp_uuids[hostname])
                if rp['name'].startswith(prefix)}

    def gpu_providers(self, hostname):
        """The providers of one GPU each (``gpu_provider_layout = device``)."""
        return self.fpga_providers(hostname, '_GPU_')

    def fpga_provider(self, hostname, address, region='port0'):
        name = '%s_FPGA_%s_%s' % (hostname, address, region)
        return self.fpga_providers(hostname)[name]['uuid']

    def fpga_flavor(self, **extra_spec):
        """A small flavor of one region, or of what ``extra_spec`` says."""
        specs = {'resources:FPGA': '1'}
        specs.update(extra_spec)
        return self._create_flavor(memory_mb=512, vcpu=1, disk=1,
                                   ephemeral=0, extra_spec=specs)

    def boot(self, flavor_id, expected_state='ACTIVE', **kwargs):
        return self._create_server(flavor_id=flavor_id, networks='none',
                                   expected_state=expected_state, **kwargs)

    def region_usage(self, hostname, address, region='port0'):
        rp_uuid = self.fpga_provider(hostname, address, region)
        return self._get_provider_usages(rp_uuid).get('FPGA', 0)

    def region_traits(self, hostname, address, region='port0'):
        return set(self._get_provider_traits(
            self.fpga_provider(hostname, address, region)))

    def loaded(self, hostname, address, region='port0'):
        """The function id the region shows now."""
        device = self.fpga_hosts[hostname].expected().device(address)
        return next(r.function_id for r in device.regions
                    if r.name == region)

    def hostdevs(self, server):
        """The host PCI addresses of the server's domain's hostdevs."""
        connection = self.computes[server['OS-EXT-SRV-ATTR:host']].driver \
            ._host.get_connection()
        xml = connection.lookupByUUIDString(server['id']).XMLDesc(0)
        return pci_hostdevs(etree.fromstring(xml))
