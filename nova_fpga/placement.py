"""Host inventory to provider tree: the FPGA and GPU providers of a compute.

Works on Nova's ProviderTree only; the resource tracker flushes the tree to
Placement. Which providers the regions and GPUs become is decided in one
place: ``layout`` and the naming it uses (``provider_name``,
``identifier_of``; a unit's identifier is ``model.region_identifier``).

Memory is reported as trait bands (``CUSTOM_GPU_MEMORY_GE_40G``), not as
inventory: a region or GPU is given whole, so its memory is never shared
out, and a flavor wants a minimum, which a required trait says in any
request group. Inventory would let a request take part of it, or take
memory without the device.
"""

import contextlib
import dataclasses
import hashlib
import re
import typing as ty

from nova import objects
import os_resource_classes as orc
import os_traits
from oslo_log import log as logging

from nova_fpga import model

LOG = logging.getLogger(__name__)

# Every trait of these prefixes on our providers is ours to set and remove;
# other traits an operator sets in Placement are kept.
TRAIT_PREFIX = 'CUSTOM_FPGA_'
GPU_TRAIT_PREFIX = 'CUSTOM_GPU_'
MARKER = '_FPGA_'
# On a region held back until a scrub of it succeeds (regions.quarantine).
QUARANTINED_TRAIT = TRAIT_PREFIX + 'QUARANTINED'
GPU_MARKER = '_GPU_'
# A pool's name ends in a digest of what its units have in common.
POOL_MARKER = '_FPGAPOOL_'
GPU_POOL_MARKER = '_GPUPOOL_'
POOL_DIGEST = 16
# Placement allows 200 characters. Longer node names and identifiers are
# shortened, and kept unique by a hash, to fit.
MAX_NODE_PART = 200 - len(MARKER) - model.MAX_IDENTIFIER
# The memory bands, in GiB: a device gets the trait of every band it
# reaches, so a flavor asks for "at least" one of them.
MEMORY_BANDS_GIB = (1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 64, 80, 96, 128,
                    192, 256, 512)


@dataclasses.dataclass(frozen=True)
class Provider:
    """One provider to report; each of its units has an identifier."""

    name: str
    resource_class: str
    identifiers: ty.Tuple[str, ...]
    reserved: int
    traits: ty.FrozenSet[str]

    @property
    def total(self):
        return len(self.identifiers)


def _trait(prefix, *parts):
    return prefix + re.sub('[^A-Z0-9]+', '_', '_'.join(parts).upper())


def trait_name(*parts):
    return _trait(TRAIT_PREFIX, *parts)


def gpu_trait_name(*parts):
    return _trait(GPU_TRAIT_PREFIX, *parts)


def memory_traits(prefix, device):
    """The memory band and type traits of a device's known memory.

    A BAR size is no memory size (an aperture can be smaller or larger), so
    it gives none.
    """
    if not device.memory_mb or device.memory_source == model.MEMORY_BAR:
        return set()
    gib = round(device.memory_mb / 1024)
    traits = {_trait(prefix, 'memory_ge_%dg' % band)
              for band in MEMORY_BANDS_GIB if gib >= band}
    if device.memory_type:
        traits.add(_trait(prefix, 'memory', device.memory_type))
    return traits


def gpu_traits(device, options):
    traits = {os_traits.OWNER_NOVA,
              gpu_trait_name(device.vendor),
              gpu_trait_name(device.board)}
    if device.architecture:
        traits.add(gpu_trait_name('arch', device.architecture))
    traits |= memory_traits(GPU_TRAIT_PREFIX, device)
    return frozenset(traits | options.traits(device.board))


