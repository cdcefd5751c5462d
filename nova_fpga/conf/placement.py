"""``[fpga]`` options of Placement reporting, and their validation."""

import dataclasses
import re
import typing as ty

import os_resource_classes as orc
import os_traits
from oslo_config import cfg

OPTS = [
    cfg.ListOpt(
        'enabled_devices',
        default=[],
        help='The FPGA cards and GPUs Nova may use, each given by the PCI '
             'address of its management function (0000:5e:00.0) or by its '
             'PCI vendor:device id (8086:bcce). Empty: every card and GPU '
             'found. Devices left out are not reported to Placement; SoC '
             'FPGAs, which have no PCI address, are reported only when the '
             'list is empty.'),
    cfg.ListOpt(
        'gpu_host_driver_allowlist',
        default=[],
        help='GPUs bound to a host driver (nvidia, nouveau, amdgpu, i915, '
             'xe...) that Nova may still give to guests, by PCI address or '
             'vendor:device id as in enabled_devices. Other GPUs bound to a '
             'host driver are the host\'s and are not reported; GPUs bound '
             'to vfio-pci, pci-stub or no driver are. libvirt detaches an '
             'allowed GPU from its host driver when a guest starts.'),
    cfg.DictOpt(
        'resource_classes',
        default={},
        help='Resource class of the regions of a card type, as '
             '<board>:<class> pairs, for example '
             'n6000:CUSTOM_FPGA_INTEL_PF. <board> is the board name '
             '`nova-fpga discover` prints; <class> is FPGA or a CUSTOM_ '
             'class. Card types not listed use FPGA; GPUs are always '
             'PGPU.'),
    cfg.StrOpt(
        'provider_layout',
        default='pooled',
        choices=[
            ('pooled', 'one resource provider per group of regions alike '
                       '(same resource class, traits and health), total '
                       'their count; Nova picks the region among them '
                       '(the cloud-wide API shows which). GET '
                       '/allocation_candidates stays within a second at '
                       '1,000 hosts of 16 regions, where the region layout '
                       'takes up to 2.4 s, and the idle periodic update of '
                       'a 16-card host costs 1.5 times a host\'s without '
                       'FPGAs, against 6.6 times'),
            ('region', 'one resource provider per FPGA region: Placement '
                       'shows which region each instance holds'),
        ],
        help='How FPGA regions are reported to Placement (GPUs: '
             'gpu_provider_layout). Changing it is safe on a running '
             'host: free regions move at the next periodic update, each '
             'held region when its instance releases it.'),
    cfg.StrOpt(
        'gpu_provider_layout',
        default='pooled',
        choices=[
            ('pooled', 'one resource provider per group of GPUs alike '
                       '(same model, traits, health and NUMA node), total '
                       'their count; Nova picks the GPUs among them. A '
                       'flavor asks for N GPUs with resources:PGPU=N. '
                       'GET /allocation_candidates for two GPUs takes '
                       'about half the time of the device layout\'s at '
                       '1,000 hosts of 8 GPUs'),
            ('device', 'one resource provider per GPU: a flavor asks for '
                       'N GPUs with N granular request groups of PGPU=1'),
        ],
        help='How GPUs are reported to Placement. Changing it is safe on '
             'a running host: free GPUs move at the next periodic update, '
             'each held GPU when its instance releases it.'),
    cfg.MultiStrOpt(
        'extra_traits',
        default=[],
        help='Traits to add to every region of a card type, or to every '
             'GPU of a model, as <board>:<TRAIT>[,<TRAIT>...] (<board> a '
             'board or GPU model as `nova-fpga discover` prints it), for '
             'example '
             'n6000:CUSTOM_LOW_LATENCY,CUSTOM_NETWORK. Repeat the option '
             'for more card types. Traits are standard (os-traits) or '
             'CUSTOM_ names.'),
]

_PCI_ADDRESS = re.compile(r'^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$')
_PCI_ID = re.compile(r'^[0-9a-f]{4}:[0-9a-f]{4}$')
_CUSTOM = re.compile(r'^CUSTOM_[A-Z0-9_]{1,248}$')
_BOARD = re.compile(r'^[a-z0-9_]+$')
# Nova's PCI reporting deletes every provider that carries it.
FORBIDDEN_TRAITS = frozenset({os_traits.COMPUTE_MANAGED_PCI_DEVICE})


