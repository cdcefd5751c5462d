"""The regions of this host as the cloud sees them, and work asked of them.

What the cloud-wide API lists (``summaries``, published by nova-compute
in its compute node's stats), shows (``view``) and asks for (``program``,
``scrub``), through the compute's RPC endpoint. Each answer is a dict with
a ``code`` of ``regions.results`` and a ``msg`` naming the region, the
bitstream and the cause.

Who may ask was decided by the API's policy; what it was allowed is
handed in: ``project`` (only a region a server of that project holds,
else only a free one) and ``force`` (a region held by others, or
quarantined). Whether a region is held is read from its record under the
region's lock, which ``HostRegions.hold`` takes too: no server is given a
region between that check and the end of the work.
"""

from oslo_log import log as logging

from nova_fpga.bitstream import exception as bitstream_exception
from nova_fpga import model
from nova_fpga.regions import exception
from nova_fpga.regions import lifecycle
from nova_fpga.regions import results
from nova_fpga import request

LOG = logging.getLogger(__name__)

FREE = 'free'
HELD = 'held'
PROGRAMMING = 'programming'
QUARANTINED = 'quarantined'
UNHEALTHY = 'unhealthy'
RESERVED = 'reserved'
STATES = (FREE, HELD, PROGRAMMING, QUARANTINED, UNHEALTHY, RESERVED)


def _state(device, region, record, reason, working, allowed):
    identifier = model.region_identifier(device, region)
    if identifier in working:
        return PROGRAMMING
    if reason:
        return QUARANTINED
    if not model.usable(device, region):
        return UNHEALTHY
    if record['held']:
        return HELD
    return FREE if allowed else RESERVED


def _bitstream(record, region):
    """The image loaded into the region, if it still shows its function."""
    loaded = record['loaded']
    if loaded and loaded['function_id'] == region.function_id:
        return {'id': loaded.get('image_id'), 'name': loaded.get('image_name')}
    return None


# What the API shows of a region record's last load (its LIVE view).
LOADED_FIELDS = ('at', 'by', 'image_id', 'image_name', 'function_id',
                 'outcome')


def _live_metrics(metrics):
    """The counters of a region record, as the API's LIVE view has them."""
    return {'programmed': metrics['programmings'],
            'failures': sum(metrics['failures'].values()),
            'programming_seconds_last': metrics['last_programming_seconds']}


def summary(device, region, record, reason=None, working=(), allowed=True):
    """What the API lists of a region.

    ``record`` is its region record, ``reason`` why it is quarantined (or
    None), ``working`` the regions being programmed or scrubbed now,
    ``allowed`` whether the operator's options give its card to guests.
    """
    held = record['held']
    return {
        'identifier': model.region_identifier(device, region),
        'address': device.address, 'region': region.name,
        'vendor': device.vendor, 'board': device.board,
        'interface_id': region.interface_id,
        'function_id': region.function_id,
        'bitstream': _bitstream(record, region),
        'state': _state(device, region, record, reason, working, allowed),
        'holder': {'server_id': held['instance'],
                   'project_id': held.get('project_id')} if held else None,
    }


def summaries(host_regions, inventory, allows):
    """``summary`` of every FPGA region of ``inventory``."""
    reasons = host_regions.quarantine.held()
    working = set(host_regions._working)
    return [summary(device, region,
                    host_regions.state.read(
                        model.region_identifier(device, region)),
                    reasons.get(model.region_identifier(device, region)),
                    working, allows(device))
            for device in inventory.devices if not device.is_gpu
            for region in device.regions]


def _answer(code, msg, **more):
    return dict(more, code=code, msg=msg)


