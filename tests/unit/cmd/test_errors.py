"""Every failure kind has its exit code, and each code its meaning."""

import testtools

from nova_fpga import assignment
from nova_fpga.bitstream import exception
from nova_fpga.cmd import errors
from nova_fpga import programming


class ExitCodesTest(testtools.TestCase):

    def test_kinds_to_codes(self):
        for kind, code in (
                (assignment.NO_SUCH_REGION, 2), (assignment.NOT_FOUND, 3),
                (assignment.NOT_FETCHED, 3), (assignment.INVALID, 3),
                (assignment.INCOMPATIBLE, 4), (assignment.HARDWARE, 6),
                (assignment.CACHE, 1), (assignment.UNKNOWN, 1)):
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
                raise programming.Failed('scrub failed', e.cause) from e
        except programming.Failed as e:
            self.assertEqual(assignment.INCOMPATIBLE, assignment.kind_of(e))
        self.assertEqual(assignment.HARDWARE, assignment.kind_of(
            programming.Failed('reset failed', 'EIO')))
        self.assertEqual(assignment.UNKNOWN,
                         assignment.kind_of(RuntimeError('bug')))
