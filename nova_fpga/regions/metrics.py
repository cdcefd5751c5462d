"""This compute's FPGA metrics, for node_exporter's textfile collector.

Counted by nova-compute since it started, in a registry of its own (the
global one would take in whatever else the process registers), and
written whole to ``[fpga] metrics_file`` after each change: the file is
renamed into place, so the collector never reads half of one. No host
label: node_exporter adds the instance's.
"""

import threading

from oslo_log import log as logging
import prometheus_client

from nova_fpga.regions import exception
from nova_fpga.regions import programming

LOG = logging.getLogger(__name__)

# Seconds, for programming and for downloads: a small region takes a
# fraction of one, a vendor tool may take up to [fpga] program_timeout
# (300 by default), a download of a large bitstream minutes.
BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
# 'none' scrubs nothing, so it counts nothing.
SCRUB_MODES = tuple(mode for mode in programming.SCRUB_MODES
                    if mode != 'none')
# What a survey counts each FPGA region as, the first that applies.
UNHEALTHY = 'unhealthy'
QUARANTINED = 'quarantined'
HELD = 'held'
FREE = 'free'
STATES = (UNHEALTHY, QUARANTINED, HELD, FREE)


class Metrics:
    """The counters, histograms and gauge, and the file they go to.

    ``path`` empty or None: nothing is written.
    """

    def __init__(self, path=None):
        self.path = path
        self.registry = registry = prometheus_client.CollectorRegistry()
        self._programming = prometheus_client.Histogram(
            'nova_fpga_programming_seconds',
            'Seconds programming a region took, its check included.',
            buckets=BUCKETS, registry=registry)
        self._download = prometheus_client.Histogram(
            'nova_fpga_download_seconds',
            'Seconds a bitstream download from Glance took.',
            buckets=BUCKETS, registry=registry)
        self._cache_hits = prometheus_client.Counter(
            'nova_fpga_bitstream_cache_hits',
            'Loads of a region that needed no download: the bitstream '
            'cache had it.', registry=registry)
        self._cache_misses = prometheus_client.Counter(
            'nova_fpga_bitstream_cache_misses',
            'Loads of a region whose bitstream was downloaded.',
            registry=registry)
        self._failures = prometheus_client.Counter(
            'nova_fpga_failures',
            'Failed loads and scrubs of a region, by cause.', ['cause'],
            registry=registry)
        self._programmed = prometheus_client.Counter(
            'nova_fpga_programmed',
            'Regions programmed (not those showing the function already).',
            registry=registry)
        self._scrubbed = prometheus_client.Counter(
            'nova_fpga_scrubbed', 'Regions scrubbed, by scrub mode.',
            ['mode'], registry=registry)
        self._regions = prometheus_client.Gauge(
            'nova_fpga_regions',
            'FPGA regions of this host at the last periodic update, by '
            'state.', ['state'], registry=registry)
        # Every known label at zero from the start: a series that appears
        # only at its first failure hides that failure from rate().
        for kind in exception.KINDS:
            self._failures.labels(cause=kind)
        for mode in SCRUB_MODES:
            self._scrubbed.labels(mode=mode)
        # One writer at a time: a late rename of an older snapshot would
        # show a counter going down.
        self._lock = threading.Lock()
        self._failing = False

    def loaded(self, outcome, seconds, download_seconds=None):
        """A region was loaded: ``outcome`` as programming.program_region.

        ``download_seconds`` None: the cache had the bitstream.
        """
        if download_seconds is None:
            self._cache_hits.inc()
        else:
            self._cache_misses.inc()
            self._download.observe(download_seconds)
        if outcome == programming.PROGRAMMED:
            self._programmed.inc()
            self._programming.observe(seconds)
        self.write()

    def failed(self, kind):
        self._failures.labels(cause=kind).inc()
        self.write()

    def scrubbed(self, mode):
        self._scrubbed.labels(mode=mode).inc()
        self.write()

    def surveyed(self, counts):
        """``counts``: ``{state: number of regions}``, absent ones none."""
        for state in STATES:
            self._regions.labels(state=state).set(counts.get(state, 0))
        self.write()

    def write(self):
        """Write the file; a failure is a warning, once until it works."""
        if not self.path:
            return
        with self._lock:
            try:
                prometheus_client.write_to_textfile(self.path, self.registry)
            # Whatever the disk says, the compute's work goes on.
            except Exception as e:
                if not self._failing:
                    LOG.warning('FPGA metrics cannot be written to %s: %s',
                                self.path, e)
                self._failing = True
            else:
                self._failing = False
