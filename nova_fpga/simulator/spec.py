"""What to build: card specs and their command-line syntax."""

import dataclasses
import re
import typing as ty

from nova_fpga.simulator import kinds

SYNTAX = 'KIND[:COUNT][,key=value...]'
KEYS = ('vfs', 'function', 'numa', 'driver')
MAX_CARDS = 28
_HEX_ID = re.compile(r'^[0-9a-f]{32}$')


@dataclasses.dataclass(frozen=True)
class CardSpec:
    """One card; ``function_id`` None means the kind's default load."""

    kind: str
    vfs: int = 0
    function_id: ty.Optional[str] = None
    numa_node: int = 0
    # GPUs: the bound driver; None is vfio-pci.
    driver: ty.Optional[str] = None


def _help():
    return 'syntax %s; kinds: %s; keys: %s' % (
        SYNTAX, ', '.join(kinds.KINDS), ', '.join(KEYS))


def normalize_id(text):
    """32 lowercase hex digits from a plain or dashed id, or ValueError."""
    value = text.strip().lower().replace('-', '')
    if not _HEX_ID.match(value):
        raise ValueError('%r is not a 32-digit hex id' % text)
    return value


def check(spec):
    """Raise ValueError if the card cannot exist as specified."""
    kind = kinds.KINDS.get(spec.kind)
    if kind is None:
        raise ValueError('unknown card kind %r; %s' % (spec.kind, _help()))
    if not 0 <= spec.vfs <= kind.totalvfs:
        raise ValueError('vfs=%d out of range for %s (sriov_totalvfs %d)' % (
            spec.vfs, spec.kind, kind.totalvfs))
    if spec.driver is not None and kind.family != kinds.GPU:
        raise ValueError('%s is not a GPU; drop driver=' % spec.kind)
    if spec.function_id is not None:
        if kind.family in (kinds.FPGA_REGION, kinds.GPU):
            raise ValueError('%s shows no function id; drop function=' %
                             spec.kind)
        normalize_id(spec.function_id)
    if spec.numa_node < -1:
        raise ValueError('numa=%d: NUMA node must be -1 or more' %
                         spec.numa_node)


def check_all(specs):
    """Raise ValueError unless all the cards fit on one host."""
    for spec in specs:
        check(spec)
    if len(specs) > MAX_CARDS:
        raise ValueError('%d cards: at most %d fit' % (len(specs), MAX_CARDS))
    if sum(spec.kind == 'zynqmp' for spec in specs) > 1:
        raise ValueError('a host has at most one zynqmp (one PCAP)')


def _integer(text, what, card):
    try:
        return int(text)
    except ValueError:
        raise ValueError('bad card %r: %s %r is not an integer; %s' % (
            card, what, text, _help())) from None


def parse_card(text):
    """``n6000:2,vfs=3`` -> two CardSpecs. ValueError names the bad part."""
    card = text.strip()
    head, *options = card.split(',')
    kind, colon, count_text = head.partition(':')
    kind = kind.strip()
    if kind not in kinds.KINDS:
        raise ValueError('bad card %r: unknown kind %r; %s' % (
            card, kind, _help()))
    count = 1
    if colon:
        count = _integer(count_text, 'COUNT', card)
        if count < 1:
            raise ValueError('bad card %r: COUNT must be positive; %s' % (
                card, _help()))
    values = {}
    for option in options:
        key, equals, value = (s.strip() for s in option.partition('='))
        if key not in KEYS or not equals:
            raise ValueError('bad card %r: bad option %r; %s' % (
                card, option, _help()))
        values[key] = value
    function_id = values.get('function')
    if function_id is not None:
        try:
            function_id = normalize_id(function_id)
        except ValueError as e:
            raise ValueError('bad card %r: function: %s' % (card, e)) from None
    spec = CardSpec(
        kind=kind,
        vfs=_integer(values.get('vfs', '0'), 'vfs', card),
        function_id=function_id,
        numa_node=_integer(values.get('numa', '0'), 'numa', card),
        driver=values.get('driver') or None)
    try:
        check_all([spec] * count)
    except ValueError as e:
        raise ValueError('bad card %r: %s' % (card, e)) from None
    return [spec] * count
