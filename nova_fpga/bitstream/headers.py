"""Bitstream headers: which interface a file is built for and what it loads.

Intel GBS and AMD xclbin, read from a path. Only header bytes are read
(GBS: at most 20 + 8191 bytes; xclbin: 496 bytes and the section table, a
block at a time), so a large payload is never held in memory. Offsets are
those of reference/fpga-linux-abi.md §3.
"""

import dataclasses
import json
import os
import stat
import struct

from nova_fpga.bitstream import exception
from nova_fpga import model

GBS = 'gbs'
XCLBIN = 'xclbin'

GBS_GUID = b'XeonFPGA\xb7GBSv001'
GBS_MAGIC_NO = 0x1d1f8680
_GBS_PREFIX = struct.Struct('<16sI')
# OPAE's METADATA_MAX_LEN; the length must be strictly below it.
GBS_MAX_METADATA = 8192
# Before OPAE 6.4 a GBS began with the magic number, without JSON.
_LEGACY_GBS = struct.pack('<I', GBS_MAGIC_NO)

XCLBIN_MAGIC = b'xclbin2\0'
XCLBIN_HEADER_SIZE = 496
_XCLBIN_LENGTH = struct.Struct('<Q')
_XCLBIN_LENGTH_OFFSET = 304
_XCLBIN_MODE = struct.Struct('<H')
_XCLBIN_MODE_OFFSET = 332
_XCLBIN_INTERFACE_OFFSET = 336
_XCLBIN_UUID_OFFSET = 416
_XCLBIN_COUNT = struct.Struct('<I')
_XCLBIN_COUNT_OFFSET = 448
_XCLBIN_SECTIONS_OFFSET = 456
# m_sectionKind, m_sectionName, m_sectionOffset, m_sectionSize
_SECTION = struct.Struct('<I16s4xQQ')
_SECTIONS_PER_READ = 256
# Section kinds that carry what is loaded into the fabric.
_LOADABLE_KINDS = frozenset({0, 18, 19})  # BITSTREAM, PDI, PARTIAL_PDI
_EMULATION_MODES = {4: 'HW_EMU', 5: 'SW_EMU', 6: 'HW_EMU_PR'}


@dataclasses.dataclass(frozen=True)
class Header:
    """What a bitstream file says of itself.

    ``function_id`` is the GBS AFU id or the xclbin uuid. ``payload_offset``
    is where the data the kernel wants starts: after the GBS header, or 0
    for an xclbin, which XRT takes whole.
    """

    format: str
    interface_id: str
    function_id: str
    payload_offset: int
    size: int


def _invalid(cause):
    return exception.InvalidBitstream(cause)


def _read_at(f, offset, length, what):
    f.seek(offset)
    data = f.read(length)
    if len(data) != length:
        raise _invalid('file ends inside the %s' % what)
    return data


def _uuid(value, what):
    if not isinstance(value, str):
        raise _invalid('%s is missing' % what)
    try:
        return model.normalize_id(value)
    except ValueError:
        raise _invalid('%s %r is not a UUID' % (what, value)) from None


def _gbs_metadata(f, size):
    _, length = _GBS_PREFIX.unpack(
        _read_at(f, 0, _GBS_PREFIX.size, 'GBS header'))
    if not 0 < length < GBS_MAX_METADATA:
        raise _invalid('GBS metadata length %d out of range (1 to %d)' %
                       (length, GBS_MAX_METADATA - 1))
    if _GBS_PREFIX.size + length >= size:
        raise _invalid('GBS metadata length %d leaves no payload in a '
                       '%d-byte file' % (length, size))
    raw = _read_at(f, _GBS_PREFIX.size, length, 'GBS metadata')
    try:
        # C consumers stop at a NUL, so padding after the JSON is harmless.
        metadata = json.loads(raw.rstrip(b'\0').decode('utf-8'))
    except ValueError as e:
        raise _invalid('GBS metadata is not JSON: %s' % e) from None
    return length, metadata


