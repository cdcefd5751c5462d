"""Discovery on sysfs captured from real FPGA hosts.

Each test states exactly what the capture holds: which devices, regions,
interface ids, loaded function ids and attachable functions.
"""

import testtools

from nova_fpga.catalog import boards
from nova_fpga import conf
from nova_fpga import discovery
from nova_fpga import model
from tests.unit import captures

ALL = list(conf.BACKEND_NAMES)


def one_port_card(address, family, board, device_id, numa_node,
                  interface_id, function_id, attach, attach_kind=model.PF):
    # Sysfs shows no board memory: the board table gives it.
    return model.Inventory(devices=(boards.with_memory(model.Device(
        address=address, vendor='intel', family=family, board=board,
        vendor_id='8086', device_id=device_id, numa_node=numa_node,
        regions=(model.Region(
            name='port0', port=0, interface_id=interface_id,
            function_id=function_id, attach=attach,
            attach_kind=attach_kind),))),))


class CaptureTest(testtools.TestCase):

    def discover(self, name, backends=ALL):
        capture = captures.use(self, name)
        return discovery.discover(capture.sysfs_root, capture.dev_root,
                                  backends)

    def test_n6000_sku0_pf_port_no_vfs(self):
        # Four more PFs carry base regions with neither FME nor port: not
        # FPGA devices of their own. The PF port has no AFU feature.
        self.assertEqual(
            one_port_card('0000:01:00.0', 'dfl', 'n6000', 'bcce', None,
                          '98b4d5bc98ba5f4b98d9a2841ccf11b0', None,
                          ('0000:01:00.0',)),
            self.discover('mock_sys_dfl_n6000_sku0_nlb0'))

    def test_board_memory_comes_from_the_table(self):
        device = self.discover('mock_sys_dfl_n6000_sku0_nlb0').devices[0]
        self.assertEqual((16 * 1024, model.MEMORY_TABLE),
                         (device.memory_mb, device.memory_source))

    def test_n6000_sku1_vfs_while_port_stays(self):
        # OFS: three VFs serve the PR slot while dfl-port.0 stays on the PF.
        self.assertEqual(
            one_port_card('0000:b1:00.0', 'dfl', 'n6001', 'bcce', 1,
                          'ce3139c959cf528ca27751c50829797a', None,
                          ('0000:b1:00.5', '0000:b1:00.6', '0000:b1:00.7'),
                          model.VF),
            self.discover('mock_sys_dfl_n6000_sku1_nlb0'))

    def test_c6100_fme_without_partial_reconfiguration(self):
        # The C6100's FME has no PR sub-feature: a fixed region with no
        # interface id. PF1-3 have bare base regions.
        self.assertEqual(
            one_port_card('0000:15:00.0', 'dfl', 'c6100', 'bcce', 0, None,
                          None, ('0000:15:00.0',)),
            self.discover('mock_sys_dfl_c6100_nlb0'))

    def test_legacy_pac_a10(self):
        # The PAC A10 is also a dfl-pci card: the DFL backend sees it
        # unbound, and the healthy intel-fpga report wins.
        self.assertEqual(
            one_port_card('0000:05:00.0', 'intel_fpga', 'pac_a10', '09c4',
                          None, 'f64e598bea11517fa28e7bc65d885104',
                          'd8424dc4a4a3c413f89e433683f9040b',
                          ('0000:05:00.0',)),
            self.discover('mock_sys_tmp-dcp-rc-nlb3'))

    def test_legacy_n3000(self):
        self.assertEqual(
            one_port_card('0000:05:00.0', 'intel_fpga', 'n3000', '0b30',
                          None, 'cf9b1c5037c945e98030f921b17d2b3a',
                          '9aeffe5f84570612c000c9660d824272',
                          ('0000:05:00.0',)),
            self.discover('mock_sys_tmp-dcp-vc'))

    def test_legacy_card_with_only_dfl_enabled_is_unbound(self):
        dev = self.discover('mock_sys_tmp-dcp-vc', ['dfl']).device(
            '0000:05:00.0')
        self.assertEqual(('dfl', False, ()),
                         (dev.family, dev.healthy, dev.regions))
        self.assertIn('dfl-pci', dev.health_reason)


class OlderKernelTest(testtools.TestCase):
    """DFL kernels whose PR region is not linked under the fpga_region class.

    The region is found under its FME, where OPAE finds it, so each port
    has the interface id of its PR region's compat_id.
    """

    def discover(self, name):
        capture = captures.use(self, name, captures.OLDER_KERNELS)
        return discovery.discover(capture.sysfs_root, capture.dev_root, ALL)

    def test_d5005(self):
        self.assertEqual(
            one_port_card('0000:05:00.0', 'dfl', 'd5005', '0b2b', None,
                          '9346116da52d5ca8b06aa9a389ef7c8d',
                          'f7df405cbd7acf7222f144b0b93acd18',
                          ('0000:05:00.0',)),
            self.discover('mock_sys_dfl_d5005_nlb0'))

    def test_n3000(self):
        self.assertEqual(
            one_port_card('0000:05:00.0', 'dfl', 'n3000', '0b30', None,
                          'a5d72a3cc8b04939912cf715e5dc10ca',
                          '9aeffe5f84570612c000c9660d824272',
                          ('0000:05:00.0',)),
            self.discover('mock_sys_dfl_n3000_nlb0'))

    def test_pac_a10_of_the_second_patch_set(self):
        self.assertEqual(
            one_port_card('0000:05:00.0', 'dfl', 'pac_a10', '09c4', None,
                          'f64e598bea11517fa28e7bc65d885104',
                          'd8424dc4a4a3c413f89e433683f9040b',
                          ('0000:05:00.0',)),
            self.discover('mock_sys_tmp-dcp-rc-dfl0_patchset2-nlb0'))

    def test_no_region_reads_healthy_without_an_interface_id(self):
        for name in ('mock_sys_dfl_d5005_nlb0', 'mock_sys_dfl_n3000_nlb0',
                     'mock_sys_tmp-dcp-rc-dfl0_patchset2-nlb0',
                     'mock_sys_tmp-dfl0_patchset2-nlb0',
                     'mock_sys_tmp-1socket-nlb0'):
            for device in self.discover(name).devices:
                for region in device.regions:
                    self.assertTrue(region.interface_id or
                                    not region.healthy,
                                    '%s %s' % (name, device.address))