def gpu_flavor_specs(count, architecture, pooled=True):
    """The extra specs of a flavor for ``count`` GPUs of ``architecture``.

    Pooled (``[fpga] gpu_provider_layout``'s default), the GPUs alike of a
    NUMA node share a provider: the unsuffixed group takes them all from it.
    Otherwise (``device``) each GPU is a provider of one PGPU, and
    Placement takes a group's resource class from one provider: a granular
    group per GPU. Two groups or more need a group policy; with one unit
    per provider, ``none`` and ``isolate`` give the same.
    """
    if pooled:
        return {'resources:' + orc.PGPU: str(count),
                'trait:' + gpu_trait_name('arch', architecture): 'required'}
    specs = {'group_policy': 'none'}
    for group in range(1, count + 1):
        specs['resources_GPU%d:%s' % (group, orc.PGPU)] = '1'
        specs['trait_GPU%d:%s' % (group, gpu_trait_name(
            'arch', architecture))] = 'required'
    return specs


def region_traits(device, region, options):
    if device.is_gpu:
        return gpu_traits(device, options)
    traits = {os_traits.OWNER_NOVA,
              trait_name(device.vendor),
              trait_name(device.vendor, device.board)}
    if region.interface_id:
        traits.add(trait_name('interface', region.interface_id))
    if region.function_id:
        traits.add(trait_name('function', region.function_id))
    traits |= memory_traits(TRAIT_PREFIX, device)
    return frozenset(traits | options.traits(device.board))


def provider_name(nodename, identifier, marker=MARKER):
    return model.shorten(nodename, MAX_NODE_PART) + marker + identifier


def identifier_of(nodename, name):
    """The unit identifier in one of our provider names, else None."""
    for marker in (MARKER, GPU_MARKER):
        prefix = model.shorten(nodename, MAX_NODE_PART) + marker
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return None


def pool_name(nodename, resource_class, traits, free, marker=POOL_MARKER,
              apart=()):
    """The provider of the units alike in class, traits and health.

    ``apart``: what else keeps units apart, that Placement does not see (a
    GPU's NUMA node). Nothing for FPGA regions: their pools keep the names
    they had before GPUs were pooled.
    """
    key = '\n'.join([resource_class, 'free' if free else 'reserved'] +
                    sorted(traits) + [str(a) for a in apart])
    return provider_name(nodename, hashlib.sha256(key.encode()).hexdigest()[
        :POOL_DIGEST], marker)


def _place(nodename, device, region, options, quarantined):
    """``(identifier, own provider name, class, traits, usable)``."""
    unit = model.region_identifier(device, region)
    traits = region_traits(device, region, options)
    if unit in quarantined:
        traits |= {QUARANTINED_TRAIT}
    free = model.usable(device, region) and unit not in quarantined
    if device.is_gpu:
        # The GPUs of a pool share a NUMA node: a flavor's GPUs come from
        # one pool, so from one node, and either all fit its NUMA policy
        # or none does, whichever Nova picks.
        home = (pool_name(nodename, orc.PGPU, traits, free, GPU_POOL_MARKER,
                          ['numa %s' % device.numa_node])
                if options.gpu_pooled
                else provider_name(nodename, unit, GPU_MARKER))
        return unit, home, orc.PGPU, traits, free
    resource_class = options.resource_class(device.board)
    home = (pool_name(nodename, resource_class, traits, free)
            if options.pooled else provider_name(nodename, unit))
    return unit, home, resource_class, traits, free


def _units(nodename, inventory, options, quarantined):
    for device in inventory.devices:
        if options.allows(device):
            for region in device.regions:
                yield _place(nodename, device, region, options, quarantined)


