"""Nova's libvirt functional base with our driver on simulated FPGA hosts."""

import os
import sys

import fixtures
from nova.tests.functional.libvirt import base

from nova_fpga import simulator
from nova_fpga.virt import driver


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
        self.fpga_hosts = {}

    def start_fpga_compute(self, hostname, *cards, **fpga_flags):
        """Start a compute on a new simulated host with ``cards``."""
        host = self.useFixture(SimulatedFPGAHost(*cards)).host
        self.flags(sysfs_root=host.sysfs_root, dev_root=host.dev_root,
                   group='fpga', **fpga_flags)
        self.start_compute(hostname)
        self.fpga_hosts[hostname] = host
        return host

    def fpga_providers(self, hostname):
        """``{provider name: provider}`` of the FPGA providers of a host."""
        prefix = hostname + '_FPGA_'
        return {rp['name']: rp
                for rp in self._get_all_rps_in_a_tree(
                    self.compute_rp_uuids[hostname])
                if rp['name'].startswith(prefix)}

    def fpga_provider(self, hostname, address, region='port0'):
        name = '%s_FPGA_%s_%s' % (hostname, address, region)
        return self.fpga_providers(hostname)[name]['uuid']
