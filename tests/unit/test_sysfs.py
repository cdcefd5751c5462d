import errno
import os
from unittest import mock

import fixtures
import testtools

from nova_fpga import sysfs


class ReadTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def attr(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def test_first_line_stripped(self):
        path = self.attr('vendor', b'0x8086\n')
        self.assertEqual('0x8086', sysfs.read(path))

    def test_padding_of_old_captures_is_ignored(self):
        # Legacy captures pad values with NULs or blanks to the page size.
        path = self.attr('dev', b'245:0' + b' ' * 4000)
        self.assertEqual('245:0', sysfs.read(path))
        value = 'f64e598bea11517fa28e7bc65d885104'
        path = self.attr('interface_id', value.encode() + b'\n' + b'\0' * 90)
        self.assertEqual(value, sysfs.read(path))

    def test_nul_filled_attribute_is_unreadable(self):
        path = self.attr('compat_id', b'\0' * 1024)
        e = self.assertRaises(sysfs.Unreadable, sysfs.read, path)
        self.assertNotIsInstance(e, sysfs.Missing)
        self.assertEqual(path, e.path)

    def test_missing_attribute(self):
        self.assertRaises(sysfs.Missing, sysfs.read,
                          os.path.join(self.dir, 'afu_id'))

    def test_kernel_error_names_errno(self):
        path = self.attr('afu_id', b'')
        with mock.patch.object(sysfs, 'open', create=True,
                               side_effect=OSError(errno.EBUSY, 'busy')):
            e = self.assertRaises(sysfs.Unreadable, sysfs.read, path)
        self.assertEqual(os.strerror(errno.EBUSY), e.reason)

    def test_read_lines(self):
        path = self.attr('interface_uuids', b'aa\n\nbb\n')
        self.assertEqual(['aa', 'bb'], sysfs.read_lines(path))

    def test_read_int_rejects_garbage(self):
        e = self.assertRaises(sysfs.Unreadable, sysfs.read_int,
                              self.attr('ports_num', b'two\n'))
        self.assertIn("'two'", e.reason)

    def test_read_id(self):
        good = self.attr('a', b'98B4D5BC-98BA-5F4B-98D9-A2841CCF11B0\n')
        self.assertEqual(('98b4d5bc98ba5f4b98d9a2841ccf11b0', None),
                         sysfs.read_id(good, 'afu_id'))
        value, problem = sysfs.read_id(self.attr('b', b'f' * 32 + b'\n'),
                                       'afu_id')
        self.assertIsNone(value)
        self.assertIn('all f', problem)
        value, problem = sysfs.read_id(self.attr('c', b'1234\n'), 'afu_id')
        self.assertEqual((None, "afu_id is not a 32-digit id: '1234'"),
                         (value, problem))
        value, problem = sysfs.read_id(self.attr('d', b'\0' * 64), 'afu_id')
        self.assertIsNone(value)
        self.assertIn('afu_id unreadable', problem)


class NormalizeIdTest(testtools.TestCase):

    def test_forms(self):
        expected = '69528db6eb31577a8c3668f9faa081f6'
        for text in ('69528db6-eb31-577a-8c36-68f9faa081f6',
                     '69528DB6EB31577A8C3668F9FAA081F6',
                     '0x69528db6eb31577a8c3668f9faa081f6\n'):
            self.assertEqual(expected, sysfs.normalize_id(text))

    def test_rejects(self):
        for text in ('', 'xyz', '1' * 31, '1' * 33):
            self.assertRaises(ValueError, sysfs.normalize_id, text)


class PathTest(testtools.TestCase):

    def test_pci_address_of_follows_links(self):
        root = self.useFixture(fixtures.TempDir()).path
        real = os.path.join(root, 'devices', 'pci0000:00', '0000:00:01.0',
                            '0000:01:00.0', 'fpga_region', 'region0')
        os.makedirs(real)
        link = os.path.join(root, 'region0')
        os.symlink(os.path.relpath(real, root), link)
        self.assertEqual('0000:01:00.0', sysfs.pci_address_of(link))
        self.assertIsNone(sysfs.pci_address_of(root))

    def test_numbered_sorts_numerically(self):
        root = self.useFixture(fixtures.TempDir()).path
        for name in ('region10', 'region2', 'regionx', 'other1'):
            os.mkdir(os.path.join(root, name))
        self.assertEqual([2, 10],
                         [n for n, _ in sysfs.numbered(root, 'region')])
