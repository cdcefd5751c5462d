"""The host inventory: FPGA devices and GPUs, and what a guest receives.

Plain data and no I/O, so discovery, reporting and programming can each be
tested alone. Ids are 32 lowercase hex digits or None. A GPU is a Device of
the GPU family with one Region: the whole GPU, nothing to program.

Also what names a region on its host (its unit identifier, the suffix of
its Placement provider's name and the name of its records), in the cloud
(its UUID) and whether a guest could be given it.
"""

import hashlib
import re
import typing as ty
import uuid

PF = 'PF'
VF = 'VF'
GPU = 'gpu'
# Where a device's memory size was read.
MEMORY_SYSFS = 'sysfs'
MEMORY_TABLE = 'table'
MEMORY_BAR = 'bar'
# Drivers that leave a GPU to passthrough; any other is the host's own.
PASSTHROUGH_DRIVERS = (None, 'vfio-pci', 'pci-stub')
# Why a healthy region cannot be given to a guest all the same.
NO_ATTACH = 'it has no PCI function to attach'
# A unit identifier ends its provider's name, which Placement allows 200
# characters: 120 of the node name, the marker (``_FPGA_``) and this.
MAX_IDENTIFIER = 74

_PCI_ADDRESS = re.compile(
    r'^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$')
_HEX_ID = re.compile(r'^[0-9a-f]{32}$')


class Region(ty.NamedTuple):
    """A partial-reconfiguration region: one slot a guest can be given.

    ``attach`` holds the PCI functions the guest would receive, all of kind
    ``attach_kind`` (PF or VF). ``port`` is the region's port number on its
    card where the driver family has ports.
    """

    name: str
    interface_id: ty.Optional[str] = None
    function_id: ty.Optional[str] = None
    attach: ty.Tuple[str, ...] = ()
    attach_kind: str = PF
    port: ty.Optional[int] = None
    health_reason: ty.Optional[str] = None

    @property
    def healthy(self):
        return self.health_reason is None


class Device(ty.NamedTuple):
    """One FPGA card or GPU, known by the PCI address of its first function.

    For an FPGA card that is the management function; a GPU has the family
    GPU and its model as ``board``.
    ``memory_mb`` is the on-board memory, ``memory_source`` one of the
    MEMORY_ constants: a BAR size (MEMORY_BAR) is only an aperture, so it
    is shown but never reported as memory. ``driver`` is the kernel driver
    bound to the device (GPUs).
    """

    address: str
    vendor: str
    family: str
    board: str
    vendor_id: ty.Optional[str] = None
    device_id: ty.Optional[str] = None
    numa_node: ty.Optional[int] = None
    regions: ty.Tuple[Region, ...] = ()
    health_reason: ty.Optional[str] = None
    architecture: ty.Optional[str] = None
    memory_mb: ty.Optional[int] = None
    memory_source: ty.Optional[str] = None
    memory_type: ty.Optional[str] = None
    iommu_group: ty.Optional[int] = None
    driver: ty.Optional[str] = None

    @property
    def healthy(self):
        return self.health_reason is None

    @property
    def is_gpu(self):
        return self.family == GPU

    @property
    def in_host_use(self):
        """A GPU bound to a host driver (nvidia, amdgpu, i915...)."""
        return self.is_gpu and self.driver not in PASSTHROUGH_DRIVERS


class Inventory(ty.NamedTuple):
    devices: ty.Tuple[Device, ...] = ()

    def device(self, address):
        for dev in self.devices:
            if dev.address == address:
                return dev
        raise KeyError(address)


def health(obj):
    return 'ok' if obj.healthy else 'unhealthy'


def region_to_dict(region):
    return {
        'name': region.name,
        'port': region.port,
        'interface_id': region.interface_id,
        'function_id': region.function_id,
        'attach': list(region.attach),
        'attach_kind': region.attach_kind,
        'health': health(region),
        'health_reason': region.health_reason,
    }


def device_to_dict(dev):
    return {
        'address': dev.address,
        'vendor': dev.vendor,
        'family': dev.family,
        'board': dev.board,
        'vendor_id': dev.vendor_id,
        'device_id': dev.device_id,
        'numa_node': dev.numa_node,
        'health': health(dev),
        'health_reason': dev.health_reason,
        'architecture': dev.architecture,
        'memory_mb': dev.memory_mb,
        'memory_source': dev.memory_source,
        'memory_type': dev.memory_type,
        'iommu_group': dev.iommu_group,
        'driver': dev.driver,
        'regions': [region_to_dict(r) for r in dev.regions],
    }


def inventory_to_dict(inventory):
    return {'devices': [device_to_dict(d) for d in inventory.devices]}


def normalize_id(text):
    """An interface or function id as 32 lowercase hex digits.

    Accepts the kernel's form (32 hex), dashed UUIDs (GBS, xclbin) and a
    ``0x`` prefix. Raises ValueError for anything else.
    """
    if _HEX_ID.fullmatch(text):
        # As the kernel shows them: nothing to change.
        return text
    value = text.strip().lower().replace('-', '')
    if value.startswith('0x'):
        value = value[2:]
    if not _HEX_ID.match(value):
        raise ValueError('not a 32-digit hex id: %r' % text)
    return value


def addresses(devices):
    """Every PCI address the devices hold: their own and their regions'."""
    return ({d.address for d in devices} |
            {a for d in devices for r in d.regions for a in r.attach})


def is_pci_address(name):
    return bool(_PCI_ADDRESS.match(name))


def shorten(text, limit):
    """``text`` cut to ``limit`` characters, kept unique by a hash."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return '%s_%s' % (text[:limit - 13], digest)


def region_identifier(device, region):
    """The unit identifier of a region (a GPU: its address) on its host."""
    if device.is_gpu:
        return device.address
    return shorten('%s_%s' % (device.address, region.name), MAX_IDENTIFIER)


def region_uuid(node_uuid, identifier):
    """A region's UUID in the cloud, from its compute node's and identifier.

    ``node_uuid``: a string or a uuid.UUID.

    Stable while both are: across restarts of the compute and changes of
    provider layout. Placement holds it as an aggregate of the provider
    the region is in, which names the region's host.
    """
    if not isinstance(node_uuid, uuid.UUID):
        node_uuid = uuid.UUID(node_uuid)
    return str(uuid.uuid5(node_uuid, identifier))


def usable(device, region):
    """Whether a guest could be given the region now."""
    return device.healthy and region.healthy and bool(region.attach)


def unusable_reason(device, region):
    """Why a guest cannot be given the region now."""
    return device.health_reason or region.health_reason or NO_ATTACH


def describe(device, region):
    """A region as messages name it: its card's address and its name."""
    return '%s %s' % (device.address, region.name)


def unit_of(identifiers):
    """What the units are called in a message: GPUs, or FPGA regions.

    A GPU's identifier is its PCI address; a region's has its name after.
    """
    if identifiers and all(is_pci_address(i) for i in identifiers):
        return 'GPU'
    return 'FPGA region'
