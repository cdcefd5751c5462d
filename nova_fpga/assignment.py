"""The regions an instance holds: finding, loading and scrubbing them.

GPUs are held the same way; they are never loaded nor scrubbed.

Knows nothing of the virt driver. It is given the unit identifiers the
resource tracker recorded for the instance (``placement.region_identifier``
of each region), the request (``nova_fpga.request``) and Nova's image API.
"""

import datetime
import functools
import time

from oslo_log import log as logging

from nova_fpga import bitstream
from nova_fpga.bitstream import exception as bitstream_exception
from nova_fpga import discovery
from nova_fpga import passthrough
from nova_fpga import placement
from nova_fpga import programming
from nova_fpga import quarantine
from nova_fpga import state
from nova_fpga import sysfs

LOG = logging.getLogger(__name__)

# Why a region could not be loaded or scrubbed: the failures the region
# records count these, and nova-fpga's exit codes follow them.
NO_SUCH_REGION = 'no_such_region'
NOT_FOUND = 'bitstream_not_found'
NOT_FETCHED = 'bitstream_not_fetched'
INVALID = 'bitstream_invalid'
INCOMPATIBLE = 'incompatible'
HARDWARE = 'hardware'
CACHE = 'cache'
UNKNOWN = 'unknown'

# How the reason of a region whose hardware work was interrupted ends.
INTERRUPTED = 'did not finish: nova-compute or nova-fpga stopped during it?'

_KINDS = (
    (bitstream_exception.IncompatibleBitstream, INCOMPATIBLE),
    ((bitstream_exception.BitstreamNotFound,
      bitstream_exception.AmbiguousBitstream,
      bitstream_exception.NotABitstream), NOT_FOUND),
    ((bitstream_exception.InvalidBitstream,
      bitstream_exception.SignatureFailed), INVALID),
    (bitstream_exception.CacheError, CACHE),
    (bitstream_exception.BitstreamError, NOT_FETCHED),
    (programming.Failed, HARDWARE),
)


def kind_of(error):
    """The failure kind of an exception or of what caused it.

    A bitstream's fault wins over the hardware's: scrubbing with a blank
    bitstream that does not fit fails as incompatible.
    """
    chain = []
    while error is not None:
        chain.append(error)
        error = error.__cause__
    for types, kind in _KINDS:
        if any(isinstance(e, types) for e in chain):
            return kind
    return UNKNOWN


class AssignmentFailed(Exception):
    """A region cannot be given to the instance; the message says why.

    ``kind`` is one of the failure kinds above. ``touched``: whether the
    hardware of a region was programmed, or programming of it begun,
    before the failure; if not, every region holds what it held.
    """

    def __init__(self, region, cause, bitstream=None, kind=UNKNOWN,
                 touched=False, unit='FPGA region'):
        super().__init__('%s %s%s: %s' % (
            unit, region, ', %s' % bitstream if bitstream else '', cause))
        self.kind = kind
        self.touched = touched


def caller_of(context):
    """Who a request context acts for, as a region record keeps it."""
    return 'user %s, project %s' % (getattr(context, 'user_id', None),
                                    getattr(context, 'project_id', None))


def describe(device, region):
    return '%s %s' % (device.address, region.name)


def unit_of(identifiers):
    """What the units are called in a message: GPUs, or FPGA regions.

    A GPU's identifier is its PCI address; a region's has its name after.
    """
    if identifiers and all(sysfs.is_pci_address(i) for i in identifiers):
        return 'GPU'
    return 'FPGA region'


class _NoLongerHeld(Exception):
    """A quarantined region was freed while its retry waited for the card."""


