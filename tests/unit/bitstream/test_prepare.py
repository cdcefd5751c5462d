import collections
import errno
import inspect
import os
import tempfile

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from nova_fpga import bitstream
from nova_fpga.bitstream import cache
from nova_fpga.bitstream import exception
from nova_fpga import conf as fpga_conf
from nova_fpga import model
from nova_fpga.simulator import images
from tests.unit.bitstream import fakes
from tests import writable

Request = collections.namedtuple('Request', 'bitstream_id function')
CONTEXT = object()
REGION = model.Region('port0', interface_id=fakes.INTERFACE)
DEVICE = model.Device(address='0000:5e:00.0', vendor='intel', family='dfl',
                      board='n6000', vendor_id='8086', device_id='bcce',
                      regions=(REGION,))
XRT_REGION = model.Region('0', interface_id=fakes.XCLBIN_INTERFACE)
XRT_DEVICE = model.Device(address='0000:3b:00.0', vendor='xilinx',
                          family='xrt', board='u250', vendor_id='10ee',
                          device_id='5004', regions=(XRT_REGION,))
GBS_ID = '11111111-0000-4000-8000-000000000001'
XCLBIN_ID = '22222222-0000-4000-8000-000000000002'


def gbs_image(image_id=GBS_ID, data=None, **props):
    properties = {'fpga_interface_id': fakes.INTERFACE,
                  'fpga_function_id': fakes.AFU, 'fpga_function': 'nlb',
                  'fpga_vendor': 'intel'}
    properties.update(props)
    return fakes.Image(image_id, fakes.make_gbs() if data is None else data,
                       name='nlb0', properties={
                           k: v for k, v in properties.items()
                           if v is not None})


class PrepareTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.cache = cache.Cache(self.dir, 1024 * 1024)

    def prepare(self, api, bitstream_id=None, function=None, region=REGION,
                device=DEVICE, **kwargs):
        return bitstream.prepare(CONTEXT, api, self.cache, region, device,
                                 Request(bitstream_id, function), **kwargs)

    def assertRefused(self, error, api, message, **kwargs):
        e = self.assertRaises(error, self.prepare, api, **kwargs)
        self.assertIsInstance(e, exception.BitstreamError)
        self.assertEqual(message, str(e))
        return e

    def test_gbs_by_id(self):
        api = fakes.FakeImageAPI(gbs_image())
        prepared = self.prepare(api, bitstream_id=GBS_ID)
        with open(prepared.path, 'rb') as f:
            self.assertEqual(fakes.make_gbs(), f.read())
        self.assertEqual('gbs', prepared.header.format)
        self.assertEqual(fakes.AFU, prepared.header.function_id)
        self.assertEqual(GBS_ID, prepared.image_meta['id'])
        self.assertEqual(1, api.downloads)
        self.assertIsNotNone(prepared.download_seconds)
        # The same request again is served from the cache.
        again = self.prepare(api, bitstream_id=GBS_ID)
        self.assertEqual((prepared.path, prepared.header),
                         (again.path, again.header))
        self.assertIsNone(again.download_seconds)
        self.assertEqual(1, api.downloads)

    def test_progress_hears_of_a_download_only(self):
        api = fakes.FakeImageAPI(gbs_image())
        heard = []
        for _ in range(2):
            self.prepare(api, bitstream_id=GBS_ID, progress=heard.append)
        self.assertEqual(2, len(heard), heard)
        self.assertIn('Downloading bitstream image %s (nlb0)' % GBS_ID,
                      heard[0])
        self.assertIn('verifying', heard[1])

    def test_xclbin_by_function(self):
        data = images.make_xclbin(fakes.XCLBIN_INTERFACE, fakes.XCLBIN_ID)
        api = fakes.FakeImageAPI(
            gbs_image(),
            fakes.Image(XCLBIN_ID, data, name='vadd', properties={
                'fpga_function': 'nlb', 'fpga_vendor': 'xilinx',
                'fpga_interface_id': fakes.dashed(fakes.XCLBIN_INTERFACE),
                'fpga_function_id': fakes.XCLBIN_ID}))
        prepared = self.prepare(api, function='nlb', region=XRT_REGION,
                                device=XRT_DEVICE)
        self.assertEqual(XCLBIN_ID, prepared.image_meta['id'])
        self.assertEqual(('xclbin', 0),
                         (prepared.header.format,
                          prepared.header.payload_offset))

    def test_header_does_not_fit(self):
        # Seed-style images say nothing of the interface: the header tells.
        api = fakes.FakeImageAPI(gbs_image(
            data=fakes.make_gbs(interface_id=fakes.OTHER_INTERFACE),
            fpga_interface_id=None))
        self.assertRefused(
            exception.IncompatibleBitstream, api,
            'bitstream image %s (nlb0): built for interface %s, which does '
            'not fit region port0 (interface %s)' % (
                GBS_ID, fakes.OTHER_INTERFACE, fakes.INTERFACE),
            bitstream_id=GBS_ID)

    def test_not_a_bitstream_file(self):
        api = fakes.FakeImageAPI(gbs_image(data=b'#!/bin/sh\n'))
        self.assertRefused(
            exception.InvalidBitstream, api,
            'bitstream image %s (nlb0): not a GBS or xclbin file (it starts '
            'with 23212f62696e2f73680a)' % GBS_ID, bitstream_id=GBS_ID)

    def test_properties_disagree_with_header(self):
        api = fakes.FakeImageAPI(gbs_image(fpga_function_id='ab' * 16))
        self.assertRefused(
            exception.InvalidBitstream, api,
            'bitstream image %s (nlb0): its fpga_function_id is %s but the '
            'file says %s' % (GBS_ID, 'ab' * 16, fakes.AFU),
            bitstream_id=GBS_ID)

    def test_hash_mismatch(self):
        image = gbs_image()
        image.hash_value = 'ab' * 64
        api = fakes.FakeImageAPI(image)
        e = self.assertRaises(exception.HashMismatch, self.prepare, api,
                              bitstream_id=GBS_ID)
        self.assertIn('bitstream image %s (nlb0): data fetched has sha512'
                      % GBS_ID, str(e))
        self.assertEqual([], fakes.cache_files(self.dir))

    def test_download_failing(self):
        api = fakes.FakeImageAPI(gbs_image())
        api.fail_download = IOError('connection reset')
        self.assertRefused(
            exception.ImageServiceError, api,
            'bitstream image %s (nlb0): download failed: connection reset' %
            GBS_ID, bitstream_id=GBS_ID)
        self.assertEqual([], fakes.cache_files(self.dir))

    def test_local_disk_failing(self):
        api = fakes.FakeImageAPI(gbs_image())
        full = OSError(errno.ENOSPC, 'No space left on device')
        self.useFixture(fixtures.MockPatch('tempfile.mkstemp',
                                           side_effect=full))
        self.assertRefused(
            exception.CacheError, api,
            'bitstream image %s (nlb0): bitstream cache in %s failed: '
            '[Errno 28] No space left on device' % (GBS_ID, self.dir),
            bitstream_id=GBS_ID)

    def test_not_found(self):
        self.assertRefused(
            exception.BitstreamNotFound, fakes.FakeImageAPI(),
            "no active image tagged FPGA visible to the project has "
            "function 'nlb' for interface %s and vendor intel" %
            fakes.INTERFACE, function='nlb')

    def test_signatures_checked_when_asked(self):
        api = fakes.FakeImageAPI(gbs_image())
        self.prepare(api, bitstream_id=GBS_ID)
        e = self.assertRaises(exception.SignatureFailed, self.prepare, api,
                              bitstream_id=GBS_ID, verify_signatures=True)
        self.assertIn('bitstream image %s (nlb0): signature verification '
                      'failed' % GBS_ID, str(e))

    def cached_then_corrupted(self, api):
        """Prepared once; then the cached file's first bytes overwritten.

        Same size, other bytes: a read sees the hash mismatch and fetches
        again.
        """
        first = self.prepare(api, bitstream_id=GBS_ID)
        with open(first.path, 'r+b') as f:
            f.write(b'\0' * 16)
        return first

    def test_region_holding_the_function_needs_no_byte(self):
        api = fakes.FakeImageAPI(gbs_image())
        first = self.cached_then_corrupted(api)
        loaded = REGION._replace(function_id=fakes.AFU)
        self.useFixture(fixtures.MockPatchObject(
            cache, 'hash_file', side_effect=AssertionError('hashed')))
        prepared = self.prepare(api, bitstream_id=GBS_ID, region=loaded)
        self.assertIsNone(prepared.path)
        self.assertEqual(first.header, prepared.header)
        self.assertEqual(1, api.downloads)

    def test_region_to_program_gets_a_verified_file(self):
        api = fakes.FakeImageAPI(gbs_image())
        first = self.cached_then_corrupted(api)
        other = REGION._replace(function_id=fakes.OTHER_INTERFACE)
        prepared = self.prepare(api, bitstream_id=GBS_ID, region=other)
        self.assertEqual(first.path, prepared.path)
        self.assertEqual(2, api.downloads)
        with open(prepared.path, 'rb') as f:
            self.assertEqual(fakes.make_gbs(), f.read())

    def test_region_to_program_reads_the_file_once(self):
        api = fakes.FakeImageAPI(gbs_image())
        first = self.prepare(api, bitstream_id=GBS_ID)
        other = REGION._replace(function_id=fakes.OTHER_INTERFACE)
        parse = self.useFixture(fixtures.MockPatchObject(
            bitstream.headers, 'parse',
            side_effect=AssertionError('parsed again'))).mock
        hashed = self.useFixture(fixtures.MockPatchObject(
            cache, 'hash_file', wraps=cache.hash_file)).mock
        prepared = self.prepare(api, bitstream_id=GBS_ID, region=other)
        self.assertEqual((first.path, first.header),
                         (prepared.path, prepared.header))
        self.assertEqual(1, hashed.call_count)
        parse.assert_not_called()

    def test_noted_header_is_checked_against_the_region(self):
        api = fakes.FakeImageAPI(gbs_image())
        self.prepare(api, bitstream_id=GBS_ID)
        # Programmed by hand with this function but now another interface.
        moved = REGION._replace(function_id=fakes.AFU,
                                interface_id=fakes.OTHER_INTERFACE)
        e = self.assertRaises(exception.IncompatibleBitstream, self.prepare,
                              api, bitstream_id=GBS_ID, region=moved)
        self.assertIn(fakes.OTHER_INTERFACE, str(e))

    def test_signatures_always_read_the_file(self):
        api = fakes.FakeImageAPI(gbs_image())
        self.prepare(api, bitstream_id=GBS_ID)
        loaded = REGION._replace(function_id=fakes.AFU)
        self.assertRaises(exception.SignatureFailed, self.prepare, api,
                          bitstream_id=GBS_ID, region=loaded,
                          verify_signatures=True)

    def test_every_error_is_a_bitstream_error(self):
        errors = [cls for _, cls in inspect.getmembers(exception,
                                                       inspect.isclass)]
        self.assertGreater(len(errors), 10)
        for cls in errors:
            self.assertTrue(issubclass(cls, exception.BitstreamError), cls)