def layout(nodename, inventory, options, quarantined=frozenset(),
           held=None):
    """The providers for a host inventory.

    An FPGA region is a provider of its own, total 1, or, with
    ``options.pooled``, the regions alike (same class, traits and health)
    share one, total their count; Nova's resource tracker then picks which
    of them an instance gets, among the provider's resources. GPUs alike
    (same traits, health and NUMA node) share one too, with
    ``options.gpu_pooled`` (the default), else each is a provider of its
    own. A unit that cannot be given to a guest now counts as reserved,
    and so does a region ``quarantined`` names (by identifier), with
    QUARANTINED_TRAIT.

    ``held``: ``{identifier: (provider name, class, traits)}``, where each
    unit an instance holds is. It stays there while held, even when its
    own provider is another now (its function changed, or the layout
    did) or it is gone from the host: its allocation is there, and Nova's
    resource tracker finds the unit by that provider.

    Returns (providers, pinned): pinned, whether a held unit was kept out
    of its own provider.
    """
    held = held or {}
    found, pinned, seen = {}, [], set()
    for unit, home, resource_class, traits, free in _units(
            nodename, inventory, options, quarantined):
        seen.add(unit)
        if unit in held and held[unit][0] != home:
            pinned.append(unit)
        else:
            _add(found, home, resource_class, traits, unit, free)
    # A held unit no longer on the host stays where it is held too.
    pinned += sorted(set(held) - seen)
    # After the others: a provider's class and traits are its units' own;
    # those of a provider only held units keep are what the tree has. A
    # held unit kept away is not reserved, even when it cannot be given
    # now (its card is lost or gone): its allocation counts it already.
    for unit in pinned:
        _add(found, *held[unit], unit=unit, free=True)
    return [Provider(name=name, resource_class=entry[0],
                     identifiers=tuple(sorted(entry[2])),
                     reserved=entry[3], traits=entry[1])
            for name, entry in found.items()], bool(pinned)


def _add(found, name, resource_class, traits, unit, free):
    entry = found.setdefault(name, [resource_class, frozenset(traits), [], 0])
    entry[2].append(unit)
    entry[3] += not free


def _inventory(resource_class, total, reserved):
    return {resource_class: {
        'total': total, 'reserved': reserved, 'min_unit': 1,
        'max_unit': total, 'step_size': 1, 'allocation_ratio': 1.0}}


def _publish_resources(provider_tree, name, uuid, resource_class,
                       identifiers):
    provider_tree.update_resources(name, {resource_class: {
        objects.Resource(provider_uuid=uuid, resource_class=resource_class,
                         identifier=identifier)
        for identifier in identifiers}})


def is_pool(nodename, name, markers=(POOL_MARKER, GPU_POOL_MARKER)):
    """Whether ``name`` is one of our pools (of ``markers``) on the node."""
    prefix = model.shorten(nodename, MAX_NODE_PART)
    return any(name.startswith(prefix + marker) for marker in markers)


def _is_ours(nodename, name):
    return (identifier_of(nodename, name) is not None or
            is_pool(nodename, name))


def _ours(provider_tree, nodename):
    """Our providers under the compute node: ``{name: data}``."""
    root_uuid = provider_tree.data(nodename).uuid
    found = {}
    for uuid in provider_tree.get_provider_uuids(nodename):
        data = provider_tree.data(uuid)
        if data.parent_uuid == root_uuid and _is_ours(nodename, data.name):
            found[data.name] = data
    return found


@contextlib.contextmanager
def set_aside(provider_tree, nodename):
    """The tree without our providers while the block runs.

    Nova's libvirt driver copies every provider of the tree it is given,
    twice (looking for sharing providers, and keeping a copy for its vGPU
    allocation); ours are neither, and 64 of them cost it 20 times its own
    work. This is done on the tree's internals: through its public API a
    provider can be removed, but not put back with its generation.
    """
    with provider_tree.lock:
        node = provider_tree._find_with_lock(nodename)
        ours = [child for child in node.children.values()
                if _is_ours(nodename, child.name)]
        for child in ours:
            node.remove_child(child)
    try:
        yield
    finally:
        with provider_tree.lock:
            for child in ours:
                node.add_child(child)


def _identifiers(data):
    return sorted(r.identifier for rs in data.resources.values() for r in rs)


def _hold(provider_tree, nodename, data, held=None):
    """Keep a provider as it is, with nothing left to claim.

    Its resources are kept too. A tree just read from Placement has none:
    a pool's are then the ``held`` units in it (``{identifier: provider
    uuid}``), Nova's resource tracker wanting to find them, and a region's
    own provider's its region.
    """
    inventory = {rc: dict(inv, reserved=inv['total'])
                 for rc, inv in data.inventory.items()}
    provider_tree.update_inventory(data.name, inventory)
    identifiers = (_identifiers(data) or
                   sorted(i for i, uuid in (held or {}).items()
                          if uuid == data.uuid)
                   or [identifier_of(nodename, data.name)])
    for rc in inventory:
        if None not in identifiers:
            _publish_resources(provider_tree, data.name, data.uuid, rc,
                               identifiers)


