"""Nova's libvirt driver with the host's FPGA regions in Placement.

Nova imports a compute driver only as ``nova.virt.<compute_driver>``;
``register_alias`` makes this module importable as ``nova.virt.fpga_libvirt``.
"""

import copy
import sys

from keystoneauth1 import exceptions as ks_exc
import nova.conf
from nova import context as nova_context
from nova import exception
from nova.virt.libvirt import driver as libvirt_driver
from oslo_log import log as logging

from nova_fpga import conf as fpga_conf
from nova_fpga import discovery
from nova_fpga import placement

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF
fpga_conf.register_opts(CONF)

ALIAS = 'fpga_libvirt'


def register_alias():
    """Let ``compute_driver = fpga_libvirt.FPGALibvirtDriver`` load."""
    sys.modules['nova.virt.' + ALIAS] = sys.modules[__name__]


class FPGADriverMixin:
    """FPGA behaviour for a libvirt driver class.

    The ``[fpga]`` options are read once, when the driver is built.
    """

    def __init__(self, virtapi, *args, **kwargs):
        self._fpga_options = fpga_conf.placement_options(CONF)
        self._fpga_sysfs_root = CONF.fpga.sysfs_root
        self._fpga_dev_root = CONF.fpga.dev_root
        self._fpga_backends = list(CONF.fpga.enabled_backends)
        super().__init__(virtapi, *args, **kwargs)

    def _fpga_in_use(self, allocations):
        """A test of whether allocations use a provider (by uuid).

        The resource tracker passes ``allocations`` only when reshaping;
        otherwise Placement is asked, for vanished regions only.
        """
        if allocations is not None:
            used = {rp_uuid for consumer in allocations.values()
                    for rp_uuid in consumer['allocations']}
            return used.__contains__

        def in_use(rp_uuid):
            try:
                found = (self.virtapi.reportclient
                         .get_allocations_for_resource_provider(
                             nova_context.get_admin_context(), rp_uuid))
            except (exception.ResourceProviderAllocationRetrievalFailed,
                    ks_exc.ClientException) as e:
                LOG.warning('Cannot read the allocations of FPGA provider '
                            '%s, so it is kept: %s', rp_uuid, e)
                return True
            return bool(found.allocations)
        return in_use

    def update_provider_tree(self, provider_tree, nodename, allocations=None):
        super().update_provider_tree(provider_tree, nodename,
                                     allocations=allocations)
        try:
            inventory = discovery.discover(
                self._fpga_sysfs_root, self._fpga_dev_root,
                self._fpga_backends)
        except discovery.NotSysfs as e:
            LOG.error('FPGA discovery failed; FPGA providers are kept and '
                      'reserved until it works again: %s', e)
            placement.hold_all(provider_tree, nodename)
        # Whatever discovery meets on the host, Nova's own reporting goes on.
        except Exception:
            LOG.exception('FPGA discovery failed; FPGA providers are kept '
                          'and reserved until it works again')
            placement.hold_all(provider_tree, nodename)
        else:
            placement.update(provider_tree, nodename, inventory,
                             self._fpga_options,
                             self._fpga_in_use(allocations))
        # The parent cached its copy before the FPGA providers changed.
        self.provider_tree = copy.deepcopy(provider_tree)


class FPGALibvirtDriver(FPGADriverMixin, libvirt_driver.LibvirtDriver):
    pass