class _Mark:
    """Holds a region in quarantine while ``work`` is done to it.

    A region a dead process was programming may hold half a design yet
    read as healthy, so it is marked first, and the mark is removed only
    when the work is done and verified. On a failure the failure's reason
    replaces it (``replace``). It is entered inside the card lock, and
    ``working`` (a set) names the regions this process works on meanwhile.
    ``only_if_held``: enter only if the region is in quarantine then, else
    raise _NoLongerHeld (a retry whose region another process freed).
    """

    def __init__(self, quarantine, working, device, region, work,
                 only_if_held=False):
        self.quarantine = quarantine
        self.working = working
        self.identifier = placement.region_identifier(device, region)
        self.what = '%s of FPGA region %s' % (work, describe(device, region))
        self.only_if_held = only_if_held
        self.entered = False

    def __enter__(self):
        if (self.only_if_held and
                self.identifier not in self.quarantine.held()):
            raise _NoLongerHeld(self.identifier)
        self.entered = True
        self.working.add(self.identifier)
        began = datetime.datetime.now(datetime.timezone.utc)
        try:
            self.quarantine.add(self.identifier, '%s began at %s and %s' % (
                self.what, began.isoformat(timespec='seconds'), INTERRUPTED),
                quiet=True)
        except OSError as e:
            LOG.error('FPGA region %s cannot be marked as being programmed, '
                      'so an interruption would go unnoticed: %s',
                      self.identifier, e)

    def __exit__(self, exc_type, exc, tb):
        self.working.discard(self.identifier)
        if exc_type is not None:
            return
        try:
            self.quarantine.remove(self.identifier, quiet=True)
        except OSError as e:
            LOG.error('FPGA region %s is done but stays quarantined: its '
                      'record cannot be written: %s', self.identifier, e)

    def replace(self, reason, quiet=False):
        """The failure's reason in place of the mark, if one was made."""
        if not self.entered:
            return
        try:
            self.quarantine.add(self.identifier, reason, quiet)
        except OSError as e:
            LOG.error('FPGA region %s cannot be recorded as quarantined: %s',
                      self.identifier, e)


