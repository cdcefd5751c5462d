"""Images the simulated hardware accepts: raw PR payloads and xclbins.

A raw payload is what is left of a GBS once its header is stripped; real
ones are opaque, so the simulated hardware reads a small header of its own
to learn which interface the image was built for and which AFU it holds.
An xclbin is read the way XRT does (reference §3c offsets).
"""

import json
import struct

# An Intel GBS: this GUID, the metadata length, JSON metadata, the payload.
GBS_GUID = b'XeonFPGA\xb7GBSv001'
GBS_MAGIC_NO = 0x1d1f8680
RAW_MAGIC = b'NFSIMPR1'
_RAW_HEADER = struct.Struct('<8s16s16s')

XCLBIN_MAGIC = b'xclbin2\0'
XCLBIN_HEADER_SIZE = 496
XCLBIN_LENGTH_OFFSET = 304
XCLBIN_INTERFACE_OFFSET = 336
XCLBIN_UUID_OFFSET = 416
XCLBIN_PLATFORM = b'xilinx_u250_gen3x16_xdma_shell_4_1'
BITSTREAM = 0
XCLBIN_PR = 1
# magic, m_signature_length, reserved, m_keyBlock, m_uniqueId
_AXLF_TOP = struct.Struct('<8si28s256sQ')
# m_length, m_timeStamp, m_featureRomTimeStamp, m_versionPatch,
# m_versionMajor, m_versionMinor, m_mode, m_actionMask, m_interface_uuid,
# m_platformVBNV, uuid, m_debug_bin, m_numSections
_AXLF_HEADER = struct.Struct('<QQQHBBHH16s64s16s16sI4x')
# m_sectionKind, m_sectionName, m_sectionOffset, m_sectionSize
_SECTION = struct.Struct('<I16s4xQQ')


def make_raw_payload(interface_id, afu_id, size=4096):
    """A raw PR payload for ``interface_id`` that loads ``afu_id``."""
    header = _RAW_HEADER.pack(RAW_MAGIC, bytes.fromhex(interface_id),
                              bytes.fromhex(afu_id))
    if size < len(header):
        raise ValueError('a raw payload needs at least %d bytes' %
                         len(header))
    return header + b'\xa5' * (size - len(header))


def read_raw_payload(data):
    """``(interface_id, afu_id)`` of a payload, or None if not one of ours."""
    if len(data) < _RAW_HEADER.size or not data.startswith(RAW_MAGIC):
        return None
    _, interface_id, afu_id = _RAW_HEADER.unpack_from(data)
    return interface_id.hex(), afu_id.hex()


def make_gbs(interface_id, afu_id, name='afu', payload=None):
    """A GBS that loads ``afu_id`` into regions of ``interface_id``.

    The payload defaults to what the simulated hardware accepts.
    """
    metadata = json.dumps({
        'version': 1,
        'afu-image': {
            'magic-no': GBS_MAGIC_NO,
            'interface-uuid': dashed(interface_id),
            'accelerator-clusters': [{
                'name': name, 'total-contexts': 1,
                'accelerator-type-uuid': dashed(afu_id)}],
        },
    }).encode()
    if payload is None:
        payload = make_raw_payload(interface_id, afu_id)
    return GBS_GUID + struct.pack('<I', len(metadata)) + metadata + payload


def make_xclbin(interface_id, xclbin_id, payload=b'\0' * 64):
    """A minimal valid xclbin: the header and one BITSTREAM section."""
    top = _AXLF_TOP.pack(XCLBIN_MAGIC, -1, b'\xff' * 28, b'\xff' * 256, 0)
    header = _AXLF_HEADER.pack(
        XCLBIN_HEADER_SIZE + len(payload), 0, 0, 0, 2, 0, XCLBIN_PR, 0,
        bytes.fromhex(interface_id), XCLBIN_PLATFORM,
        bytes.fromhex(xclbin_id), bytes(16), 1)
    section = _SECTION.pack(BITSTREAM, b'BITSTREAM', XCLBIN_HEADER_SIZE,
                            len(payload))
    return top + header + section + payload


def read_xclbin(data):
    """``(interface_id, xclbin_id)``; ValueError says what is wrong."""
    if len(data) < XCLBIN_HEADER_SIZE or not data.startswith(XCLBIN_MAGIC):
        raise ValueError('not an xclbin (bad magic or too short)')
    (length,) = struct.unpack_from('<Q', data, XCLBIN_LENGTH_OFFSET)
    if length != len(data):
        raise ValueError('m_length %d is not the size %d' % (
            length, len(data)))
    interface_id = data[XCLBIN_INTERFACE_OFFSET:][:16].hex()
    xclbin_id = data[XCLBIN_UUID_OFFSET:][:16].hex()
    return interface_id, xclbin_id


def dashed(hex_id):
    """``%pUb`` form, as XRT's xclbinuuid shows it."""
    return '-'.join((hex_id[:8], hex_id[8:12], hex_id[12:16], hex_id[16:20],
                     hex_id[20:]))
