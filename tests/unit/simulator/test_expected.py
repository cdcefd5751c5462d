from nova_fpga import model
from nova_fpga import simulator
from tests.unit.simulator import base

NLB0 = simulator.FUNCTION_IDS['n6000']


class ExpectedTest(base.SimulatorTestCase):

    def test_every_kind(self):
        self.build('zynqmp', 'n6000,vfs=3,numa=1', 'c6100,numa=-1',
                   'd5005,vfs=1', 'pac_a10,vfs=1', 'n3000', 'u250')
        devices = {d.address: d for d in self.host.expected().devices}
        self.assertEqual(
            ['0000:18:00.0', '0000:20:00.0', '0000:28:00.0', '0000:30:00.0',
             '0000:38:00.0', '0000:40:00.0', 'fpga-full'],
            [d.address for d in self.host.expected().devices])

        self.assertEqual(model.Device(
            address='0000:18:00.0', vendor='intel', family='dfl',
            board='n6000', vendor_id='8086', device_id='bcce', numa_node=1,
            regions=(model.Region(
                name='port0', port=0,
                interface_id=simulator.INTERFACE_IDS['n6000'],
                function_id=NLB0,
                attach=('0000:18:00.1', '0000:18:00.2', '0000:18:00.3'),
                attach_kind=model.VF),),
            memory_mb=16 * 1024, memory_source=model.MEMORY_TABLE,
            memory_type='ddr4'), devices['0000:18:00.0'])

        c6100 = devices['0000:20:00.0']
        self.assertEqual(('c6100', None), (c6100.board, c6100.numa_node))
        self.assertEqual(model.Region(
            name='port0', port=0, interface_id=None, function_id=NLB0,
            attach=('0000:20:00.0',), attach_kind=model.PF),
            c6100.regions[0])

        d5005 = devices['0000:28:00.0']
        self.assertEqual(('d5005', '0b2b'), (d5005.board, d5005.device_id))
        self.assertEqual(model.Region(
            name='port0', port=0,
            interface_id=simulator.INTERFACE_IDS['d5005'], function_id=None,
            attach=('0000:28:00.1',), attach_kind=model.VF),
            d5005.regions[0])

        pac = devices['0000:30:00.0']
        self.assertEqual(('intel_fpga', 'pac_a10'), (pac.family, pac.board))
        self.assertEqual(('0000:30:00.1',), pac.regions[0].attach)

        n3000 = devices['0000:38:00.0']
        self.assertEqual(model.Region(
            name='port0', port=0,
            interface_id=simulator.INTERFACE_IDS['n3000'], function_id=NLB0,
            attach=('0000:38:00.0',), attach_kind=model.PF),
            n3000.regions[0])

        self.assertEqual(model.Device(
            address='0000:40:00.0', vendor='xilinx', family='xrt',
            board='u250', vendor_id='10ee', device_id='5004', numa_node=0,
            regions=(model.Region(
                name='slot0', interface_id=simulator.INTERFACE_IDS['u250'],
                attach=('0000:40:00.1',), attach_kind=model.PF),),
            memory_mb=64 * 1024, memory_source=model.MEMORY_TABLE,
            memory_type='ddr4'),
            devices['0000:40:00.0'])

        self.assertEqual(model.Device(
            address='fpga-full', vendor='xilinx', family='fpga_region',
            board='zynqmp', regions=(model.Region(name='region0'),)),
            devices['fpga-full'])

    def test_released_port_without_vf_is_unhealthy(self):
        self.build('n6000')
        self.release('dfl-fme.0')
        region = self.host.expected().devices[0].regions[0]
        self.assertFalse(region.healthy)
        self.assertEqual(((), None), (region.attach, region.function_id))
