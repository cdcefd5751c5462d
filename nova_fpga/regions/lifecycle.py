"""The regions an instance holds: holding, loading and scrubbing them.

GPUs are held the same way; they are never loaded nor scrubbed.

Knows nothing of the virt driver. It is given the unit identifiers the
resource tracker recorded for the instance (``model.region_identifier`` of
each region), the request (``nova_fpga.request``) and Nova's image API.
"""

import functools
import time

from oslo_concurrency import lockutils
from oslo_log import log as logging

from nova_fpga import bitstream
from nova_fpga.bitstream import exception as bitstream_exception
from nova_fpga.bitstream import headers
from nova_fpga import discovery
from nova_fpga import model
from nova_fpga.regions import events
from nova_fpga.regions import exception
from nova_fpga.regions import programming
from nova_fpga.regions import quarantine
from nova_fpga.regions import records

LOG = logging.getLogger(__name__)


def _image_of(loaded):
    """The image metadata a region record keeps of what was loaded."""
    return {'id': loaded.get('image_id'), 'name': loaded.get('image_name'),
            'os_hash_value': loaded.get('image_hash'),
            'os_hash_algo': loaded.get('image_hash_algo')}


def caller_of(context):
    """Who a request context acts for, as a region record keeps it."""
    return 'user %s, project %s' % (getattr(context, 'user_id', None),
                                    getattr(context, 'project_id', None))


def region_lock(identifier, lock_path=None):
    """The region's lock, across processes.

    Held while the region is given to a server, and while a request works
    on it (regions.operations): neither sees the other half done.
    """
    return lockutils.lock('nova-fpga-region-%s' % identifier, external=True,
                          lock_path=lock_path)


