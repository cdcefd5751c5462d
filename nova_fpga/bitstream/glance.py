"""Finding bitstream images in Glance and fetching them.

Everything goes through Nova's image API (``nova.image.glance.API``) with
the instance's request context, so Glance's visibility rules decide which
bitstreams a project may use; no other credential is involved.

A bitstream image carries the tag ``FPGA`` and the properties
``fpga_interface_id``, ``fpga_function_id``, ``fpga_function`` and
``fpga_vendor``; ``type`` and ``vendor`` (the first Cyborg proposal's names)
stand for the last two. Nova's API returns properties under ``properties``
and leaves tags out, so a tag is checked by listing with a tag filter.

Search by function uses Glance's default listing: public images, the
project's own and shares it accepted, none hidden (``os_hidden``). Community
images and pending shares are used only when named by id.
"""

from nova import exception as nova_exception
from oslo_utils import uuidutils

from nova_fpga.bitstream import exception
from nova_fpga import model

TAG = 'FPGA'
_MARKS = ('fpga_interface_id', 'fpga_function_id', 'fpga_function',
          'fpga_vendor', 'type', 'vendor')
# Vendor names as users write them, and as discovery names the card.
_VENDOR_ALIASES = {'amd': 'xilinx'}


def _properties(image):
    return image.get('properties') or {}


def function_name(image):
    props = _properties(image)
    return props.get('fpga_function') or props.get('type')


def vendor(image):
    props = _properties(image)
    return props.get('fpga_vendor') or props.get('vendor')


def property_id(image, name):
    """A normalised id property, None when unset; NotABitstream if bad."""
    value = _properties(image).get(name)
    if value is None:
        return None
    try:
        return model.normalize_id(str(value))
    except ValueError:
        raise exception.NotABitstream(
            '%s %r is not a 32-digit hex id or UUID' % (name, value),
            image=image) from None


def _vendor_fits(name, device):
    name = str(name).strip().lower()
    name = _VENDOR_ALIASES.get(name, name)
    if name.startswith('0x'):
        name = name[2:]
    return name in (device.vendor, device.vendor_id)


def _misfit(image, region, device):
    """Why the image does not fit the region, or None.

    An image without ``fpga_interface_id`` is not refused here: its header
    decides once it is fetched.
    """
    interface_id = property_id(image, 'fpga_interface_id')
    if interface_id is not None and interface_id != region.interface_id:
        return 'built for interface %s, region %s has %s' % (
            interface_id, region.name, region.interface_id or 'none')
    name = vendor(image)
    if name and device is not None and not _vendor_fits(name, device):
        return 'vendor %s, the card is %s (%s)' % (
            name, device.vendor, device.vendor_id)
    return None


def _listed(context, image_api, image_id, hidden):
    """The image as listed with the tag filter, or None if not listed."""
    filters = {'id': image_id, 'tag': [TAG], 'visibility': 'all',
               'member_status': 'all',
               'os_hidden': 'true' if hidden else 'false'}
    listed = image_api.get_all(context, filters=filters)
    return next((found for found in listed if found['id'] == image_id),
                None)


def _by_id(context, image_api, region, device, image_id):
    unknown = {'id': image_id}
    if not uuidutils.is_uuid_like(image_id):
        raise exception.BitstreamNotFound('not an image id', image=unknown)
    try:
        # A listing gives the same metadata as a get: one lookup finds a
        # tagged image that is not hidden. Otherwise the get says whether
        # there is an image at all, and a hidden one is listed again.
        image = _listed(context, image_api, image_id, hidden=False)
        tagged = image is not None
        if not tagged:
            image = image_api.get(context, image_id)
            tagged = bool(image.get('os_hidden')) and _listed(
                context, image_api, image_id, hidden=True) is not None
    except (nova_exception.ImageNotFound, nova_exception.ImageNotAuthorized):
        raise exception.BitstreamNotFound(
            'no such image, or not visible to the project',
            image=unknown) from None
    except Exception as e:
        raise exception.ImageServiceError(
            'looking it up in Glance failed: %s' % e, image=unknown) from e
    if not tagged:
        raise exception.NotABitstream('it is not tagged %s' % TAG,
                                      image=image)
    if not any(_properties(image).get(mark) for mark in _MARKS):
        raise exception.NotABitstream(
            'it has none of the properties %s' % ', '.join(_MARKS),
            image=image)
    if image.get('status') != 'active':
        raise exception.NotABitstream(
            'its status is %s, not active' % image.get('status'),
            image=image)
    problem = _misfit(image, region, device)
    if problem:
        raise exception.IncompatibleBitstream(problem, image=image)
    return image


