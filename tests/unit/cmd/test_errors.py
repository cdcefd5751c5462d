"""Every failure kind has its exit code, and each code its meaning."""

import testtools

from nova_fpga.bitstream import exception
from nova_fpga.cmd import errors
from nova_fpga.regions import exception as region_exc


class ExitCodesTest(testtools.TestCase):

    def test_kinds_to_codes(self):
        for kind, code in (
                (region_exc.NO_SUCH_REGION, 2),
                (region_exc.NOT_FOUND, 3), (region_exc.NOT_FETCHED, 3),
                (region_exc.INVALID, 3), (region_exc.INCOMPATIBLE, 4),
                (region_exc.HARDWARE, 6), (region_exc.CACHE, 1),
                (region_exc.UNKNOWN, 1)):
            self.assertEqual(code, errors.code_of_kind(kind), kind)

    def test_every_code_is_explained(self):
        self.assertEqual([0, 1, 2, 3, 4, 5, 6, 7, 64],
                         [code for code, _ in errors.MEANINGS])
        self.assertIn('5 the region is held', errors.epilog())

    def test_a_bitstream_fault_wins_over_the_scrub_it_failed(self):
        try:
            try:
                raise exception.IncompatibleBitstream('other interface')
            except exception.IncompatibleBitstream as e:
                raise region_exc.Failed('scrub failed', e.cause) from e
        except region_exc.Failed as e:
            self.assertEqual(region_exc.INCOMPATIBLE, region_exc.kind_of(e))
        self.assertEqual(region_exc.HARDWARE, region_exc.kind_of(
            region_exc.Failed('reset failed', 'EIO')))
        self.assertEqual(region_exc.UNKNOWN,
                         region_exc.kind_of(RuntimeError('bug')))
