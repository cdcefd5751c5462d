"""Which of a request's allocation candidates hold what it asks for.

A request naming a bitstream (``fpga:bitstream``) or a function
(``fpga:function``), on its flavor or VM image, is resolved once to the
function ids its bitstream images load (Glance, with the request's own
context, so it sees what the user sees); Placement then names the
providers whose function trait is one of them. A region of such a
provider that is among a host's candidates is free and warm: a server
given it needs no programming.
"""

from nova.image import glance as nova_glance
from nova.scheduler.client import report
from oslo_log import log as logging

from nova_fpga.bitstream import glance
from nova_fpga import placement
from nova_fpga import request

LOG = logging.getLogger(__name__)

# ``required=in:`` lists providers with any of several traits.
PLACEMENT_VERSION = '1.39'


def wanted(context, image_api, spec_obj):
    """The request.Request of ``spec_obj``, or None if it names none.

    The flavor's wins, as at spawn; only without one is the VM image read
    (the request spec keeps none of its ``fpga_`` properties).
    """
    specs = spec_obj.flavor.extra_specs or {}
    if any(key in specs for key in request.FLAVOR_KEYS):
        return request.from_flavor_and_image(specs, {})
    image = spec_obj.image if spec_obj.obj_attr_is_set('image') else None
    image_id = image.id if image is not None and image.obj_attr_is_set(
        'id') else None
    if not image_id:
        return None
    properties = image_api.get(context, image_id).get('properties') or {}
    return request.from_flavor_and_image(specs, properties)


class WarmProviders:
    """The providers holding what a request asks for, one lookup each."""

    def __init__(self, image_api=None, client=None):
        self._image_api = image_api
        self._client = client

    def of(self, spec_obj):
        """``frozenset`` of provider uuids; empty when unknown."""
        context = getattr(spec_obj, '_context', None)
        if context is None:
            return frozenset()
        try:
            self._image_api = self._image_api or nova_glance.API()
            wanted_request = wanted(context, self._image_api, spec_obj)
            if wanted_request is None:
                return frozenset()
            ids = glance.function_ids(
                context, self._image_api,
                bitstream_id=wanted_request.bitstream_id,
                function=wanted_request.function)
            return self._with_traits(context, ids)
        # Scheduling goes on as without a preference; the compute says
        # what is wrong with the request, if anything.
        except Exception as e:
            LOG.warning('Cannot tell which FPGA regions hold what instance '
                        '%s asks for, so none is preferred: %s',
                        spec_obj.instance_uuid, e)
            return frozenset()

    def _with_traits(self, context, function_ids):
        if not function_ids:
            return frozenset()
        traits = ','.join(sorted(placement.trait_name('function', fid)
                                 for fid in function_ids))
        self._client = self._client or report.report_client_singleton()
        resp = self._client.get(
            '/resource_providers?required=in:%s' % traits,
            version=PLACEMENT_VERSION, global_request_id=context.global_id)
        # Placement has no such trait until some region has shown it.
        if resp.status_code == 400 and 'No such trait' in resp.text:
            return frozenset()
        if resp.status_code != 200:
            raise RuntimeError('Placement answered %d: %s' % (
                resp.status_code, resp.text))
        return frozenset(rp['uuid']
                         for rp in resp.json()['resource_providers'])
