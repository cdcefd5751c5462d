import json
import os
import struct
import tracemalloc

import fixtures
import testtools

from nova_fpga.bitstream import exception
from nova_fpga.bitstream import headers
from nova_fpga import model
from nova_fpga.simulator import images
from tests.unit.bitstream import fakes

GiB = 1024 ** 3


def xclbin(interface_id=fakes.XCLBIN_INTERFACE, xclbin_id=fakes.XCLBIN_ID,
           payload=b'\0' * 64, **fields):
    """make_xclbin's file with header fields at their offsets replaced."""
    data = bytearray(images.make_xclbin(interface_id, xclbin_id, payload))
    offsets = {'length': (304, '<Q'), 'mode': (332, '<H'),
               'count': (448, '<I'), 'kind': (456, '<I'),
               'section_size': (488, '<Q')}
    for name, value in fields.items():
        offset, fmt = offsets[name]
        struct.pack_into(fmt, data, offset, value)
    return bytes(data)


class ParseTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def file(self, data, name='bitstream'):
        path = os.path.join(self.dir, name)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def assertInvalid(self, data, message):
        path = self.file(data)
        e = self.assertRaises(exception.InvalidBitstream, headers.parse, path)
        self.assertIn(message, str(e))
        self.assertIsInstance(e, exception.BitstreamError)
        return str(e)

    def test_gbs(self):
        data = fakes.make_gbs(payload=b'\x01' * 100)
        metadata_length = len(data) - 20 - 100
        header = headers.parse(self.file(data))
        self.assertEqual(
            headers.Header(format='gbs', interface_id=fakes.INTERFACE,
                           function_id=fakes.AFU,
                           payload_offset=20 + metadata_length,
                           size=len(data)),
            header)

    def test_gbs_ids_are_normalised(self):
        metadata = fakes.gbs_metadata()
        image = metadata['afu-image']
        image['interface-uuid'] = image['interface-uuid'].upper()
        image['accelerator-clusters'][0]['accelerator-type-uuid'] = fakes.AFU
        header = headers.parse(self.file(fakes.make_gbs(metadata=metadata)))
        self.assertEqual(fakes.INTERFACE, header.interface_id)
        self.assertEqual(fakes.AFU, header.function_id)

    def test_gbs_metadata_padded_with_nuls(self):
        raw = json.dumps(fakes.gbs_metadata()).encode() + b'\0' * 12
        data = fakes.make_gbs(raw_metadata=raw)
        header = headers.parse(self.file(data))
        self.assertEqual(20 + len(raw), header.payload_offset)
        self.assertEqual(fakes.INTERFACE, header.interface_id)

    def test_gbs_largest_metadata(self):
        raw = json.dumps(fakes.gbs_metadata()).encode()
        raw += b' ' * (8191 - len(raw))
        header = headers.parse(self.file(fakes.make_gbs(raw_metadata=raw)))
        self.assertEqual(20 + 8191, header.payload_offset)

    def test_xclbin(self):
        data = images.make_xclbin(fakes.XCLBIN_INTERFACE, fakes.XCLBIN_ID)
        header = headers.parse(self.file(data))
        self.assertEqual(
            headers.Header(format='xclbin',
                           interface_id=fakes.XCLBIN_INTERFACE,
                           function_id=fakes.XCLBIN_ID, payload_offset=0,
                           size=len(data)),
            header)

    def test_xclbin_pdi_section(self):
        header = headers.parse(self.file(xclbin(kind=18)))
        self.assertEqual(fakes.XCLBIN_ID, header.function_id)

    def assert_only_the_header_is_read(self, data):
        path = self.file(data)
        os.truncate(path, GiB)
        tracemalloc.start()
        try:
            header = headers.parse(path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(GiB, header.size)
        self.assertLess(peak, 256 * 1024)

    def test_only_the_header_of_a_large_gbs_is_read(self):
        self.assert_only_the_header_is_read(fakes.make_gbs())

    def test_only_the_header_of_a_large_xclbin_is_read(self):
        self.assert_only_the_header_is_read(
            xclbin(length=GiB, section_size=GiB - 496))

    def test_gbs_metadata_length_zero(self):
        data = headers.GBS_GUID + struct.pack('<I', 0) + b'\xa5' * 64
        self.assertInvalid(data, 'GBS metadata length 0 out of range')

    def test_gbs_metadata_length_too_large(self):
        raw = json.dumps(fakes.gbs_metadata()).encode()
        raw += b' ' * (8192 - len(raw))
        self.assertInvalid(fakes.make_gbs(raw_metadata=raw),
                           'GBS metadata length 8192 out of range')

    def test_gbs_metadata_past_the_end(self):
        data = headers.GBS_GUID + struct.pack('<I', 4000) + b'{}'
        self.assertInvalid(
            data, 'GBS metadata length 4000 leaves no payload in a 22-byte')

    def test_gbs_without_payload(self):
        self.assertInvalid(fakes.make_gbs(payload=b''), 'leaves no payload')

    def test_gbs_header_cut_short(self):
        self.assertInvalid(headers.GBS_GUID + b'\x10\0',
                           'file ends inside the GBS header')

    def test_gbs_metadata_not_json(self):
        self.assertInvalid(fakes.make_gbs(raw_metadata=b'{"afu-image": '),
                           'GBS metadata is not JSON')

    def test_gbs_metadata_not_utf8(self):
        self.assertInvalid(fakes.make_gbs(raw_metadata=b'{"\xff": 1}'),
                           'GBS metadata is not JSON')

    def test_gbs_metadata_not_an_object(self):
        self.assertInvalid(fakes.make_gbs(raw_metadata=b'[1, 2]'),
                           'GBS metadata has no afu-image object')

    def test_gbs_without_afu_image(self):
        metadata = fakes.gbs_metadata()
        del metadata['afu-image']
        self.assertInvalid(fakes.make_gbs(metadata=metadata),
                           'GBS metadata has no afu-image object')

    def _without(self, key, value=None, cluster=False):
        metadata = fakes.gbs_metadata()
        target = metadata['afu-image']
        if cluster:
            target = target['accelerator-clusters'][0]
        if value is None:
            del target[key]
        else:
            target[key] = value
        return fakes.make_gbs(metadata=metadata)

    def test_gbs_wrong_magic(self):
        self.assertInvalid(self._without('magic-no', 12345),
                           'GBS afu-image.magic-no is 12345, not 488605312')

    def test_gbs_without_magic(self):
        self.assertInvalid(self._without('magic-no'),
                           'GBS afu-image.magic-no is None')

    def test_gbs_without_interface(self):
        self.assertInvalid(self._without('interface-uuid'),
                           'GBS afu-image.interface-uuid is missing')

    def test_gbs_bad_interface(self):
        self.assertInvalid(self._without('interface-uuid', 'nlb0'),
                           "GBS afu-image.interface-uuid 'nlb0' is not a "
                           "UUID")

    def test_gbs_without_clusters(self):
        self.assertInvalid(self._without('accelerator-clusters'),
                           'accelerator-clusters is missing or empty')

    def test_gbs_empty_clusters(self):
        self.assertInvalid(self._without('accelerator-clusters', []),
                           'accelerator-clusters is missing or empty')

    def test_gbs_bad_afu_id(self):
        self.assertInvalid(
            self._without('accelerator-type-uuid', 42, cluster=True),
            'accelerator-clusters[0].accelerator-type-uuid is missing')

    def test_legacy_gbs(self):
        data = (struct.pack('<I', headers.GBS_MAGIC_NO) +
                bytes.fromhex(fakes.INTERFACE)[::-1] + b'\xa5' * 64)
        self.assertInvalid(data, 'legacy GBS without JSON metadata')

    def test_xclbin_length_does_not_match(self):
        self.assertInvalid(
            xclbin(payload=b'', length=500),
            'xclbin m_length 500 does not match file size 496')

    def test_xclbin_truncated(self):
        data = xclbin()
        self.assertInvalid(data[:-1], 'xclbin m_length 560 does not match '
                                      'file size 559')

    def test_xclbin_header_cut_short(self):
        self.assertInvalid(xclbin()[:300], 'file ends inside the xclbin '
                                           'header')

    def test_xclbin_for_emulation(self):
        self.assertInvalid(xclbin(mode=5),
                           'built for emulation (m_mode SW_EMU)')

    def test_xclbin_without_interface(self):
        self.assertInvalid(xclbin(interface_id='0' * 32),
                           'xclbin m_interface_uuid is zero')

    def test_xclbin_too_many_sections(self):
        self.assertInvalid(xclbin(count=1000),
                           'xclbin m_numSections 1000 does not fit in a '
                           '560-byte file')

    def test_xclbin_section_past_the_end(self):
        self.assertInvalid(xclbin(section_size=65),
                           'xclbin section 0 (kind 0) runs past the end')

    def test_xclbin_without_bitstream_section(self):
        self.assertInvalid(xclbin(kind=6),
                           'xclbin has no BITSTREAM, PDI or '
                           'BITSTREAM_PARTIAL_PDI section')

    def test_raw_payload_is_not_a_bitstream(self):
        data = images.make_raw_payload(fakes.INTERFACE, fakes.AFU)
        self.assertInvalid(data, 'not a GBS or xclbin file (it starts with '
                                 '4e4653494d505231')

    def test_empty_file(self):
        self.assertInvalid(b'', 'not a GBS or xclbin file (it starts with '
                                'nothing: it is empty)')

    def test_missing_file(self):
        path = os.path.join(self.dir, 'absent')
        e = self.assertRaises(exception.InvalidBitstream, headers.parse, path)
        self.assertIn('cannot read %s: No such file' % path, str(e))

    def test_not_a_regular_file(self):
        path = os.path.join(self.dir, 'fifo')
        os.mkfifo(path)
        e = self.assertRaises(exception.InvalidBitstream, headers.parse, path)
        self.assertIn('%s is not a regular file' % path, str(e))


class CheckFitsTest(testtools.TestCase):

    header = headers.Header(format='gbs', interface_id=fakes.INTERFACE,
                            function_id=fakes.AFU, payload_offset=100,
                            size=1000)

    def test_fits(self):
        region = model.Region('port0', interface_id=fakes.INTERFACE)
        self.assertIsNone(headers.check_fits(self.header, region))

    def test_other_interface(self):
        region = model.Region('port0', interface_id=fakes.OTHER_INTERFACE)
        e = self.assertRaises(exception.IncompatibleBitstream,
                              headers.check_fits, self.header, region)
        self.assertEqual(
            'built for interface %s, which does not fit region port0 '
            '(interface %s)' % (fakes.INTERFACE, fakes.OTHER_INTERFACE),
            str(e))

    def test_region_without_interface_id(self):
        region = model.Region('region0')
        e = self.assertRaises(exception.IncompatibleBitstream,
                              headers.check_fits, self.header, region)
        self.assertEqual(
            'region region0 has no interface id, so it cannot be '
            'reconfigured with a bitstream for interface %s' %
            fakes.INTERFACE, str(e))
