"""Discovery of simulated hosts: round trips, and bad sysfs content.

Every kind of bad content leaves the affected device or region unhealthy
with a reason and everything else intact; none raises.
"""

import errno
import glob
import os
import shutil
from unittest import mock

import fixtures
import testtools

from nova_fpga import conf
from nova_fpga import discovery
from nova_fpga import simulator

ALL = list(conf.BACKEND_NAMES)


def without_reasons(inventory):
    """Health as a flag: the simulator cannot know discovery's wording."""
    def flag(obj):
        return None if obj.healthy else 'unhealthy'
    return [
        dev._replace(health_reason=flag(dev),
                     regions=tuple(r._replace(health_reason=flag(r))
                                   for r in dev.regions))
        for dev in inventory.devices]


class SimulatedHostTest(testtools.TestCase):

    def build(self, *cards):
        root = self.useFixture(fixtures.TempDir()).path
        specs = [spec for text in cards for spec in simulator.parse_card(text)]
        self.host = simulator.build(os.path.join(root, 'host'), specs)
        return self.host

    def discover(self, backends=ALL):
        return discovery.discover(self.host.sysfs_root, self.host.dev_root,
                                  backends)

    def assert_round_trip(self):
        self.assertEqual(without_reasons(self.host.expected()),
                         without_reasons(self.discover()))

    def sys_path(self, pattern):
        paths = glob.glob(os.path.join(self.host.sysfs_root, pattern))
        self.assertEqual(1, len(paths), pattern)
        return paths[0]

    def write(self, pattern, data):
        with open(self.sys_path(pattern), 'wb') as f:
            f.write(data)


class RoundTripTest(SimulatedHostTest):

    def test_every_kind(self):
        for kind in simulator.KINDS:
            self.build(kind)
            self.assert_round_trip()

    def test_vfs(self):
        self.build('n6000:2,vfs=3', 'd5005,vfs=1', 'pac_a10,vfs=1')
        self.assert_round_trip()
        region = self.discover().device('0000:20:00.0').regions[0]
        self.assertEqual((('0000:20:00.1',), 'VF', None),
                         (region.attach, region.attach_kind,
                          region.function_id))

    def test_function_and_numa(self):
        function = 'ab' * 16
        self.build('n3000,function=%s,numa=1' % function)
        dev = self.discover().devices[0]
        self.assertEqual((1, function), (dev.numa_node,
                                         dev.regions[0].function_id))
        self.assert_round_trip()

    def test_card_changes(self):
        host = self.build('n6000', 'd5005', 'u250')
        host.crash('0000:10:00.0')
        host.remove('0000:18:00.0')
        host.set_function('0000:20:00.0', 0, 'cd' * 16)
        self.assert_round_trip()
        inventory = self.discover()
        self.assertEqual(['0000:10:00.0', '0000:20:00.0'],
                         [d.address for d in inventory.devices])
        self.assertFalse(inventory.devices[0].regions[0].healthy)
        self.assertEqual('cd' * 16,
                         inventory.devices[1].regions[0].function_id)


