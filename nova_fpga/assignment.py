"""The regions an instance holds: finding, loading and scrubbing them.

GPUs are held the same way; they are never loaded nor scrubbed.

Knows nothing of the virt driver. It is given the unit identifiers the
resource tracker recorded for the instance (``placement.region_identifier``
of each region), the request (``nova_fpga.request``) and Nova's image API.
"""

import functools

from oslo_log import log as logging

from nova_fpga import bitstream
from nova_fpga.bitstream import exception as bitstream_exception
from nova_fpga import discovery
from nova_fpga import placement
from nova_fpga import programming
from nova_fpga import quarantine

LOG = logging.getLogger(__name__)


class AssignmentFailed(Exception):
    """A region cannot be given to the instance; the message says why."""

    def __init__(self, region, cause, bitstream=None):
        super().__init__('FPGA region %s%s: %s' % (
            region, ', %s' % bitstream if bitstream else '', cause))


def describe(device, region):
    return '%s %s' % (device.address, region.name)


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
        self.quarantine = quarantine.Quarantine(conf.fpga.quarantine_file)
        self._conf = conf

    @functools.cached_property
    def cache(self):
        # Built on first use: it makes its directory and tidies it, which
        # a host that never loads a bitstream has no need of.
        return bitstream.cache_from_conf(self._conf)

    def backend(self, device):
        return discovery.backend_of(device, self.sysfs_root, self.dev_root)

    def discover(self):
        return discovery.discover(self.sysfs_root, self.dev_root,
                                  self.backend_names)

    def find(self, identifiers):
        """``([(device, region)], [identifiers not found])``, in order."""
        inventory = self.discover()
        regions = {placement.region_identifier(device, region):
                   (device, region)
                   for device in inventory.devices
                   for region in device.regions}
        return ([regions[i] for i in identifiers if i in regions],
                [i for i in identifiers if i not in regions])

    def attachable(self, identifiers):
        """The regions, each with the PCI functions a guest receives.

        Raises AssignmentFailed when one is gone or has none to give.
        """
        try:
            held, missing = self.find(identifiers)
        except discovery.NotSysfs as e:
            raise AssignmentFailed(', '.join(identifiers), e) from e
        if missing:
            raise AssignmentFailed(', '.join(missing),
                                   'it is not on this host any more')
        for device, region in held:
            if not placement.usable(device, region):
                raise AssignmentFailed(
                    describe(device, region),
                    'it cannot be given to a guest now: %s' % (
                        device.health_reason or region.health_reason or
                        'it has no PCI function to attach'))
        return held

    def load(self, context, image_api, held, request):
        """Load the bitstream ``request`` names into each held region.

        Returns what programming did to each (programming.SKIPPED or
        PROGRAMMED). Raises AssignmentFailed at the first region that
        fails; the regions before it stay loaded. A region that failed in
        programming or in the check afterwards is quarantined.
        """
        outcomes = []
        for device, region in held:
            if device.is_gpu:
                continue
            try:
                outcomes.append(self._load(context, image_api, device,
                                           region, request))
            except AssignmentFailed as e:
                if isinstance(e.__cause__, programming.Failed):
                    self._quarantine(device, region, str(e))
                raise
        return outcomes

    def _load(self, context, image_api, device, region, request):
        what = request.describe()
        try:
            prepared = bitstream.prepare(
                context, image_api, self.cache, region, device, request,
                verify_signatures=self.verify_signatures,
                trusted_certificate_ids=self.trusted_certificate_ids)
            what = 'bitstream image %s' % bitstream_exception.describe(
                prepared.image_meta)
            return programming.program_region(
                self.backend(device), device, region, prepared.path,
                prepared.header, prepared.header.function_id,
                self.program_timeout)
        except (bitstream_exception.BitstreamError,
                programming.Failed) as e:
            if getattr(e, 'image', None):
                what = 'bitstream image %s' % bitstream_exception.describe(
                    e.image)
            raise AssignmentFailed(describe(device, region), e.cause,
                                   what) from e
        except Exception as e:
            raise AssignmentFailed(describe(device, region),
                                   'unexpected error: %s' % e, what) from e

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
                outcome = programming.scrub_region(
                    self.backend(device), device, region, self.scrub_mode,
                    self.program_timeout)
            except programming.Failed as e:
                self._quarantine(device, region, str(e))
                outcome = None
            outcomes.append(outcome)
        return outcomes

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
        as it was.
        """
        held = self.quarantine.held()
        if not held:
            return held
        found, _ = self.find(held)
        for device, region in found:
            identifier = placement.region_identifier(device, region)
            try:
                programming.scrub_region(
                    self.backend(device), device, region, self.retry_mode,
                    self.program_timeout)
            except programming.Failed as e:
                LOG.warning('FPGA region %s stays quarantined: %s',
                            identifier, e)
                continue
            try:
                self.quarantine.remove(identifier)
            except OSError as e:
                LOG.error('FPGA region %s is scrubbed but stays quarantined: '
                          'its record cannot be written: %s', identifier, e)
                continue
            del held[identifier]
        return held
