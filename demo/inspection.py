"""The cloud as an operator would look at it.

Placement (its API, as the admin) for the FPGA region and GPU providers,
their traits and who uses them; a compute host's sysfs (what ``nova-fpga
discover`` reads there) for what a region holds; the domain XML the
driver defined for what a guest was given.
"""

import dataclasses
import typing as ty
from xml.etree import ElementTree

from nova_fpga import conf as fpga_conf
from nova_fpga import discovery
from nova_fpga import model
from nova_fpga import placement

PLACEMENT_VERSION = '1.14'


@dataclasses.dataclass(frozen=True)
class Provider:
    """An FPGA region's or a GPU's resource provider, as Placement has it.

    ``region`` is the unit identifier: a GPU's is its PCI address; a pool
    of regions (``provider_layout = pooled``) or of GPUs
    (``gpu_provider_layout = pooled``, the default) has none.
    """

    uuid: str
    name: str
    host: str
    region: ty.Optional[str]
    traits: ty.FrozenSet[str]
    total: int
    reserved: int
    used: int

    def function_ids(self):
        """The ids the ``CUSTOM_FPGA_FUNCTION_`` traits name."""
        prefix = placement.trait_name('function', '')
        return {t[len(prefix):].lower() for t in self.traits
                if t.startswith(prefix)}


def _get(cloud, url):
    return cloud.placement.get(url, microversion=PLACEMENT_VERSION).json()


def _provider(cloud, rp, host, region):
    url = '/resource_providers/%s' % rp['uuid']
    inventory = _get(cloud, url + '/inventories')['inventories']
    usages = _get(cloud, url + '/usages')['usages']
    fpga = next(iter(inventory.values()), {})
    return Provider(
        uuid=rp['uuid'], name=rp['name'], host=host, region=region,
        traits=frozenset(_get(cloud, url + '/traits')['traits']),
        total=fpga.get('total', 0), reserved=fpga.get('reserved', 0),
        used=sum(usages.values()))


def _providers(cloud, marker, pool_marker=None):
    """Providers of one unit (``marker``), and pools of ``pool_marker``."""
    found = {}
    for rp in _get(cloud, '/resource_providers')['resource_providers']:
        for host in cloud.computes:
            region = placement.identifier_of(host, rp['name'])
            if ((region and marker in rp['name']) or
                    (pool_marker and placement.is_pool(
                        host, rp['name'], (pool_marker,)))):
                found[rp['name']] = _provider(cloud, rp, host, region)
    return found


def fpga_providers(cloud):
    """The FPGA region providers of every compute, by name."""
    return _providers(cloud, placement.MARKER)


def gpu_providers(cloud):
    """The GPU providers of every compute, pools or not, by name."""
    return _providers(cloud, placement.GPU_MARKER, placement.GPU_POOL_MARKER)


def pools(cloud, host):
    """The pools of FPGA regions of ``host``, by name."""
    return {rp['name']: _provider(cloud, rp, host, None)
            for rp in _get(cloud, '/resource_providers')['resource_providers']
            if placement.is_pool(host, rp['name'], (placement.POOL_MARKER,))}


def allocations(cloud, server_id):
    """``{provider uuid: {resource class: amount}}`` of the server."""
    return {uuid: allocation['resources'] for uuid, allocation in _get(
        cloud, '/allocations/%s' % server_id)['allocations'].items()}


def allocated(providers, cloud, server_id):
    """Those of ``providers`` the server's allocations use."""
    used = allocations(cloud, server_id)
    return [p for p in providers.values() if p.uuid in used]


def allocated_regions(cloud, server_id):
    """The FPGA providers the server's allocations use."""
    return allocated(fpga_providers(cloud), cloud, server_id)


def devices_on_host(cloud, hostname):
    """The FPGA cards and GPUs of a compute, as its host's sysfs shows."""
    host = cloud.fpga_hosts[hostname]
    return discovery.discover(host.sysfs_root, host.dev_root,
                              fpga_conf.BACKEND_NAMES).devices


def region_on_host(cloud, provider):
    """``(device, region)`` behind a provider, as its host's sysfs shows."""
    for device in devices_on_host(cloud, provider.host):
        for region in device.regions:
            if model.region_identifier(device, region) == provider.region:
                return device, region
    raise LookupError('%s has no region %s' % (provider.host,
                                               provider.region))


def _pci_address(address):
    return '%04x:%02x:%02x.%x' % tuple(
        int(address.get(key), 16)
        for key in ('domain', 'bus', 'slot', 'function'))


def hostdevs(cloud, hostname, server_id):
    """``[(PCI address, XML)]`` of the PCI hostdevs in the domain XML."""
    xml = cloud.domain_xml(hostname, server_id)
    return [(_pci_address(hostdev.find('./source/address')),
             ElementTree.tostring(hostdev, encoding='unicode').strip())
            for hostdev in ElementTree.fromstring(xml).iterfind(
                './devices/hostdev[@type="pci"]')]