class Operations:
    """Requests on the regions of ``host_regions`` (lifecycle.HostRegions).

    ``image_api``: Nova's image API; ``allows(device)``: whether the
    operator's options give the card to guests.
    """

    def __init__(self, host_regions, image_api, allows):
        self.regions = host_regions
        self.image_api = image_api
        self.allows = allows

    def _find(self, identifier):
        """``(device, region)``, or an answer saying there is none."""
        try:
            found, missing = self.regions.inventory.find([identifier])
        except Exception as e:
            LOG.exception('FPGA region %s cannot be found: discovery failed',
                          identifier)
            return None, _answer(results.UNKNOWN, 'FPGA region %s: '
                                 'discovery failed: %s' % (identifier, e))
        if missing or found[0][0].is_gpu:
            return None, _answer(results.NO_SUCH_REGION, 'FPGA region %s: '
                                 'no such region on this host' % identifier)
        return found[0], None

    def _summary(self, device, region):
        identifier = model.region_identifier(device, region)
        return summary(device, region, self.regions.state.read(identifier),
                       self.regions.quarantine.held().get(identifier),
                       self.regions._working, self.allows(device))

    def view(self, identifier):
        """The region as its compute sees it now, with its record."""
        found, refused = self._find(identifier)
        if refused:
            return refused
        device, region = found
        record = self.regions.state.read(identifier)
        loaded = record['loaded']
        live = {
            'health': model.health(region) if device.healthy else
            'unhealthy',
            'health_reason': device.health_reason or region.health_reason,
            'last_programmed': ({key: loaded.get(key)
                                 for key in LOADED_FIELDS}
                                if loaded else None),
            'last_scrubbed': record['scrubbed'],
            'quarantine': self.regions.quarantine.held().get(identifier),
            'metrics': _live_metrics(record['metrics']),
        }
        return _answer(results.OK, 'FPGA region %s' % identifier,
                       region=dict(self._summary(device, region), live=live))

    def _refusal(self, device, region, what, project, force):
        """Why the caller may not work on the region now, or None."""
        identifier = model.region_identifier(device, region)
        name = 'FPGA region %s%s' % (identifier, what)
        if not self.allows(device):
            return _answer(results.FORBIDDEN, '%s: the operator keeps its '
                           'card from guests ([fpga] options)' % name)
        if identifier in self.regions._working:
            return _answer(results.IN_USE, '%s: the region is being '
                           'programmed or scrubbed now' % name)
        held = self.regions.state.read(identifier)['held']
        if project is not None and (
                not held or held.get('project_id') != project):
            return _answer(
                results.FORBIDDEN, '%s: no server of project %s holds the '
                'region; only rule fpga:regions:program:any lets a caller '
                'work on other regions' % (name, project))
        if project is None and held and not force:
            return _answer(
                results.IN_USE, '%s: server %s of project %s holds the '
                'region; force goes ahead anyway (rule fpga:regions:force)' %
                (name, held['instance'], held.get('project_id')))
        return None

    def program(self, context, identifier, image_id, project=None,
                force=False):
        """Load bitstream image ``image_id`` into the region.

        Fetched with ``context`` (the caller's token), so Glance decides
        whether the caller may use it. The region record names the server
        holding the region as what it was loaded for: a power cycle loads
        it again for that server.
        """
        found, refused = self._find(identifier)
        if refused:
            return refused
        device, region = found
        what = ', bitstream image %s' % image_id
        reason = device.health_reason or region.health_reason
        if reason:
            return _answer(results.UNHEALTHY, 'FPGA region %s%s: the region '
                           'is unhealthy: %s' % (identifier, what, reason))
        with lifecycle.region_lock(identifier, self.regions.lock_path):
            refused = self._refusal(device, region, what, project, force)
            if refused:
                return refused
            quarantined = self.regions.quarantine.held().get(identifier)
            if quarantined and not force:
                return _answer(results.UNHEALTHY, 'FPGA region %s%s: the '
                               'region is quarantined (%s); a scrub cleans '
                               'it, force goes ahead anyway' % (
                                   identifier, what, quarantined))
            held = self.regions.state.read(identifier)['held'] or {}
            try:
                outcome = self.regions.load_region(
                    context, self.image_api, device, region,
                    request.Request(bitstream_id=image_id),
                    instance=held.get('instance'))
            except exception.AssignmentFailed as e:
                return _answer(results.code_of_kind(e.kind), str(e))
        found, _ = self._find(identifier)
        loaded = self.regions.state.read(identifier)['loaded'] or {}
        LOG.info('FPGA region %s: %s %s for %s', identifier, outcome,
                 bitstream_exception.describe(
                     {'id': image_id, 'name': loaded.get('image_name')}),
                 lifecycle.caller_of(context))
        return _answer(results.OK, 'bitstream has been loaded successfully',
                       outcome=outcome,
                       region=self._summary(*(found or (device, region))))

    def scrub(self, identifier, mode, by, project=None, force=False):
        """Scrub the region (``reset`` or ``blank``); it leaves quarantine.

        ``by``: who asked, as the region record keeps it.
        """
        found, refused = self._find(identifier)
        if refused:
            return refused
        device, region = found
        what = ', scrub (%s)' % mode
        # A scrub is what frees a quarantined or unhealthy region: neither
        # refuses it.
        with lifecycle.region_lock(identifier, self.regions.lock_path):
            refused = self._refusal(device, region, what, project, force)
            if refused:
                return refused
            try:
                outcome = self.regions.scrub_region(device, region, mode, by)
            except exception.Failed as e:
                return _answer(results.code_of_kind(exception.kind_of(e)),
                               'FPGA region %s%s: %s' % (identifier, what, e))
        found, _ = self._find(identifier)
        return _answer(results.OK, 'region scrubbed', outcome=outcome,
                       region=self._summary(*(found or (device, region))))
