"""What a host's regions go through, as operators are told of it.

HostRegions and the periodic update call one method per event; each
counts it in the metrics (``metrics``) and sends its notification
(``notifications``). Neither ever fails the work that called.
"""

from oslo_log import log as logging

from nova_fpga import model
from nova_fpga.regions import metrics
from nova_fpga.regions import notifications
from nova_fpga.regions import programming
from nova_fpga.regions import records

LOG = logging.getLogger(__name__)


class Events:
    """The metrics and notifications of one host's regions.

    ``state`` is the host's records.StateStore: a notification names what
    the region's record says was loaded into it, and for whom. ``host`` is
    the compute service's; only with it is ``metrics_file`` written and
    are notifications sent: the ``nova-fpga`` command, a process of its
    own, would replace nova-compute's counts in the file with its own.
    """

    def __init__(self, state, host=None, metrics_file=None):
        self.state = state
        self.host = host
        # The compute node's UUID, which region UUIDs derive from, once
        # the periodic update has seen it.
        self.node_uuid = None
        self.metrics = metrics.Metrics(metrics_file if host else None)

    def programmed(self, device, region, outcome, image, function_id,
                   seconds, download_seconds=None, instance=None):
        """``region`` was loaded with ``image`` (Glance's metadata).

        ``outcome``: PROGRAMMED in ``seconds``, or SKIPPED (it showed
        ``function_id`` already). ``download_seconds`` None: the cache
        had the bitstream. ``instance``: the uuid it was loaded for.
        """
        self.metrics.loaded(outcome, seconds, download_seconds)
        if outcome == programming.PROGRAMMED:
            self._send(notifications.PROGRAMMED, notifications.INFO,
                       device, region, recorded=False,
                       function_id=function_id, image_id=image.get('id'),
                       image_name=image.get('name'), instance_uuid=instance,
                       seconds=seconds)

    def failed(self, kind):
        """Loading or scrubbing a region failed, of regions.exception kind."""
        self.metrics.failed(kind)

    def scrubbed(self, device, region, mode, reason):
        """``region`` was scrubbed in ``mode``, for ``reason``."""
        self.metrics.scrubbed(mode)
        self._send(notifications.SCRUBBED, notifications.INFO, device,
                   region, mode=mode, reason=reason)

    def quarantined(self, device, region, reason):
        """``region`` is held back from guests until a scrub succeeds."""
        self._send(notifications.QUARANTINED, notifications.ERROR, device,
                   region, reason=reason)

    def lost(self, identifier, instance, reason, device=None, region=None):
        """A region ``instance`` holds cannot be given to a guest now.

        ``device`` and ``region`` as the survey found it, None when it is
        not on the host any more.
        """
        self._send(notifications.LOST, notifications.ERROR, device, region,
                   identifier=identifier,
                   instance_uuid=instance, reason=reason)

    def surveyed(self, devices, quarantined):
        """The periodic update found ``devices``; ``quarantined`` names some.

        Each FPGA region counts in the first of metrics.STATES that
        applies; held as its record says.
        """
        if not self.metrics.path:
            # No metrics file to show the counts in: no record is read.
            return
        counts = dict.fromkeys(metrics.STATES, 0)
        for device in devices:
            if device.is_gpu:
                continue
            for region in device.regions:
                identifier = model.region_identifier(device, region)
                if not model.usable(device, region):
                    state = metrics.UNHEALTHY
                elif identifier in quarantined:
                    state = metrics.QUARANTINED
                elif self._read(identifier)['held']:
                    state = metrics.HELD
                else:
                    state = metrics.FREE
                counts[state] += 1
        self.metrics.surveyed(counts)

    def _read(self, identifier):
        try:
            return self.state.read(identifier)
        except (OSError, ValueError) as e:
            LOG.warning('The record of FPGA region %s cannot be read: %s',
                        identifier, e)
            return records.empty_record()

    def _send(self, event_type, priority, device, region, recorded=True,
              **values):
        """Send the event of ``region`` of ``device`` (None: unknown).

        ``recorded``: the image and the instance are those the region's
        record gives: what it was loaded with last; the instance holding
        it, else the one it was loaded for.
        """
        if not (self.host and notifications.enabled()):
            return
        about = {}
        if region is not None:
            about.update(
                identifier=model.region_identifier(device, region),
                vendor=device.vendor, board=device.board,
                interface_id=region.interface_id,
                function_id=region.function_id)
        about.update(values)
        about['uuid'] = (model.region_uuid(self.node_uuid,
                                           about['identifier'])
                         if self.node_uuid else None)
        if recorded:
            found = self._read(about['identifier'])
            loaded = found['loaded'] or {}
            about.update(
                image_id=loaded.get('image_id'),
                image_name=loaded.get('image_name'),
                instance_uuid=(about.get('instance_uuid') or
                               (found['held'] or {}).get('instance') or
                               loaded.get('instance')))
        notifications.send(self.host, event_type, priority, **about)
