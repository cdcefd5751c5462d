import errno
import os
from unittest import mock

import fixtures
import testtools

from nova_fpga import model
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
        # The kernel answers a read of an attribute it cannot give now.
        with mock.patch.object(os, 'read',
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
        kernel = self.attr('k', b'69528db6eb31577a8c3668f9faa081f6\n')
        self.assertEqual(('69528db6eb31577a8c3668f9faa081f6', None),
                         sysfs.read_id(kernel, 'compat_id'))
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
            self.assertEqual(expected, model.normalize_id(text))

    def test_rejects(self):
        for text in ('', 'xyz', '1' * 31, '1' * 33):
            self.assertRaises(ValueError, model.normalize_id, text)


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

    def test_pci_address_of_a_link_is_its_last_whole_component(self):
        root = self.useFixture(fixtures.TempDir()).path
        link = os.path.join(root, 'region0')
        os.symlink('../devices/pci0000:00/0000:00:01.0/0000:1A:00.0/'
                   'x0000:02:00.0/0000:03:00.0y/region0', link)
        self.assertEqual('0000:1a:00.0', sysfs.pci_address_of(link))

    def test_pci_address_of_a_path_through_a_linked_directory(self):
        # The last component is no link: the whole path is resolved.
        root = self.useFixture(fixtures.TempDir()).path
        device = os.path.join(root, 'devices', 'pci0000:00', '0000:3b:00.0')
        os.makedirs(os.path.join(device, 'xrt', 'region0'))
        os.makedirs(os.path.join(root, 'bus'))
        link = os.path.join(root, 'bus', 'card')
        os.symlink(device, link)
        self.assertEqual('0000:3b:00.0', sysfs.pci_address_of(
            os.path.join(link, 'xrt', 'region0')))

    def test_numbered_passes_over_dangling_links(self):
        root = self.useFixture(fixtures.TempDir()).path
        os.mkdir(os.path.join(root, 'region1'))
        os.symlink(os.path.join(root, 'gone'), os.path.join(root, 'region2'))
        self.assertEqual([1], [n for n, _ in sysfs.numbered(root, 'region')])

    def test_numbered_sorts_numerically(self):
        root = self.useFixture(fixtures.TempDir()).path
        for name in ('region10', 'region2', 'regionx', 'other1'):
            os.mkdir(os.path.join(root, name))
        self.assertEqual([2, 10],
                         [n for n, _ in sysfs.numbered(root, 'region')])

    def test_numbered_groups_lists_once_for_every_prefix(self):
        root = self.useFixture(fixtures.TempDir()).path
        for name in ('dfl-fme.1', 'dfl-port.3', 'dfl-port.0', 'dfl-fmex'):
            os.mkdir(os.path.join(root, name))
        with mock.patch.object(sysfs.os, 'scandir',
                               wraps=os.scandir) as scandir:
            found = sysfs.numbered_groups(root, ('dfl-fme.', 'dfl-port.'))
        scandir.assert_called_once_with(root)
        self.assertEqual({'dfl-fme.': [1], 'dfl-port.': [0, 3]},
                         {prefix: [n for n, _ in paths]
                          for prefix, paths in found.items()})
        self.assertEqual({'a': [], 'b': []}, sysfs.numbered_groups(
            os.path.join(root, 'gone'), ('a', 'b')))

    def test_class_devices_reads_the_links(self):
        root = self.useFixture(fixtures.TempDir()).path
        class_dir = os.path.join(root, 'class', 'fpga_region')
        os.makedirs(os.path.join(class_dir, 'region1'))
        os.symlink('../../devices/gone/region2',
                   os.path.join(class_dir, 'region2'))
        with open(os.path.join(class_dir, 'region3'), 'w') as f:
            f.write('not a directory\n')
        target = '../../devices/pci0000:00/0000:00:01.0/0000:3B:00.0/region4'
        os.symlink(target, os.path.join(class_dir, 'region4'))
        self.assertEqual(
            [(1, os.path.join(class_dir, 'region1'), '', None),
             (2, os.path.join(class_dir, 'region2'),
              '../../devices/gone/region2', None),
             (4, os.path.join(class_dir, 'region4'), target,
              '0000:3b:00.0')],
            sysfs.class_devices(root, 'fpga_region', 'region'))
        self.assertEqual([], sysfs.class_devices(root, 'fpga', 'region'))

    def test_virtfns_in_the_kernel_order(self):
        root = self.useFixture(fixtures.TempDir()).path
        devices = os.path.join(root, 'bus', 'pci', 'devices')
        pf = os.path.join(devices, '0000:01:00.0')
        os.makedirs(pf)
        for n in (0, 1, 10, 2, 3, 4, 5, 6, 7, 8, 9):
            os.symlink('../0000:01:%02x.%d' % (n // 8, n % 8),
                       os.path.join(pf, 'virtfn%d' % n))
        self.assertEqual(
            ['0000:01:00.%d' % n for n in range(8)] +
            ['0000:01:01.0', '0000:01:01.1', '0000:01:01.2'],
            list(sysfs.pci_function(root, '0000:01:00.0').virtfns))


class OneReadingTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.root = self.useFixture(fixtures.TempDir()).path
        device = os.path.join(self.root, 'bus', 'pci', 'devices',
                              '0000:01:00.0')
        os.makedirs(device)
        for name, value in (('vendor', '0x8086'), ('device', '0xbcce')):
            with open(os.path.join(device, name), 'w') as f:
                f.write(value + '\n')
        self.opened = []
        real_open = os.open

        def counting_open(path, *args, **kwargs):
            self.opened.append(path)
            return real_open(path, *args, **kwargs)
        self.useFixture(fixtures.MockPatchObject(os, 'open', counting_open))

    def read(self):
        sysfs.pci_ids(self.root)
        sysfs.pci_function(self.root, '0000:01:00.0')

    def ids_opened_by(self, func):
        return [path for path in self.opened_by(func)
                if path.endswith(('/vendor', '/device'))]

    def opened_by(self, func):
        del self.opened[:]
        func()
        return list(self.opened)

    def test_once_within_a_reading(self):
        # Outside a reading pci_ids and pci_function each read the ids.
        self.assertEqual(4, len(self.ids_opened_by(self.read)))

        def twice_in_a_reading():
            with sysfs.one_reading():
                self.read()
                with sysfs.one_reading():
                    self.read()
                self.read()
        # Within one, once: pci_function takes them from pci_ids.
        self.assertEqual(
            [os.path.join(self.root, 'bus', 'pci', 'devices', '0000:01:00.0',
                          name) for name in ('vendor', 'device')],
            self.ids_opened_by(twice_in_a_reading))

    def test_afresh_outside_one(self):
        one_pass = self.opened_by(self.read)
        with sysfs.one_reading():
            self.read()
        self.assertEqual(one_pass, self.opened_by(self.read))
