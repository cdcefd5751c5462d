import testtools

from nova_fpga.catalog import boards


class BoardsTest(testtools.TestCase):

    def test_subsystem_id_picks_the_ofs_board(self):
        self.assertEqual('n6000', boards.board_name('8086', 'bcce', '1770'))
        self.assertEqual('c6100', boards.board_name('8086', 'bcce', '17d4'))
        self.assertEqual('ofs', boards.board_name('8086', 'bcce', '0000'))

    def test_unknown_card(self):
        self.assertIsNone(boards.identify('1234', '5678'))
        self.assertEqual('1234_5678', boards.board_name('1234', '5678'))
        self.assertEqual('unknown', boards.vendor_name(None))

    def test_families(self):
        self.assertEqual(('dfl', 'intel_fpga'),
                         boards.identify('8086', '09c4').families)
        self.assertEqual(('xrt',), boards.identify('10ee', '5004').families)
        self.assertEqual('xilinx', boards.vendor_name('10ee'))