def _by_function(context, image_api, region, device, function):
    try:
        images = image_api.get_all(
            context, filters={'tag': [TAG], 'status': 'active'})
    except Exception as e:
        raise exception.ImageServiceError(
            'listing images tagged %s in Glance failed: %s' % (TAG, e)) from e
    fits, misfits = [], []
    for image in images:
        if function_name(image) != function:
            continue
        try:
            if property_id(image, 'fpga_interface_id') is None:
                problem = 'no fpga_interface_id'
            else:
                problem = _misfit(image, region, device)
        except exception.NotABitstream as e:
            problem = e.cause
        if problem:
            misfits.append('%s: %s' % (image['id'], problem))
        else:
            fits.append(image)
    wanted = 'function %r for interface %s' % (
        function, region.interface_id or 'none')
    if device is not None:
        wanted += ' and vendor %s' % device.vendor
    if not fits:
        raise exception.BitstreamNotFound(
            'no active image tagged %s visible to the project has %s%s' % (
                TAG, wanted,
                '; passed over %s' % '; '.join(misfits) if misfits else ''))
    if len(fits) > 1:
        raise exception.AmbiguousBitstream(
            '%d images tagged %s have %s: %s; name one by id' % (
                len(fits), TAG, wanted,
                ', '.join(sorted(image['id'] for image in fits))))
    return fits[0]


def resolve(context, image_api, region, bitstream_id=None, function=None,
            device=None):
    """The metadata of the bitstream image for ``region``.

    Give exactly one of ``bitstream_id`` (a Glance image id) and
    ``function`` (a name, matched against ``fpga_function`` or ``type``).
    ``device``, the region's card, lets ``fpga_vendor`` be checked.
    """
    if (bitstream_id is None) == (function is None):
        raise ValueError('give exactly one of bitstream_id and function')
    if bitstream_id is not None:
        return _by_id(context, image_api, region, device, bitstream_id)
    return _by_function(context, image_api, region, device, function)


def function_ids(context, image_api, bitstream_id=None, function=None):
    """The function ids a request's bitstream images say they load.

    For ``bitstream_id`` its own ``fpga_function_id``; for ``function``,
    that of every active image tagged FPGA the context sees with that
    function name (one per interface, as many as there are). Images that
    name no function id add none. Raises ImageServiceError.
    """
    try:
        if bitstream_id is not None:
            images = [image_api.get(context, bitstream_id)]
        else:
            images = [image for image in image_api.get_all(
                context, filters={'tag': [TAG], 'status': 'active'})
                if function_name(image) == function]
    except (nova_exception.ImageNotFound, nova_exception.ImageNotAuthorized):
        return frozenset()
    except Exception as e:
        raise exception.ImageServiceError(
            'looking up %s in Glance failed: %s' % (
                bitstream_id or 'function %r' % function, e)) from e
    found = set()
    for image in images:
        try:
            found.add(property_id(image, 'fpga_function_id'))
        except exception.NotABitstream:
            continue
    return frozenset(found - {None})


def fetch(context, image_api, image_id, dst):
    """Write the image's data to ``dst``, a binary file, streaming."""
    try:
        image_api.download(context, image_id, data=dst)
    except Exception as e:
        raise exception.ImageServiceError(
            'download failed: %s' % e, image={'id': image_id}) from e