class InvalidOption(Exception):
    def __init__(self, name, value, reason):
        super().__init__('[fpga] %s: %r %s' % (name, value, reason))


@dataclasses.dataclass(frozen=True)
class PlacementOptions:
    """The validated ``[fpga]`` options that shape what Placement sees."""

    addresses: ty.FrozenSet[str] = frozenset()
    pci_ids: ty.FrozenSet[str] = frozenset()
    host_gpu_addresses: ty.FrozenSet[str] = frozenset()
    host_gpu_ids: ty.FrozenSet[str] = frozenset()
    resource_classes: ty.Mapping[str, str] = dataclasses.field(
        default_factory=dict)
    extra_traits: ty.Mapping[str, ty.FrozenSet[str]] = dataclasses.field(
        default_factory=dict)
    pooled: bool = False
    gpu_pooled: bool = True

    def allows(self, device):
        if device.in_host_use and not _names(
                device, self.host_gpu_addresses, self.host_gpu_ids):
            return False
        if not (self.addresses or self.pci_ids):
            return True
        return _names(device, self.addresses, self.pci_ids)

    def resource_class(self, board):
        return self.resource_classes.get(board, orc.FPGA)

    def traits(self, board):
        return self.extra_traits.get(board, frozenset())

    @property
    def all_extra_traits(self):
        return frozenset().union(*self.extra_traits.values())


def _names(device, addresses, pci_ids):
    return (device.address in addresses or
            '%s:%s' % (device.vendor_id, device.device_id) in pci_ids)


def _board(name, value, board):
    board = board.strip().lower()
    if not _BOARD.match(board):
        raise InvalidOption(name, value, 'does not start with a board name')
    return board


def _devices(name, values):
    addresses, pci_ids = set(), set()
    for value in values:
        item = value.strip().lower()
        if _PCI_ADDRESS.match(item):
            addresses.add(item)
        elif _PCI_ID.match(item):
            pci_ids.add(item)
        else:
            raise InvalidOption(
                name, value,
                'is neither a PCI address (0000:5e:00.0) nor a PCI '
                'vendor:device id (8086:bcce)')
    return frozenset(addresses), frozenset(pci_ids)


def _resource_classes(mapping):
    classes = {}
    for board, rc in mapping.items():
        value = '%s:%s' % (board, rc)
        if rc != orc.FPGA and not _CUSTOM.match(rc):
            raise InvalidOption(
                'resource_classes', value,
                'names neither FPGA nor a CUSTOM_ resource class '
                '(CUSTOM_ followed by A-Z, 0-9 and _)')
        classes[_board('resource_classes', value, board)] = rc
    return classes


def _extra_traits(values):
    standard = frozenset(os_traits.get_traits())
    traits = {}
    for value in values:
        board, sep, names = value.partition(':')
        if not sep:
            raise InvalidOption('extra_traits', value,
                                'is not <board>:<TRAIT>[,<TRAIT>...]')
        board = _board('extra_traits', value, board)
        found = frozenset(t.strip() for t in names.split(',') if t.strip())
        bad = sorted(t for t in found
                     if t in FORBIDDEN_TRAITS or
                     not (t in standard or _CUSTOM.match(t)))
        if bad or not found:
            raise InvalidOption(
                'extra_traits', value,
                'has invalid trait(s) %s: use standard (os-traits) or '
                'CUSTOM_ names, never %s' % (
                    ', '.join(bad) or '(none given)',
                    ', '.join(sorted(FORBIDDEN_TRAITS))))
        traits[board] = traits.get(board, frozenset()) | found
    return traits


def placement_options(conf):
    """Validate the reporting options; raise InvalidOption naming one."""
    addresses, pci_ids = _devices('enabled_devices',
                                  conf.fpga.enabled_devices)
    host_gpu_addresses, host_gpu_ids = _devices(
        'gpu_host_driver_allowlist', conf.fpga.gpu_host_driver_allowlist)
    return PlacementOptions(
        addresses=addresses, pci_ids=pci_ids,
        host_gpu_addresses=host_gpu_addresses, host_gpu_ids=host_gpu_ids,
        resource_classes=_resource_classes(conf.fpga.resource_classes),
        extra_traits=_extra_traits(conf.fpga.extra_traits),
        pooled=conf.fpga.provider_layout == 'pooled',
        gpu_pooled=conf.fpga.gpu_provider_layout == 'pooled')