class BadContentTest(SimulatedHostTest):
    """Each kind of bad content, on the real layouts the simulator writes."""

    def region(self, address, backends=ALL):
        dev = self.discover(backends).device(address)
        self.assertTrue(dev.healthy, dev.health_reason)
        self.assertEqual(1, len(dev.regions))
        return dev.regions[0]

    def assert_unhealthy_region(self, address, *words):
        region = self.region(address)
        self.assertFalse(region.healthy)
        for word in words:
            self.assertIn(word, region.health_reason)
        return region

    def assert_unhealthy_device(self, address, *words):
        dev = self.discover().device(address)
        self.assertFalse(dev.healthy)
        for word in words:
            self.assertIn(word, dev.health_reason)
        return dev

    def test_compat_id_all_f(self):
        self.build('d5005', 'n6000')
        self.write('devices/*/*/0000:10:00.0/fpga_region/*/dfl-fme.*/'
                   'dfl-fme-region.*/fpga_region/*/compat_id', b'f' * 32)
        region = self.assert_unhealthy_region('0000:10:00.0', 'compat_id',
                                              'all f')
        self.assertIsNone(region.interface_id)
        self.assertTrue(self.region('0000:18:00.0').healthy)

    def test_afu_id_all_f(self):
        self.build('pac_a10')
        self.write('devices/*/*/*/fpga/*/intel-fpga-port.0/afu_id',
                   b'f' * 32 + b'\n')
        self.assert_unhealthy_region('0000:10:00.0', 'afu_id', 'all f')

    def test_nul_filled_attribute(self):
        # How captures record a read that failed on the real host.
        self.build('n6000')
        self.write('devices/*/*/*/fpga_region/*/dfl-port.0/afu_id',
                   b'\0' * 1024)
        self.assert_unhealthy_region('0000:10:00.0', 'afu_id unreadable')

    def test_afu_id_busy_during_reconfiguration(self):
        self.build('d5005')
        afu_id = os.path.realpath(self.sys_path(
            'devices/*/*/*/fpga_region/*/dfl-port.0/afu_id'))
        real_open = os.open

        def busy_open(path, *args, **kwargs):
            if os.path.realpath(path) == afu_id:
                raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))
            return real_open(path, *args, **kwargs)

        with mock.patch.object(os, 'open', busy_open):
            self.assert_unhealthy_region('0000:10:00.0',
                                         os.strerror(errno.EBUSY))

    def test_pr_region_compat_id_missing(self):
        self.build('n6000')
        os.unlink(self.sys_path('devices/*/*/*/fpga_region/*/dfl-fme.*/'
                                'dfl-fme-region.*/fpga_region/*/compat_id'))
        self.assert_unhealthy_region('0000:10:00.0', 'compat_id',
                                     os.strerror(errno.ENOENT))

    def test_pr_region_unlinked_from_its_class(self):
        # Older DFL kernels: the PR region is only under its FME.
        self.build('n6000')
        expected = self.discover()
        os.unlink(os.path.join(self.host.sysfs_root, 'class', 'fpga_region',
                               'region1'))
        self.assertEqual(expected, self.discover())

    def test_pr_device_without_a_region(self):
        # No compat_id to read: the region is unhealthy, never offered.
        self.build('n6000')
        os.unlink(os.path.join(self.host.sysfs_root, 'class', 'fpga_region',
                               'region1'))
        shutil.rmtree(self.sys_path('devices/*/*/*/fpga_region/*/dfl-fme.*/'
                                    'dfl-fme-region.*/fpga_region'))
        self.assert_unhealthy_region('0000:10:00.0', 'no PR region under',
                                     'interface id cannot be read')

    def test_garbage_interface_id(self):
        self.build('n3000')
        self.write('devices/*/*/*/fpga/*/intel-fpga-fme.0/pr/interface_id',
                   b'not an id\n')
        self.assert_unhealthy_region('0000:10:00.0', "'not an id'")

    def test_ports_num_unreadable(self):
        self.build('d5005')
        self.write('devices/*/*/*/fpga_region/*/dfl-fme.0/ports_num', b'')
        dev = self.assert_unhealthy_device('0000:10:00.0', 'ports_num')
        # The visible port is still reported.
        self.assertEqual(['port0'], [r.name for r in dev.regions])

    def test_vendor_id_unreadable(self):
        self.build('n6000')
        self.write('devices/*/*/0000:10:00.0/vendor', b'\0' * 1024)
        self.assert_unhealthy_device('0000:10:00.0', 'vendor')

    def test_released_port_without_vf(self):
        host = self.build('d5005,vfs=1')
        pf = self.sys_path('devices/*/*/0000:10:00.0')
        host.write_attr(os.path.join(pf, 'sriov_numvfs'), '0')
        region = self.assert_unhealthy_region('0000:10:00.0', 'released')
        self.assertEqual((), region.attach)

    def unbind(self, class_name):
        """No driver for the card at 0000:10:00.0: its class links go."""
        pf = self.sys_path('devices/*/*/0000:10:00.0')
        for link in glob.glob(os.path.join(self.host.sysfs_root, 'class',
                                           class_name, '*')):
            os.unlink(link)
        os.unlink(os.path.join(pf, 'driver'))

    def test_driver_not_bound(self):
        self.build('d5005')
        self.unbind('fpga_region')
        dev = self.assert_unhealthy_device('0000:10:00.0', 'dfl-pci')
        self.assertEqual((), dev.regions)

    def test_card_two_families_drive_is_reported_once(self):
        # A PAC A10 under intel-fpga-pci: that family reports it healthy,
        # and DFL, enabled first, does not report it unmanaged beside it.
        self.build('pac_a10')
        self.assertTrue(self.discover(['dfl', 'intel_fpga']).device(
            '0000:10:00.0').healthy)
        alone = self.discover(['dfl']).device('0000:10:00.0')
        self.assertIn('bound to intel-fpga-pci, not dfl-pci',
                      alone.health_reason)

    def test_card_no_family_manages_is_reported_by_the_first(self):
        self.build('pac_a10')
        self.unbind('fpga')
        for order, driver in ((['dfl', 'intel_fpga'], 'dfl-pci'),
                              (['intel_fpga', 'dfl'], 'intel-fpga-pci')):
            inventory = self.discover(order)
            self.assertEqual(1, len(inventory.devices))
            self.assertIn('is the %s driver loaded' % driver,
                          inventory.device('0000:10:00.0').health_reason)

    def test_card_given_whole_to_vfio(self):
        self.build('u250')
        pf = self.sys_path('devices/*/*/0000:10:00.0')
        os.unlink(os.path.join(pf, 'mgmt_pf'))
        os.unlink(os.path.join(pf, 'driver'))
        os.symlink('../../../bus/pci/drivers/vfio-pci',
                   os.path.join(pf, 'driver'))
        self.assert_unhealthy_device('0000:10:00.0', 'vfio-pci')

    def test_alveo_not_ready(self):
        self.build('u250')
        self.write('devices/*/*/0000:10:00.0/ready', b'0\n')
        self.assert_unhealthy_device('0000:10:00.0', 'not ready')

    def test_alveo_interface_uuids_unreadable(self):
        self.build('u250')
        self.write('devices/*/*/0000:10:00.0/interface_uuids', b'\0' * 64)
        self.assert_unhealthy_region('0000:10:00.0', 'interface_uuids')

    def test_alveo_user_function_missing(self):
        self.build('u250')
        os.unlink(self.sys_path('devices/*/*/0000:10:00.1/user_pf'))
        self.assert_unhealthy_region('0000:10:00.0', '0000:10:00.1')

    def test_fpga_manager_in_error(self):
        self.build('zynqmp')
        self.write('devices/platform/*/*/fpga_manager/fpga0/state',
                   b'write error\n')
        self.assert_unhealthy_device('fpga-full', 'write error')

    def test_dangling_and_odd_entries_are_passed_over(self):
        self.build('n6000')
        region_class = os.path.join(self.host.sysfs_root, 'class',
                                    'fpga_region')
        os.symlink('../../devices/gone/fpga_region/region9',
                   os.path.join(region_class, 'region9'))
        with open(os.path.join(region_class, 'region8'), 'w') as f:
            f.write('not a directory\n')
        self.assert_round_trip()

    def test_empty_sysfs(self):
        root = self.useFixture(fixtures.TempDir()).path
        for sub in ('devices', 'class'):
            os.mkdir(os.path.join(root, sub))
        self.assertEqual((), discovery.discover(root, root, ALL).devices)

    def test_not_a_sysfs_root(self):
        root = self.useFixture(fixtures.TempDir()).path
        e = self.assertRaises(discovery.NotSysfs, discovery.discover,
                              root, root, ALL)
        self.assertIn('not a sysfs tree', str(e))

    def test_unknown_backend(self):
        self.build('n6000')
        e = self.assertRaises(ValueError, self.discover, ['dfl', 'opencl'])
        self.assertIn('opencl', str(e))