class OptionsTest(testtools.TestCase):

    def conf(self, **values):
        conf = cfg.ConfigOpts()
        fpga_conf.register_opts(conf)
        conf([])
        self.useFixture(config_fixture.Config(conf)).config(
            group='fpga', **values)
        return conf

    def test_defaults(self):
        conf = self.conf()
        self.assertEqual('/var/lib/nova/fpga-bitstreams',
                         writable.SHIPPED['bitstream_cache_dir'])
        self.assertTrue(conf.fpga.bitstream_cache_dir.startswith(
            tempfile.gettempdir()))
        self.assertEqual(4096, conf.fpga.bitstream_cache_size_mb)
        self.assertFalse(conf.fpga.verify_bitstream_signatures)
        self.assertEqual([], conf.fpga.bitstream_trusted_certificate_ids)

    def test_cache_from_conf(self):
        directory = self.useFixture(fixtures.TempDir()).path
        conf = self.conf(bitstream_cache_dir=directory,
                         bitstream_cache_size_mb=3)
        found = bitstream.cache_from_conf(conf)
        self.assertEqual((directory, 3 * 1024 * 1024),
                         (found.directory, found.max_bytes))
        self.assertTrue(os.path.isdir(os.path.join(directory, cache.TMP)))

    def test_negative_size_refused(self):
        self.assertRaises(ValueError, self.conf, bitstream_cache_size_mb=-1)
