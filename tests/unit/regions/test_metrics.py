"""The metrics file, as node_exporter's textfile collector parses it."""

import errno
import os

import fixtures
from prometheus_client import parser
import testtools

from nova_fpga import model
from nova_fpga.regions import events
from nova_fpga.regions import exception
from nova_fpga.regions import lifecycle
from nova_fpga.regions import metrics
from nova_fpga.regions import programming
from nova_fpga.regions import records
from nova_fpga import request
from tests.unit.regions import test_lifecycle

FIRST = test_lifecycle.FIRST + '_port0'
HOST = 'compute1'


def read(path):
    """``{(sample name, ((label, value), ...)): value}`` of the file."""
    with open(path) as f:
        text = f.read()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in parser.text_string_to_metric_families(text)
            for sample in family.samples}


def value(found, name, **labels):
    return found[name, tuple(sorted(labels.items()))]


class MetricsFileTest(test_lifecycle.HostTestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.tmp, 'nova-fpga.prom')

    def regions(self, host=HOST, **options):
        self.conf.config(group='fpga', metrics_file=self.path, **options)
        return lifecycle.HostRegions(self.conf.conf, host=host)

    def test_a_programming_then_a_load_the_cache_served(self):
        regions = self.regions()
        self.load(regions, [FIRST])
        found = read(self.path)
        for name, count in (('nova_fpga_programmed_total', 1),
                            ('nova_fpga_programming_seconds_count', 1),
                            ('nova_fpga_download_seconds_count', 1),
                            ('nova_fpga_bitstream_cache_misses_total', 1),
                            ('nova_fpga_bitstream_cache_hits_total', 0)):
            self.assertEqual(count, value(found, name), name)
        self.assertEqual(
            [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
             float('inf')],
            [float(dict(labels)['le']) for name, labels in found
             if name == 'nova_fpga_programming_seconds_bucket'])
        self.assertGreater(
            value(found, 'nova_fpga_programming_seconds_sum'), 0)
        # The region shows the function now: nothing is programmed.
        self.load(regions, [FIRST])
        found = read(self.path)
        self.assertEqual(1, value(found, 'nova_fpga_programmed_total'))
        self.assertEqual(
            1, value(found, 'nova_fpga_bitstream_cache_hits_total'))

    def test_failures_are_counted_by_cause(self):
        regions = self.regions()
        self.host.inject_fault(test_lifecycle.FIRST, 'pr', errno.EIO)
        self.assertRaises(exception.AssignmentFailed, self.load, regions,
                          [FIRST])
        self.assertRaises(exception.AssignmentFailed, self.load, regions,
                          [FIRST], request.Request(function='other'))
        found = read(self.path)
        failures = {cause: value(found, 'nova_fpga_failures_total',
                                 cause=cause) for cause in exception.KINDS}
        self.assertEqual(dict(dict.fromkeys(exception.KINDS, 0), **{
            exception.HARDWARE: 1, exception.NOT_FOUND: 1}), failures)
        self.assertEqual(0, value(found, 'nova_fpga_programmed_total'))

    def test_scrubs_are_counted_by_mode(self):
        self.regions(scrub_on_release='reset').release([FIRST])
        found = read(self.path)
        self.assertEqual((1, 0), tuple(
            value(found, 'nova_fpga_scrubbed_total', mode=mode)
            for mode in ('reset', 'blank')))

    def test_no_series_names_the_host(self):
        self.load(self.regions(), [FIRST])
        self.assertEqual({'cause', 'mode', 'le'}, {
            label for _, labels in read(self.path) for label, _ in labels})

    def test_the_nova_fpga_command_writes_no_file(self):
        # Its counts would replace those of nova-compute.
        self.load(self.regions(host=None), [FIRST])
        self.assertFalse(os.path.exists(self.path))

    def test_a_file_that_cannot_be_written_is_a_warning_once(self):
        blocker = os.path.join(self.tmp, 'textfile')
        open(blocker, 'w').close()
        self.path = os.path.join(blocker, 'nova-fpga.prom')
        regions = self.regions(scrub_on_release='reset')
        self.assertEqual([programming.PROGRAMMED],
                         self.load(regions, [FIRST]))
        regions.release([FIRST])
        self.assertEqual(1, self.logs.output.count(
            'FPGA metrics cannot be written to %s' % self.path))
        # Counted all along: the next write has it all.
        os.unlink(blocker)
        os.mkdir(blocker)
        self.load(regions, [FIRST])
        found = read(self.path)
        self.assertEqual(2, value(found, 'nova_fpga_programmed_total'))
        self.assertEqual(
            1, value(found, 'nova_fpga_scrubbed_total', mode='reset'))


def device(address, *regions, **kwargs):
    return model.Device(address=address, vendor='intel', family='dfl',
                        board='n6000', regions=regions, **kwargs)


def region(name, **kwargs):
    return model.Region(name=name, attach=('attach-' + name,), **kwargs)


class SurveyTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(tmp, 'nova-fpga.prom')
        self.state = records.StateStore(tmp)
        self.events = events.Events(self.state, HOST, self.path)

    def states(self):
        found = read(self.path)
        return {state: value(found, 'nova_fpga_regions', state=state)
                for state in metrics.STATES}

    def test_each_region_counts_in_one_state(self):
        devices = [
            device('0000:10:00.0', region('port0'), region('port1'),
                   region('port2', health_reason='afu_id all f'),
                   region('port3'), region('port4')),
            device('0000:18:00.0', region('port0'),
                   health_reason='card crashed'),
            model.Device(address='0000:41:00.0', vendor='nvidia',
                         family=model.GPU, board='h100_pcie',
                         regions=(region('gpu'),)),
        ]
        self.state.record_holder('0000:10:00.0_port1', 'server', 'p', 'u')
        self.state.record_holder('0000:10:00.0_port3', 'server', 'p', 'u')
        quarantined = {'0000:10:00.0_port3': 'scrub failed',
                       '0000:10:00.0_port4': 'scrub failed'}
        self.events.surveyed(devices, quarantined)
        self.assertEqual({metrics.FREE: 1, metrics.HELD: 1,
                          metrics.QUARANTINED: 2, metrics.UNHEALTHY: 2},
                         self.states())
        # Set, not added to, at each survey.
        self.state.record_release('0000:10:00.0_port1')
        self.events.surveyed(devices[:1], {})
        self.assertEqual({metrics.FREE: 3, metrics.HELD: 1,
                          metrics.QUARANTINED: 0, metrics.UNHEALTHY: 1},
                         self.states())

    def test_no_metrics_file_no_record_read(self):
        # The periodic update's survey costs nothing without a file.
        events_ = events.Events(self.state, HOST, None)
        self.useFixture(fixtures.MockPatchObject(
            self.state, 'read', side_effect=AssertionError('record read')))
        events_.surveyed([device('0000:10:00.0', region('port0'))], {})
        self.assertFalse(os.path.exists(self.path))