class HostRegions:
    """The FPGA regions of this host, as instances hold them.

    ``host``: the compute service's host, given by nova-compute alone; its
    ``events`` then write ``[fpga] metrics_file`` and send notifications.
    """

    def __init__(self, conf, host=None):
        self.inventory = discovery.HostInventory(conf)
        self.program_timeout = conf.fpga.program_timeout
        self.lock_path = conf.fpga.lock_path
        self.blank_bitstreams = dict(conf.fpga.blank_bitstreams)
        self.scrub_mode = conf.fpga.scrub_on_release
        self.reuse_after_reset = conf.fpga.reuse_after_reset
        self.verify_signatures = conf.fpga.verify_bitstream_signatures
        self.trusted_certificate_ids = tuple(
            conf.fpga.bitstream_trusted_certificate_ids)
        self.state = records.StateStore(conf.fpga.state_dir)
        self.quarantine = quarantine.Quarantine(conf.fpga.state_dir)
        self.events = events.Events(self.state, host, conf.fpga.metrics_file)
        self._conf = conf
        self._interruptions_reported = False
        # The regions usable at the last survey.
        self._usable = set()
        # The regions this process programs or scrubs now: their marks in
        # quarantine are no interruption.
        self._working = set()

    @functools.cached_property
    def cache(self):
        # Built on first use: it makes its directory and tidies it, which
        # a host that never loads a bitstream has no need of.
        return bitstream.cache_from_conf(self._conf, pinned=self._held_images)

    def _held_images(self):
        """The bitstreams loaded for the instances that hold their regions.

        A power cycle may need them again (``restore``): never evicted.
        """
        found = []
        for identifier in self.state.identifiers():
            record = self.state.read(identifier)
            loaded, held = record['loaded'], record['held']
            if (loaded and held and loaded.get('instance') and
                    loaded['instance'] == held.get('instance')):
                found.append(_image_of(loaded))
        return found

    def survey(self):
        """This host's inventory, as the periodic update reports it.

        A port being reconfigured does not answer, so a region may read
        unusable while its card is programmed or scrubbed, by this process
        or another. A region usable at the last survey that reads unusable
        now is not taken at its word: its card is read again under the
        card's lock, once that work is done, and that reading counts.
        """
        inventory = self.inventory.discover()
        suspects = {device.address for device in inventory.devices
                    if not device.is_gpu
                    for region in device.regions
                    if not model.usable(device, region) and
                    model.region_identifier(device, region) in self._usable}
        if suspects:
            devices = []
            for device in inventory.devices:
                if device.address in suspects:
                    with programming.card_lock(device.address,
                                               self.lock_path):
                        device = self.inventory.read_device(device)
                if device is not None:
                    devices.append(device)
            inventory = inventory._replace(devices=tuple(devices))
        self._usable = {model.region_identifier(device, region)
                        for device in inventory.devices
                        for region in device.regions
                        if model.usable(device, region)}
        return inventory

    def attachable(self, identifiers):
        """The regions, each with the PCI functions a guest receives.

        Raises AssignmentFailed when one is gone or has none to give.
        """
        try:
            held, missing = self.inventory.find(identifiers)
        except discovery.NotSysfs as e:
            raise exception.AssignmentFailed(
                ', '.join(identifiers), e, kind=exception.HARDWARE,
                unit=model.unit_of(identifiers)) from e
        if missing:
            raise exception.AssignmentFailed(
                ', '.join(missing), 'it is not on this host any more',
                kind=exception.NO_SUCH_REGION, unit=model.unit_of(missing))
        for device, region in held:
            if not model.usable(device, region):
                raise exception.AssignmentFailed(
                    device.address if device.is_gpu else
                    model.describe(device, region),
                    'it cannot be given to a guest now: %s' %
                    model.unusable_reason(device, region),
                    kind=exception.HARDWARE,
                    unit='GPU' if device.is_gpu else 'FPGA region')
        return held

    def hold(self, held, instance):
        """Record ``instance`` as the holder of the held FPGA regions.

        With the provider each is claimed from, as ``instance.resources``
        says.
        A region still held by another instance was never released (its
        move failed, or its host stopped mid-way): it is scrubbed first, so
        nothing of the last holder reaches this one. Raises AssignmentFailed
        when that scrub fails; the region is quarantined then.
        """
        providers = {resource.identifier: resource.provider_uuid
                     for resource in instance.resources or ()}
        for device, region in held:
            if device.is_gpu:
                continue
            identifier = model.region_identifier(device, region)
            with region_lock(identifier, self.lock_path):
                last = (self._read(identifier)['held'] or {}).get('instance')
                if last not in (None, instance.uuid):
                    self._scrub_left_by(device, region, last)
                self._record(self.state.record_holder, identifier,
                             instance.uuid, instance.project_id,
                             instance.user_id, providers.get(identifier))

    def _scrub_left_by(self, device, region, last):
        if self.scrub_mode == 'none':
            return
        LOG.warning('FPGA region %s was never released by instance %s: '
                    'scrubbing it (%s) before it is given to another',
                    model.describe(device, region), last, self.scrub_mode)
        try:
            self.scrub_region(device, region, self.scrub_mode,
                              'claim after instance %s' % last)
        except exception.Failed as e:
            self._quarantine(device, region, str(e))
            raise exception.AssignmentFailed(
                model.describe(device, region),
                'it was left by instance %s and cannot be scrubbed: %s' % (
                    last, getattr(e, 'cause', None) or e),
                kind=exception.kind_of(e), touched=True) from e

    def given_to(self, instances):
        """``{identifier: provider uuid}`` of regions given to ``instances``.

        As the region records say: the instance each was given to last,
        and the provider it was claimed from.
        """
        found = {}
        for identifier in self.inventory.families if instances else ():
            held = self.state.read(identifier)['held'] or {}
            if held.get('instance') in instances and held.get('provider'):
                found[identifier] = held['provider']
        return found

    def load(self, context, image_api, held, request, instance=None):
        """Load the bitstream ``request`` names into each held region.

        ``instance`` is the uuid of the instance it is loaded for.

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
                                                 region, request,
                                                 instance=instance))
            except exception.AssignmentFailed as e:
                e.touched = e.touched or programming.PROGRAMMED in outcomes
                raise
        return outcomes

    def load_region(self, context, image_api, device, region, request,
                    progress=None, instance=None):
        """Fetch, verify, check and program one region; record it.

        ``progress(message)``, when given, hears of each step; the record
        names ``instance`` (a uuid) as what it was loaded for. Returns
        programming.SKIPPED or PROGRAMMED; raises AssignmentFailed.
        """
        identifier = model.region_identifier(device, region)
        region = self._as_found(identifier, region)
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
                    model.describe(device, region), what))
            started = time.monotonic()
            mark = self._marked(device, region, 'Programming with %s' % what)
            outcome = programming.program_region(
                self.inventory.backend(device), device, region,
                prepared.path, prepared.header, function_id,
                self.program_timeout, mark, self.lock_path)
            seconds = time.monotonic() - started
        except Exception as e:
            kind = exception.kind_of(e)
            self._record(self.state.record_failure, identifier, kind)
            self.events.failed(kind)
            if getattr(e, 'image', None):
                what = 'bitstream image %s' % bitstream_exception.describe(
                    e.image)
            cause = getattr(e, 'cause', None)
            if kind == exception.UNKNOWN or cause is None:
                cause = 'unexpected error: %s' % e
            failed = exception.AssignmentFailed(
                model.describe(device, region), cause, what, kind=kind,
                touched=mark is not None)
            if mark is not None and mark.entered:
                self._quarantine(device, region, str(failed))
            raise failed from e
        self._record(
            self.state.record_load, identifier, outcome,
            prepared.image_meta, function_id, caller_of(context),
            download_seconds=prepared.download_seconds,
            programming_seconds=(seconds if outcome == programming.PROGRAMMED
                                 else None), instance=instance)
        self.events.programmed(device, region, outcome, prepared.image_meta,
                               function_id, seconds,
                               prepared.download_seconds, instance)
        if progress is not None:
            progress('Programmed and verified in %.1f s' % seconds
                     if outcome == programming.PROGRAMMED else
                     'The region holds function %s already: not programmed '
                     'again' % function_id)
        return outcome

    def _as_found(self, identifier, region):
        """The region, as programming is to take it.

        One released by a ``reset`` scrub since it was last loaded still
        shows its function, with the on-chip memories its last holder
        left: unless ``[fpga] reuse_after_reset``, it shows no function
        here, so that programming loads it again.
        """
        if self.reuse_after_reset:
            return region
        record = self._read(identifier)
        scrubbed, loaded = record['scrubbed'], record['loaded']
        if (scrubbed and scrubbed['mode'] == 'reset' and
                (not loaded or scrubbed['at'] >= loaded['at'])):
            return region._replace(function_id=None)
        return region

    def restore(self, held, instance):
        """Load again what was loaded for ``instance`` where it is gone.

        A host's power cycle leaves each region with what its card loads
        at power-up. Before a domain holding regions is defined again, each
        region the instance holds whose record says a bitstream was loaded
        for it must show that bitstream's function; where it does not, the
        bitstream is programmed again from the cache (which keeps what
        servers hold), with no Glance request. Raises AssignmentFailed
        naming the region, the bitstream and the cause; the region is
        quarantined then.

        Returns the regions nothing was loaded into for ``instance``.
        """
        unloaded = []
        for device, region in held:
            if device.is_gpu:
                continue
            loaded = self.state.read(
                model.region_identifier(device, region))['loaded'] or {}
            if loaded.get('instance') != instance:
                unloaded.append((device, region))
            elif loaded['function_id'] != region.function_id:
                self._restore(device, region, loaded, instance)
        return unloaded

    def _restore(self, device, region, loaded, instance):
        image = _image_of(loaded)
        what = 'bitstream image %s' % bitstream_exception.describe(image)
        LOG.warning('FPGA region %s shows function %s, not %s, which was '
                    'loaded for instance %s (a power cycle?): loading %s '
                    'again from the cache', model.describe(device, region),
                    region.function_id or 'none', loaded['function_id'],
                    instance, what)
        mark = None
        try:
            path = self.cache.cached(image)
            header = headers.parse(path)
            headers.check_fits(header, region)
            started = time.monotonic()
            mark = self._marked(device, region, 'Restoring %s' % what)
            programming.program_region(
                self.inventory.backend(device), device, region, path, header,
                loaded['function_id'], self.program_timeout, mark,
                self.lock_path)
        except Exception as e:
            cause = getattr(e, 'cause', None) or 'unexpected error: %s' % e
            failed = exception.AssignmentFailed(
                model.describe(device, region),
                'it lost the function loaded for the instance and cannot '
                'be loaded again: %s' % cause, what,
                kind=exception.kind_of(e), touched=mark is not None)
            self.events.failed(failed.kind)
            self._quarantine(device, region, str(failed))
            raise failed from e
        seconds = time.monotonic() - started
        self._record(
            self.state.record_load, model.region_identifier(device, region),
            programming.PROGRAMMED, image, loaded['function_id'],
            'restore for instance %s' % instance,
            programming_seconds=seconds, instance=instance)
        self.events.programmed(device, region, programming.PROGRAMMED, image,
                               loaded['function_id'], seconds,
                               instance=instance)

    def _read(self, identifier):
        """The region's record; an empty one when it cannot be read."""
        try:
            return self.state.read(identifier)
        except OSError as e:
            LOG.warning('The record of FPGA region %s cannot be read: %s',
                        identifier, e)
            return records.empty_record()

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
        exception.Failed (and NoLongerHeld, see quarantine.Mark).
        """
        identifier = model.region_identifier(device, region)
        mark = self._marked(device, region, 'Scrubbing (%s)' % mode,
                            only_if_held)
        try:
            outcome = programming.scrub_region(
                self.inventory.backend(device), device, region, mode,
                self.program_timeout, mark, self.lock_path,
                self.blank_bitstreams)
        except exception.Failed as e:
            kind = exception.kind_of(e)
            self._record(self.state.record_failure, identifier, kind)
            self.events.failed(kind)
            # The callers say what becomes of the region.
            mark.replace(str(e))
            raise
        self._record(self.state.record_scrub, identifier, mode, by)
        self.events.scrubbed(device, region, mode, by)
        return outcome

    def forget(self, identifiers):
        """The regions' records hold them no more; nothing is scrubbed."""
        for identifier in identifiers:
            if model.unit_of([identifier]) != 'GPU':
                self._record(self.state.record_release, identifier)

    def release(self, identifiers):
        """Scrub the regions as ``[fpga] scrub_on_release`` says.

        Their records hold them no more. Failures are logged, not raised:
        the instance is gone either way.
        Returns what scrubbing did to each region found, None where it
        failed.
        """
        self.forget(identifiers)
        if self.scrub_mode == 'none':
            return []
        try:
            held, missing = self.inventory.find(identifiers)
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
            except exception.Failed as e:
                self._quarantine(device, region, str(e))
                outcome = None
            outcomes.append(outcome)
        return outcomes

    def _marked(self, device, region, work, only_if_held=False):
        return quarantine.Mark(self.quarantine, self._working, device, region,
                               work, only_if_held)

    def _quarantine(self, device, region, reason):
        identifier = model.region_identifier(device, region)
        try:
            self.quarantine.add(identifier, reason)
        except OSError as e:
            LOG.error('FPGA region %s cannot be recorded as quarantined, so '
                      'it will not be held back: %s', identifier, e)
        else:
            self.events.quarantined(device, region, reason)

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
                if reason.endswith(quarantine.INTERRUPTED):
                    LOG.error('FPGA region %s was interrupted and is held in '
                              'quarantine until a scrub of it succeeds: %s',
                              identifier, reason)
        if not held:
            return held
        found, _ = self.inventory.find(held)
        for device, region in found:
            identifier = model.region_identifier(device, region)
            try:
                self.scrub_region(device, region, self.retry_mode,
                                  'retry of a quarantined region',
                                  only_if_held=True)
            except exception.NoLongerHeld:
                del held[identifier]
                continue
            except exception.Failed as e:
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
