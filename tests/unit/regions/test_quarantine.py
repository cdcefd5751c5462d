import os

import fixtures
import testtools

from nova_fpga.regions import quarantine


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
        # Replaced whole: no temporary file is left beside it and its lock.
        self.assertEqual(sorted([quarantine.FILE_NAME, quarantine.LOCK_NAME]),
                         sorted(os.listdir(os.path.dirname(self.path))))

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
        self.assertEqual(sorted([quarantine.FILE_NAME, quarantine.LOCK_NAME]),
                         sorted(os.listdir(os.path.dirname(self.path))))

    def test_two_processes_lose_no_change(self):
        # nova-compute and nova-fpga write the record at once; each change
        # reads the record and writes it whole, so only a lock across the
        # processes keeps one from undoing the other's.
        count = 40
        pid = os.fork()
        if pid == 0:
            try:
                record = quarantine.Quarantine(self.state_dir)
                for n in range(count):
                    record.add('child_%d' % n, 'reason', quiet=True)
            finally:
                os._exit(0)
        record = quarantine.Quarantine(self.state_dir)
        for n in range(count):
            record.add('parent_%d' % n, 'reason', quiet=True)
        os.waitpid(pid, 0)
        self.assertEqual(
            {'%s_%d' % (who, n) for who in ('child', 'parent')
             for n in range(count)}, set(record.held()))