class HostRegions:
    """The FPGA regions of this host, as instances hold them."""

    def __init__(self, conf):
        self.sysfs_root = conf.fpga.sysfs_root
        self.dev_root = conf.fpga.dev_root
        self.backend_names = tuple(conf.fpga.enabled_backends)
        self.program_timeout = conf.fpga.program_timeout
        self.scrub_mode = conf.fpga.scrub_on_release
        self.verify_signatures = conf.fpga.verify_bitstream_signatures
        self.trusted_certificate_ids = tuple(
            conf.fpga.bitstream_trusted_certificate_ids)
        self.device_spec = passthrough.DeviceSpec(conf)
        self.state = state.StateStore(conf.fpga.state_dir)
        self.quarantine = quarantine.Quarantine(conf.fpga.state_dir)
        self._conf = conf
        # The driver family of each region the last discovery found.
        self._families = {}
        self._interruptions_reported = False
        # The regions this process programs or scrubs now: their marks in
        # quarantine are no interruption.
        self._working = set()

    @functools.cached_property
    def cache(self):
        # Built on first use: it makes its directory and tidies it, which
        # a host that never loads a bitstream has no need of.
        return bitstream.cache_from_conf(self._conf)

    def backend(self, device):
        return discovery.backend_of(device, self.sysfs_root, self.dev_root)

    def _discover(self, backend_names):
        """Discovery; regions Nova's PCI passthrough claims are unhealthy.

        One reading for both, so the PCI functions are read once.
        """
        with sysfs.one_reading():
            return self.device_spec.withhold(
                discovery.discover(self.sysfs_root, self.dev_root,
                                   backend_names),
                self.sysfs_root)

    def discover(self):
        inventory = self._discover(self.backend_names)
        self._families = {
            placement.region_identifier(device, region): device.family
            for device in inventory.devices for region in device.regions}
        return inventory

    def find(self, identifiers):
        """``([(device, region)], [identifiers not found])``, in order.

        Only the families that held the regions at the last discovery (the
        periodic update's) read sysfs again, whole; when one is not found
        there, or it cannot be given to a guest (another family may drive
        its card now), every family does.
        """
        families = {self._families.get(i) for i in identifiers}
        if identifiers and None not in families:
            held, missing = self._find_in(self._discover(
                [name for name in self.backend_names if name in families]),
                identifiers)
            if not missing and all(placement.usable(device, region)
                                   for device, region in held):
                return held, missing
        return self._find_in(self.discover(), identifiers)

    @staticmethod
    def _find_in(inventory, identifiers):
        regions = {placement.region_identifier(device, region):
                   (device, region)
                   for device in inventory.devices
                   for region in device.regions}
        return ([regions[i] for i in identifiers if i in regions],
                [i for i in identifiers if i not in regions])

    def passed(self, addresses):
        """The regions any of whose PCI functions is in ``addresses``.

        Their identifiers, GPUs left out (nothing scrubs them).
        """
        addresses = set(addresses)
        if not addresses:
            return []
        return [placement.region_identifier(device, region)
                for device in self.discover().devices if not device.is_gpu
                for region in device.regions
                if addresses.intersection(region.attach)]

    def attachable(self, identifiers):
        """The regions, each with the PCI functions a guest receives.

        Raises AssignmentFailed when one is gone or has none to give.
        """
        try:
            held, missing = self.find(identifiers)
        except discovery.NotSysfs as e:
            raise AssignmentFailed(', '.join(identifiers), e,
                                   kind=HARDWARE,
                                   unit=unit_of(identifiers)) from e
        if missing:
            raise AssignmentFailed(', '.join(missing),
                                   'it is not on this host any more',
                                   kind=NO_SUCH_REGION, unit=unit_of(missing))
        for device, region in held:
            if not placement.usable(device, region):
                raise AssignmentFailed(
                    device.address if device.is_gpu else
                    describe(device, region),
                    'it cannot be given to a guest now: %s' % (
                        device.health_reason or region.health_reason or
                        'it has no PCI function to attach'),
                    kind=HARDWARE,
                    unit='GPU' if device.is_gpu else 'FPGA region')
        return held

    def hold(self, held, instance):
        """Record ``instance`` as the holder of the held FPGA regions.

        With the provider each is claimed from, as ``instance.resources``
        says.
        """
        providers = {resource.identifier: resource.provider_uuid
                     for resource in instance.resources or ()}
        for device, region in held:
            if not device.is_gpu:
                identifier = placement.region_identifier(device, region)
                self._record(self.state.record_holder, identifier,
                             instance.uuid, instance.project_id,
                             instance.user_id, providers.get(identifier))

    def given_to(self, instances):
        """``{identifier: provider uuid}`` of regions given to ``instances``.

        As the region records say: the instance each was given to last,
        and the provider it was claimed from.
        """
        found = {}
        for identifier in self._families if instances else ():
            held = self.state.read(identifier)['held'] or {}
            if held.get('instance') in instances and held.get('provider'):
                found[identifier] = held['provider']
        return found

    def load(self, context, image_api, held, request):
        """Load the bitstream ``request`` names into each held region.

        Returns what programming did to each (programming.SKIPPED or
        PROGRAMMED). Raises AssignmentFailed at the first region that
        fails, touched if this or an earlier region was programmed; the
        regions before it stay loaded. A region that failed in
        programming or in the check afterwards is quarantined.
        """
        outcomes = []
        for device, region in held:
            if device.is_gpu:
                continue
            try:
                outcomes.append(self.load_region(context, image_api, device,
                                                 region, request))
            except AssignmentFailed as e:
                e.touched = e.touched or programming.PROGRAMMED in outcomes
                raise
        return outcomes

    def load_region(self, context, image_api, device, region, request,
                    progress=None):
        """Fetch, verify, check and program one region; record it.

        ``progress(message)``, when given, hears of each step. Returns
        programming.SKIPPED or PROGRAMMED; raises AssignmentFailed.
        """
        identifier = placement.region_identifier(device, region)
        what = request.describe()
        mark = None
        try:
            prepared = bitstream.prepare(
                context, image_api, self.cache, region, device, request,
                verify_signatures=self.verify_signatures,
                trusted_certificate_ids=self.trusted_certificate_ids,
                progress=progress)
            what = 'bitstream image %s' % bitstream_exception.describe(
                prepared.image_meta)
            function_id = prepared.header.function_id
            if progress is not None:
                progress('Programming FPGA region %s with %s' % (
                    describe(device, region), what))
            started = time.monotonic()
            mark = self._marked(device, region, 'Programming with %s' % what)
            outcome = programming.program_region(
                self.backend(device), device, region, prepared.path,
                prepared.header, function_id, self.program_timeout, mark)
            seconds = time.monotonic() - started
        except Exception as e:
            kind = kind_of(e)
            self._record(self.state.record_failure, identifier, kind)
            if getattr(e, 'image', None):
                what = 'bitstream image %s' % bitstream_exception.describe(
                    e.image)
            cause = getattr(e, 'cause', None)
            if kind == UNKNOWN or cause is None:
                cause = 'unexpected error: %s' % e
            failed = AssignmentFailed(describe(device, region), cause, what,
                                      kind=kind, touched=mark is not None)
            if mark is not None:
                mark.replace(str(failed))
            raise failed from e
        self._record(
            self.state.record_load, identifier, outcome,
            prepared.image_meta, function_id, caller_of(context),
            download_seconds=prepared.download_seconds,
            programming_seconds=(seconds if outcome == programming.PROGRAMMED
                                 else None))
        if progress is not None:
            progress('Programmed and verified in %.1f s' % seconds
                     if outcome == programming.PROGRAMMED else
                     'The region holds function %s already: not programmed '
                     'again' % function_id)
        return outcome

    @staticmethod
    def _record(method, *args, **kwargs):
        """Update a region record; a failure to write is logged, not raised."""
        try:
            method(*args, **kwargs)
        except (OSError, ValueError) as e:
            LOG.warning('The record of FPGA region %s is not updated: %s',
                        args[0], e)

    def scrub_region(self, device, region, mode, by, only_if_held=False):
        """Scrub one region as ``[fpga] scrub_on_release`` modes do.

        Returns what programming.scrub_region returns; raises
        programming.Failed (and _NoLongerHeld, see _Mark).
        """
        identifier = placement.region_identifier(device, region)
        mark = self._marked(device, region, 'Scrubbing (%s)' % mode,
                            only_if_held)
        try:
            outcome = programming.scrub_region(
                self.backend(device), device, region, mode,
                self.program_timeout, mark)
        except programming.Failed as e:
            self._record(self.state.record_failure, identifier, kind_of(e))
            # Quiet: the callers say what becomes of the region.
            mark.replace(str(e), quiet=True)
            raise
        self._record(self.state.record_scrub, identifier, mode, by)
        return outcome

    def release(self, identifiers):
        """Scrub the regions as ``[fpga] scrub_on_release`` says.

        Failures are logged, not raised: the instance is gone either way.
        Returns what scrubbing did to each region found, None where it
        failed.
        """
        if self.scrub_mode == 'none':
            return []
        try:
            held, missing = self.find(identifiers)
        # Whatever discovery meets, the instance's deletion goes on.
        except Exception:
            LOG.exception('FPGA regions %s are not scrubbed: discovery '
                          'failed', ', '.join(identifiers))
            return []
        for identifier in missing:
            LOG.warning('FPGA region %s is not on this host any more, so it '
                        'is not scrubbed', identifier)
        outcomes = []
        for device, region in held:
            if device.is_gpu:
                continue
            try:
                outcome = self.scrub_region(device, region, self.scrub_mode,
                                            'release by its instance')
            except programming.Failed as e:
                self._quarantine(device, region, str(e))
                outcome = None
            outcomes.append(outcome)
        return outcomes

    def _marked(self, device, region, work, only_if_held=False):
        return _Mark(self.quarantine, self._working, device, region, work,
                     only_if_held)

    def _quarantine(self, device, region, reason):
        identifier = placement.region_identifier(device, region)
        try:
            self.quarantine.add(identifier, reason)
        except OSError as e:
            LOG.error('FPGA region %s cannot be recorded as quarantined, so '
                      'it will not be held back: %s', identifier, e)

    @property
    def retry_mode(self):
        """How a quarantined region is scrubbed: at least reset."""
        return 'reset' if self.scrub_mode == 'none' else self.scrub_mode

    def retry_quarantined(self):
        """Scrub every quarantined region again; free those that take it.

        Returns ``{identifier: reason}`` of the regions still held. A
        region no longer on the host stays held: its card may come back
        as it was. A region this process programs or scrubs now is not
        held: its mark is no interruption. Nor is one another process
        freed while this retry waited for its card.
        """
        held = {identifier: reason
                for identifier, reason in self.quarantine.held().items()
                if identifier not in self._working}
        if not self._interruptions_reported:
            self._interruptions_reported = True
            for identifier, reason in sorted(held.items()):
                if reason.endswith(INTERRUPTED):
                    LOG.error('FPGA region %s was interrupted and is held in '
                              'quarantine until a scrub of it succeeds: %s',
                              identifier, reason)
        if not held:
            return held
        found, _ = self.find(held)
        for device, region in found:
            identifier = placement.region_identifier(device, region)
            try:
                self.scrub_region(device, region, self.retry_mode,
                                  'retry of a quarantined region',
                                  only_if_held=True)
            except _NoLongerHeld:
                del held[identifier]
                continue
            except programming.Failed as e:
                LOG.warning('FPGA region %s stays quarantined: %s',
                            identifier, e)
                # Why it was held says more than the retry's failure.
                self.quarantine.add(identifier, held[identifier], quiet=True)
                continue
            try:
                self.quarantine.remove(identifier)
            except OSError as e:
                LOG.error('FPGA region %s is scrubbed but stays quarantined: '
                          'its record cannot be written: %s', identifier, e)
                continue
            del held[identifier]
        return held