def _gbs(f, size):
    length, metadata = _gbs_metadata(f, size)
    image = metadata.get('afu-image') if isinstance(metadata, dict) else None
    if not isinstance(image, dict):
        raise _invalid('GBS metadata has no afu-image object')
    magic = image.get('magic-no')
    if magic != GBS_MAGIC_NO:
        raise _invalid('GBS afu-image.magic-no is %r, not %d (0x%x)' %
                       (magic, GBS_MAGIC_NO, GBS_MAGIC_NO))
    interface_id = _uuid(image.get('interface-uuid'),
                         'GBS afu-image.interface-uuid')
    clusters = image.get('accelerator-clusters')
    if not (isinstance(clusters, list) and clusters and
            isinstance(clusters[0], dict)):
        raise _invalid('GBS afu-image.accelerator-clusters is missing or '
                       'empty')
    function_id = _uuid(clusters[0].get('accelerator-type-uuid'),
                        'GBS accelerator-clusters[0].accelerator-type-uuid')
    return Header(GBS, interface_id, function_id,
                  _GBS_PREFIX.size + length, size)


def _xclbin_sections(f, count, length):
    """The kinds of the sections, each checked to lie inside the file."""
    kinds = set()
    index = 0
    while index < count:
        batch = min(_SECTIONS_PER_READ, count - index)
        data = f.read(batch * _SECTION.size)
        for kind, _, offset, size in _SECTION.iter_unpack(data):
            if offset + size > length:
                raise _invalid('xclbin section %d (kind %d) runs past the '
                               'end of the file' % (index, kind))
            kinds.add(kind)
            index += 1
    return kinds


def _xclbin(f, size):
    head = _read_at(f, 0, XCLBIN_HEADER_SIZE, 'xclbin header')
    (length,) = _XCLBIN_LENGTH.unpack_from(head, _XCLBIN_LENGTH_OFFSET)
    if length != size:
        raise _invalid('xclbin m_length %d does not match file size %d' %
                       (length, size))
    (mode,) = _XCLBIN_MODE.unpack_from(head, _XCLBIN_MODE_OFFSET)
    if mode in _EMULATION_MODES:
        raise _invalid('xclbin is built for emulation (m_mode %s), not for '
                       'hardware' % _EMULATION_MODES[mode])
    interface = head[_XCLBIN_INTERFACE_OFFSET:_XCLBIN_INTERFACE_OFFSET + 16]
    if not any(interface):
        raise _invalid('xclbin m_interface_uuid is zero: it is not built '
                       'for a reconfigurable region')
    xclbin_id = head[_XCLBIN_UUID_OFFSET:_XCLBIN_UUID_OFFSET + 16]
    (count,) = _XCLBIN_COUNT.unpack_from(head, _XCLBIN_COUNT_OFFSET)
    if _XCLBIN_SECTIONS_OFFSET + count * _SECTION.size > length:
        raise _invalid('xclbin m_numSections %d does not fit in a %d-byte '
                       'file' % (count, length))
    f.seek(_XCLBIN_SECTIONS_OFFSET)
    if not _xclbin_sections(f, count, length) & _LOADABLE_KINDS:
        raise _invalid('xclbin has no BITSTREAM, PDI or '
                       'BITSTREAM_PARTIAL_PDI section')
    return Header(XCLBIN, interface.hex(), xclbin_id.hex(), 0, size)


def parse(path):
    """The :class:`Header` of the bitstream at ``path``.

    Raises InvalidBitstream saying what is wrong.
    """
    try:
        # Before opening: opening a FIFO would block.
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise _invalid('%s is not a regular file' % path)
        with open(path, 'rb') as f:
            start = f.read(len(GBS_GUID))
            if start == GBS_GUID:
                return _gbs(f, st.st_size)
            if start.startswith(XCLBIN_MAGIC):
                return _xclbin(f, st.st_size)
    except OSError as e:
        raise _invalid('cannot read %s: %s' % (
            path, e.strerror or e)) from None
    if start.startswith(_LEGACY_GBS):
        raise _invalid('legacy GBS without JSON metadata (before OPAE '
                       '6.4) is not supported')
    raise _invalid('not a GBS or xclbin file (it starts with %s)' %
                   (start.hex() or 'nothing: it is empty'))


def check_fits(header, region):
    """Raise IncompatibleBitstream unless ``header`` fits the region."""
    if region.interface_id is None:
        raise exception.IncompatibleBitstream(
            'region %s has no interface id, so it cannot be reconfigured '
            'with a bitstream for interface %s' % (
                region.name, header.interface_id))
    if header.interface_id != region.interface_id:
        raise exception.IncompatibleBitstream(
            'built for interface %s, which does not fit region %s '
            '(interface %s)' % (header.interface_id, region.name,
                                region.interface_id))