def hold_all(provider_tree, nodename, assigned=dict):
    """Reserve every FPGA provider: for when the host cannot be read.

    ``assigned()`` as ``update`` asks it, here only of a pool provider with
    no resources.
    """
    existing = _ours(provider_tree, nodename).values()
    held = {}
    if any(not _identifiers(data) and is_pool(nodename, data.name)
           for data in existing):
        held = assigned()
    for data in existing:
        _hold(provider_tree, nodename, data, held)


def region_aggregates(node_uuid, provider):
    """The aggregates of a provider: the UUIDs of the FPGA regions in it.

    ``GET /resource_providers?member_of=<region uuid>`` then finds the
    provider, and so the host, of a region, whatever the layout.
    """
    if provider.resource_class == orc.PGPU:
        return set()
    return {model.region_uuid(node_uuid, identifier)
            for identifier in provider.identifiers}


def _apply(provider_tree, nodename, provider, data, managed):
    """Set one provider; ``data`` is what the tree holds of it, or None."""
    if data is None:
        uuid = provider_tree.new_child(provider.name, nodename)
        current = set()
    else:
        uuid, current = data.uuid, data.traits
    provider_tree.update_aggregates(provider.name, region_aggregates(
        provider_tree.data(nodename).uuid, provider))
    provider_tree.update_inventory(provider.name, _inventory(
        provider.resource_class, provider.total, provider.reserved))
    kept = {t for t in current
            if t not in managed and
            not t.startswith((TRAIT_PREFIX, GPU_TRAIT_PREFIX))}
    provider_tree.update_traits(provider.name, kept | provider.traits)
    _publish_resources(provider_tree, provider.name, uuid,
                       provider.resource_class, provider.identifiers)


def _where(existing, assigned):
    """``{identifier: (provider name, class, traits)}`` of held units."""
    ours = {data.uuid: data for data in existing.values()}
    held = {}
    for identifier, uuid in assigned.items():
        data = ours.get(uuid)
        if data is not None and data.inventory:
            held[identifier] = (data.name, next(iter(data.inventory)),
                                data.traits)
    return held


def _kind(nodename, name):
    """What a provider is, and what is gone when it is, for the logs."""
    if name.startswith(model.shorten(nodename, MAX_NODE_PART) + GPU_MARKER):
        return 'GPU', 'GPU is'
    if is_pool(nodename, name, (GPU_POOL_MARKER,)):
        return 'GPU pool', 'GPUs are'
    if identifier_of(nodename, name) is None:
        return 'FPGA pool', 'regions are'
    return 'FPGA', 'region is'


def _may_be_away(nodename, inventory, options, existing):
    """Whether a held unit can be in a provider not its own.

    It can when a unit of the host has a pool for home, or a pool is left
    from another layout: ``update`` then asks where the held units are.
    With a provider per unit and no pool left, each is in its own.
    """
    if any(identifier_of(nodename, name) is None for name in existing):
        return True
    return any(options.gpu_pooled if device.is_gpu else options.pooled
               for device in inventory.devices
               if device.regions and options.allows(device))


