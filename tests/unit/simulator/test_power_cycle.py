"""A host power cycle: every card back to what it loads at power-up."""

import errno

from nova_fpga import conf
from nova_fpga import discovery
from nova_fpga import simulator
from tests.unit.simulator import base

AFU = '0123456789abcdef0123456789abcdef'


class PowerCycleTest(base.SimulatorTestCase):

    def discover(self):
        return discovery.discover(self.host.sysfs_root, self.host.dev_root,
                                  conf.BACKEND_NAMES)

    def test_programmed_regions_lose_their_function(self):
        self.build('n6000:2', 'u250', 'pac_a10,function=%s' % AFU)
        built = self.discover()
        self.host.set_function('0000:10:00.0', 0, AFU)
        self.host.set_function('0000:20:00.0', 0, AFU)
        self.host.set_function('0000:28:00.0', 0, None)
        self.assertNotEqual(built, self.discover())
        self.host.power_cycle()
        self.assertEqual(built, self.discover())
        self.assertEqual(AFU, self.discover().device(
            '0000:28:00.0').regions[0].function_id)

    def test_vfs_are_gone_and_ports_back_on_the_pf(self):
        self.build('d5005,vfs=1', 'n6000,vfs=3')
        self.assertEqual(['VF', 'VF'], [
            d.regions[0].attach_kind for d in self.discover().devices])
        self.host.power_cycle()
        found = self.discover()
        self.assertEqual(
            [(('0000:10:00.0',), 'PF'), (('0000:18:00.0',), 'PF')],
            [(d.regions[0].attach, d.regions[0].attach_kind)
             for d in found.devices])
        self.assertEqual(b'0\n', self.read(
            'bus', 'pci', 'devices', '0000:10:00.0', 'sriov_numvfs'))

    def test_faults_and_crashes_are_gone(self):
        self.build('n6000')
        self.host.inject_fault('0000:10:00.0', 'pr', errno.EIO)
        self.host.crash('0000:10:00.0')
        self.assertFalse(self.discover().devices[0].regions[0].healthy)
        self.host.power_cycle()
        self.assertTrue(self.discover().devices[0].regions[0].healthy)
        payload = simulator.make_raw_payload(
            simulator.INTERFACE_IDS['n6000'], AFU)
        self.dfl_pr('dfl-fme.0', payload)
        self.assertEqual(AFU, self.discover().devices[0].regions[0]
                         .function_id)

    def test_a_removed_card_stays_removed(self):
        self.build('n6000:2')
        self.host.remove('0000:18:00.0')
        self.host.power_cycle()
        self.assertEqual(['0000:10:00.0'], [
            d.address for d in self.discover().devices])
