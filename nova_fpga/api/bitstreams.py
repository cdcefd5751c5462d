"""Handler of /bitstreams: the FPGA images the caller can see."""

from nova import exception as nova_exception

from nova_fpga.api import errors
from nova_fpga.api import listing
from nova_fpga.api import policies
from nova_fpga.api import regions as regions_handlers
from nova_fpga.bitstream import exception as bitstream_exception
from nova_fpga.bitstream import glance
from nova_fpga.regions import operations
from nova_fpga.regions import results


def _id(image, name):
    try:
        return glance.property_id(image, name)
    except bitstream_exception.NotABitstream:
        return None


class Bitstreams:
    """``image_api``: Nova's image API, asked with the caller's token."""

    def __init__(self, image_api):
        self.image_api = image_api

    def list(self, request, context):
        regions_handlers._authorize(context, policies.BITSTREAMS)
        try:
            images = self.image_api.get_all(
                context, filters={'tag': [glance.TAG], 'status': 'active'})
        except nova_exception.NovaException as e:
            raise errors.Refused(results.UNAVAILABLE,
                                 'Glance cannot be asked: %s' % e)
        free = {}
        for region in listing.all_regions(context):
            if region['state'] == operations.FREE:
                key = region['interface_id']
                free[key] = free.get(key, 0) + 1
        found = []
        for image in images:
            interface = _id(image, 'fpga_interface_id')
            found.append({
                'id': image['id'], 'name': image.get('name'),
                'vendor': glance.vendor(image),
                'interface_id': interface,
                'function_id': _id(image, 'fpga_function_id'),
                'function': glance.function_name(image),
                'visibility': image.get('visibility') or (
                    'public' if image.get('is_public') else None),
                'owner': image.get('owner'), 'size': image.get('size'),
                'fits_free_regions': free.get(interface, 0) if interface
                else 0,
            })
        return {'bitstreams': found}