def update(provider_tree, nodename, inventory, options, in_use,
           quarantined=frozenset(), assigned=dict):
    """Make the FPGA providers under ``nodename`` match ``inventory``.

    ``quarantined``: the identifiers of regions held back (see
    ``layout``). ``assigned()``: ``{identifier: provider uuid}`` of the
    units instances hold (as their ``resources`` say); asked when units
    of the host are pooled, or pools of another layout are left, since
    then a held unit can be in a provider not its own.

    ``in_use(provider_uuid)`` tells whether allocations use a provider; it
    is asked only about providers no unit is left in or whose resource
    class changed, since Placement refuses to delete a provider, or an
    inventory, that allocations use. Such a provider is kept (reserved, if
    no unit is left in it) until they are released.

    Returns whether the providers now match the inventory: False while one
    is kept so, or a held unit is kept out of its own provider.
    """
    existing = _ours(provider_tree, nodename)
    held = {}
    if _may_be_away(nodename, inventory, options, existing):
        held = _where(existing, assigned())
    providers, pinned = layout(nodename, inventory, options, quarantined,
                               held)
    wanted = {p.name for p in providers}
    settled = not pinned
    for name, data in existing.items():
        if name in wanted:
            continue
        kind, gone = _kind(nodename, name)
        if in_use(data.uuid):
            LOG.warning('%s provider %s (%s) is no longer on this host but '
                        'allocations still use it: it stays, reserved, until '
                        'they are gone.', kind, name, data.uuid)
            _hold(provider_tree, nodename, data)
            settled = False
        else:
            LOG.info('Removing %s provider %s (%s): its %s gone.',
                     kind, name, data.uuid, gone)
            provider_tree.remove(name)
    managed = options.all_extra_traits | {os_traits.OWNER_NOVA}
    for provider in providers:
        data = existing.get(provider.name)
        if (data and data.inventory and
                provider.resource_class not in data.inventory and
                in_use(data.uuid)):
            # Placement refuses to drop a class that allocations use.
            old_class = next(iter(data.inventory))
            LOG.warning('FPGA provider %s keeps resource class %s while '
                        'allocations use it; %s applies once they are gone.',
                        provider.name, old_class, provider.resource_class)
            provider = dataclasses.replace(provider,
                                           resource_class=old_class)
            settled = False
        _apply(provider_tree, nodename, provider, data, managed)
    return settled


def _resource_keys(resources):
    """What tells resources apart (we set no metadata), cheap to compare.

    Nova's ``Resource`` objects compare field by field, and the periodic
    update compares every provider's.
    """
    return {rc: frozenset((r.provider_uuid, r.identifier) for r in found)
            for rc, found in resources.items()}


@dataclasses.dataclass(frozen=True)
class Reported:
    """What ``update`` left in a tree, for the periodic update's fast path.

    The tree a periodic update is given is the report client's copy of
    what was reported last time. When discovery finds the same inventory
    and the tree still holds what ``update`` left, ``update`` would change
    nothing, and its work (most of the periodic cost) is skipped.
    """

    inventory: model.Inventory
    # {identifier: reason} of the quarantined regions (see ``layout``).
    quarantined: ty.Mapping[str, str]
    children: ty.FrozenSet[str]
    # (uuid, inventory, traits, aggregates, resources, their keys) of
    # each provider.
    providers: ty.Tuple[tuple, ...]

    @classmethod
    def of(cls, provider_tree, nodename, inventory, quarantined):
        return cls(inventory, dict(quarantined),
                   frozenset(provider_tree.get_provider_uuids(nodename)),
                   tuple((data.uuid, data.inventory, data.traits,
                          data.aggregates, data.resources,
                          _resource_keys(data.resources))
                         for data in _ours(provider_tree, nodename).values()))

    def holds(self, provider_tree, nodename, inventory, quarantined):
        """Whether ``update`` would leave the tree as it is.

        The providers are compared in place, under the tree's lock, as
        ``set_aside`` reaches them: the tree's API would look each one up
        and lock it three times. Their resources are put back here: Nova's
        report client keeps none in the tree it hands the driver at each
        update (only the resource tracker's own copy has them), and they
        are what ``update`` would set again.
        """
        if (inventory != self.inventory or
                dict(quarantined) != self.quarantined or
                self.children != frozenset(
                    provider_tree.get_provider_uuids(nodename))):
            return False
        with provider_tree.lock:
            children = provider_tree._find_with_lock(nodename).children
            for (uuid, inv, traits, aggregates, resources,
                 keys) in self.providers:
                found = children[uuid]
                if (found.has_inventory_changed(inv) or
                        found.traits != traits or
                        found.aggregates != aggregates):
                    return False
                if _resource_keys(found.resources) != keys:
                    found.update_resources(resources)
        return True
