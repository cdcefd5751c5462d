"""Discovery on sysfs captured from real FPGA hosts.

Each test states exactly what the capture holds: which devices, regions,
interface ids, loaded function ids and attachable functions.
"""

import testtools

from nova_fpga import conf
from nova_fpga import discovery
from nova_fpga import model
from tests.unit import captures

ALL = list(conf.BACKEND_NAMES)


class CaptureTest(testtools.TestCase):

    def discover(self, name):
        capture = self.useFixture(captures.Capture(name))
        return discovery.discover(capture.sysfs_root, capture.dev_root, ALL)

    def test_n6000_sku0_pf_port_no_vfs(self):
        # Four more PFs carry base regions with neither FME nor port: not
        # FPGA devices of their own. The PF port has no AFU feature.
        self.assertEqual(model.Inventory(devices=(
            model.Device(
                address='0000:01:00.0', vendor='intel', family='dfl',
                board='n6000', vendor_id='8086', device_id='bcce',
                numa_node=None,
                regions=(model.Region(
                    name='port0', port=0,
                    interface_id='98b4d5bc98ba5f4b98d9a2841ccf11b0',
                    function_id=None, attach=('0000:01:00.0',),
                    attach_kind=model.PF),)),
        )), self.discover('mock_sys_dfl_n6000_sku0_nlb0'))

    def test_n6000_sku1_vfs_while_port_stays(self):
        # OFS: three VFs serve the PR slot while dfl-port.0 stays on the PF.
        self.assertEqual(model.Inventory(devices=(
            model.Device(
                address='0000:b1:00.0', vendor='intel', family='dfl',
                board='n6001', vendor_id='8086', device_id='bcce',
                numa_node=1,
                regions=(model.Region(
                    name='port0', port=0,
                    interface_id='ce3139c959cf528ca27751c50829797a',
                    function_id=None,
                    attach=('0000:b1:00.5', '0000:b1:00.6', '0000:b1:00.7'),
                    attach_kind=model.VF),)),
        )), self.discover('mock_sys_dfl_n6000_sku1_nlb0'))

    def test_c6100_fme_without_partial_reconfiguration(self):
        # The C6100's FME has no PR sub-feature: a fixed region with no
        # interface id. PF1-3 have bare base regions.
        self.assertEqual(model.Inventory(devices=(
            model.Device(
                address='0000:15:00.0', vendor='intel', family='dfl',
                board='c6100', vendor_id='8086', device_id='bcce',
                numa_node=0,
                regions=(model.Region(
                    name='port0', port=0, interface_id=None,
                    function_id=None, attach=('0000:15:00.0',),
                    attach_kind=model.PF),)),
        )), self.discover('mock_sys_dfl_c6100_nlb0'))

    def test_legacy_pac_a10(self):
        # The PAC A10 is also a dfl-pci card: the DFL backend sees it
        # unbound, and the healthy intel-fpga report wins.
        self.assertEqual(model.Inventory(devices=(
            model.Device(
                address='0000:05:00.0', vendor='intel', family='intel_fpga',
                board='pac_a10', vendor_id='8086', device_id='09c4',
                numa_node=None,
                regions=(model.Region(
                    name='port0', port=0,
                    interface_id='f64e598bea11517fa28e7bc65d885104',
                    function_id='d8424dc4a4a3c413f89e433683f9040b',
                    attach=('0000:05:00.0',), attach_kind=model.PF),)),
        )), self.discover('mock_sys_tmp-dcp-rc-nlb3'))

    def test_legacy_n3000(self):
        self.assertEqual(model.Inventory(devices=(
            model.Device(
                address='0000:05:00.0', vendor='intel', family='intel_fpga',
                board='n3000', vendor_id='8086', device_id='0b30',
                numa_node=None,
                regions=(model.Region(
                    name='port0', port=0,
                    interface_id='cf9b1c5037c945e98030f921b17d2b3a',
                    function_id='9aeffe5f84570612c000c9660d824272',
                    attach=('0000:05:00.0',), attach_kind=model.PF),)),
        )), self.discover('mock_sys_tmp-dcp-vc'))

    def test_legacy_card_with_only_dfl_enabled_is_unbound(self):
        capture = self.useFixture(captures.Capture('mock_sys_tmp-dcp-vc'))
        inventory = discovery.discover(
            capture.sysfs_root, capture.dev_root, ['dfl'])
        dev = inventory.device('0000:05:00.0')
        self.assertEqual(('dfl', False, ()),
                         (dev.family, dev.healthy, dev.regions))
        self.assertIn('dfl-pci', dev.health_reason)
