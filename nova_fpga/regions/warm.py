"""Free regions kept loaded with bitstreams before anyone asks for them.

``[fpga] warm_bitstreams`` names bitstream images and how many free
regions of this host should show each one's function. At each periodic
update, while one falls short, one more free region it fits is loaded
with it, through HostRegions.load_region as at a spawn (fetched,
verified, programmed under the card's lock, checked); one region per
update, so that no update waits long and one card is programmed at a
time. A held, quarantined or unusable region is never touched; a region
showing another warm bitstream's function is not taken from it. A spawn
that claims a region while it is being warmed waits for the card's lock
and loads what it asks for, as always.

Glance is asked with nova.conf's ``[service_user]`` credentials (Nova's
own service user): a warm region is loaded for nobody yet, so no user's
token can be used, and that user sees what the operator published for
every project.
"""

from oslo_log import log as logging

from nova_fpga.bitstream import exception as bitstream_exception
from nova_fpga.bitstream import glance
from nova_fpga import identity
from nova_fpga import model
from nova_fpga.regions import exception
from nova_fpga import request

LOG = logging.getLogger(__name__)


class WarmKeeper:
    """Keeps ``[fpga] warm_bitstreams`` loaded in this host's free regions.

    ``regions`` is the host's regions.lifecycle.HostRegions, ``image_api``
    Nova's image API.
    """

    def __init__(self, conf, regions, image_api):
        self.wanted = dict(conf.fpga.warm_bitstreams)
        self.regions = regions
        self.image_api = image_api
        self._conf = conf
        self._session = None
        # {image id: (function id, interface id)}; images do not change.
        self._images = {}

    def keep(self, inventory, busy):
        """Load one free region toward the targets, if one falls short.

        ``busy``: identifiers of regions that are not free (held by an
        instance or a migration, quarantined). Returns the identifier of
        the region loaded, or None.
        """
        if not self.wanted:
            return None
        try:
            self._session = (self._session or
                             identity.service_session(self._conf))
            if self._session is None:
                raise ValueError('nova.conf has no [service_user] auth_type')
            context = identity.context_of(self._session)
        except Exception as e:
            LOG.warning('FPGA warm bitstreams are not kept: no service '
                        'credentials: %s', e)
            return None
        free = [(device, region) for device in inventory.devices
                if not device.is_gpu for region in device.regions
                if model.usable(device, region) and
                model.region_identifier(device, region) not in busy]
        known = {image_id: self._image(context, image_id)
                 for image_id in sorted(self.wanted)}
        targets = {ids[0] for ids in known.values() if ids}
        for image_id, ids in known.items():
            if not ids:
                continue
            function_id, interface_id = ids
            warm = sum(region.function_id == function_id
                       for _, region in free)
            if warm >= self.wanted[image_id]:
                continue
            cold = [(device, region) for device, region in free
                    if region.function_id not in targets and
                    region.interface_id == interface_id]
            if cold:
                return self._load(context, image_id, cold[0], warm)
        return None

    def _image(self, context, image_id):
        """``(function id, interface id)`` of the image, None if unusable."""
        if image_id not in self._images:
            try:
                image = self.image_api.get(context, image_id)
                ids = (glance.property_id(image, 'fpga_function_id'),
                       glance.property_id(image, 'fpga_interface_id'))
            except Exception as e:
                LOG.warning('Warm bitstream image %s cannot be looked up in '
                            'Glance: %s', image_id, e)
                return None
            if None in ids:
                LOG.warning('Warm bitstream image %s names no '
                            'fpga_function_id or fpga_interface_id, so no '
                            'region can be known to hold it: it is not '
                            'kept warm', image_id)
            self._images[image_id] = None if None in ids else ids
        return self._images[image_id]

    def _load(self, context, image_id, found, warm):
        device, region = found
        identifier = model.region_identifier(device, region)
        LOG.info('Keeping FPGA region %s warm: loading bitstream image %s '
                 '(%d free region(s) of %d wanted show its function)',
                 identifier, image_id, warm, self.wanted[image_id])
        try:
            self.regions.load_region(
                context, self.image_api, device, region,
                request.Request(bitstream_id=image_id))
        except (exception.AssignmentFailed,
                bitstream_exception.BitstreamError) as e:
            LOG.warning('FPGA region %s is not kept warm: %s', identifier, e)
            return None
        return identifier
