import os

import fixtures
import testtools

from nova_fpga import quarantine


class QuarantineTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.state_dir = os.path.join(self.dir, 'state')
        self.path = os.path.join(self.state_dir, quarantine.FILE_NAME)
        self.logs = self.useFixture(fixtures.FakeLogger())

    def test_nothing_held_without_a_record(self):
        self.assertEqual({}, quarantine.Quarantine(self.state_dir).held())

    def test_a_new_reader_finds_what_was_recorded(self):
        record = quarantine.Quarantine(self.state_dir)
        record.add('a_port0', 'scrub failed')
        record.add('b_port0', 'programming failed')
        record.remove('a_port0')
        record.remove('never_held')
        self.assertEqual({'b_port0': 'programming failed'},
                         quarantine.Quarantine(self.state_dir).held())
        self.assertIn('FPGA region a_port0 is quarantined, reserved in '
                      'Placement until a scrub of it succeeds: scrub failed',
                      self.logs.output)
        # Replaced whole: no temporary file is left beside it.
        self.assertEqual([quarantine.FILE_NAME],
                         os.listdir(os.path.dirname(self.path)))

    def test_unreadable_record_holds_nothing_and_says_so(self):
        os.makedirs(os.path.dirname(self.path))
        for text in ('{"a_port0": ', '["a_port0"]'):
            with open(self.path, 'w') as f:
                f.write(text)
            self.assertEqual({}, quarantine.Quarantine(self.state_dir).held())
        self.assertIn('is unreadable, so no region is held', self.logs.output)
        self.assertIn('is not a mapping', self.logs.output)

    def test_a_failed_write_keeps_the_old_record(self):
        record = quarantine.Quarantine(self.state_dir)
        record.add('a_port0', 'scrub failed')
        self.useFixture(fixtures.MockPatch(
            'json.dump', side_effect=OSError('disk full')))
        self.assertRaises(OSError, record.add, 'b_port0', 'x')
        self.assertEqual({'a_port0': 'scrub failed'}, record.held())
        self.assertEqual([quarantine.FILE_NAME],
                         os.listdir(os.path.dirname(self.path)))
