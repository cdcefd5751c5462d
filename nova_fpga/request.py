"""What an instance asks to have loaded into the FPGA regions it gets.

A flavor asks with the extra spec ``fpga:bitstream`` (a Glance image id)
or ``fpga:function`` (a function name, matched against the
``fpga_function`` of bitstream images); a VM image with the properties
``fpga_bitstream`` or ``fpga_function``. Each names one of the two at
most. When both the flavor and the image ask, the flavor's request wins.
Every region the instance gets is loaded with the same request.

Any other ``fpga:`` key of a flavor, or ``fpga_`` property of a VM image,
is refused, and so is the other place's form of a key (``fpga_function``
on a flavor, ``fpga:function`` on an image): Nova validates extra specs
only at compute API microversion 2.86 and later, so a misspelt key can be
stored, and a build that ignored it would start with whatever its region
held.
"""

import dataclasses
import re
import typing as ty

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

NAMESPACE = 'fpga'
BITSTREAM = NAMESPACE + ':bitstream'
FUNCTION = NAMESPACE + ':function'
IMAGE_BITSTREAM = 'fpga_bitstream'
IMAGE_FUNCTION = 'fpga_function'
FLAVOR_KEYS = (BITSTREAM, FUNCTION)
IMAGE_KEYS = (IMAGE_BITSTREAM, IMAGE_FUNCTION)

# Glance image ids, in the form Glance writes them.
BITSTREAM_PATTERN = '-'.join('[0-9a-fA-F]{%d}' % n for n in (8, 4, 4, 4, 12))
# Compared as is with the fpga_function of bitstream images: nothing blank,
# nothing that starts or ends with a blank.
FUNCTION_PATTERN = r'\S(?:.*\S)?'


class InvalidRequest(ValueError):
    """The flavor or image asks for something that cannot be loaded."""


@dataclasses.dataclass(frozen=True)
class Request:
    """One of ``bitstream_id`` and ``function`` is set, the other None.

    ``key`` names where it was asked, for messages: ``flavor fpga:function``.
    """

    bitstream_id: ty.Optional[str] = None
    function: ty.Optional[str] = None
    key: ty.Optional[str] = dataclasses.field(default=None, compare=False)

    def describe(self):
        if self.bitstream_id is not None:
            return 'bitstream image %s' % self.bitstream_id
        return 'the bitstream of function %r' % self.function


def _parse(values, bitstream_key, function_key, where):
    bitstream = values.get(bitstream_key)
    function = values.get(function_key)
    if bitstream is not None and function is not None:
        raise InvalidRequest('the %s sets both %s and %s; set one of them' % (
            where, bitstream_key, function_key))
    if bitstream is not None:
        if not re.fullmatch(BITSTREAM_PATTERN, bitstream):
            raise InvalidRequest('the %s sets %s to %r, which is not a '
                                 'Glance image id' % (
                                     where, bitstream_key, bitstream))
        return Request(bitstream_id=bitstream.lower(),
                       key='%s %s' % (where, bitstream_key))
    if function is not None:
        if not re.fullmatch(FUNCTION_PATTERN, function):
            raise InvalidRequest('the %s sets %s to %r: a function name is '
                                 'not blank and does not start or end with '
                                 'a blank' % (where, function_key, function))
        return Request(function=function,
                       key='%s %s' % (where, function_key))
    return None


def _check_keys(values, known, others, where, others_are):
    """Refuse a key of our namespaces that ``where`` does not take."""
    for key in sorted(values):
        if not key.startswith((NAMESPACE + ':', NAMESPACE + '_')) or (
                key in known):
            continue
        if key in others:
            hint = '%s is %s; here it is %s' % (
                key, others_are, known[others.index(key)])
        else:
            hint = 'the %s takes %s' % (where, ' or '.join(known))
        raise InvalidRequest('the %s sets %s, which is no FPGA request key '
                             '(%s)' % (where, key, hint))


def from_flavor_and_image(extra_specs, image_properties, instance=None):
    """The Request of a flavor's extra specs and an image's properties.

    None when neither asks for anything; InvalidRequest says what is wrong.
    ``instance`` only names the instance in the log.
    """
    _check_keys(extra_specs, FLAVOR_KEYS, IMAGE_KEYS, 'flavor',
                'a VM image property')
    _check_keys(image_properties, IMAGE_KEYS, FLAVOR_KEYS, 'image',
                'a flavor extra spec')
    flavor = _parse(extra_specs, BITSTREAM, FUNCTION, 'flavor')
    if flavor is None:
        return _parse(image_properties, IMAGE_BITSTREAM, IMAGE_FUNCTION,
                      'image')
    ignored = sorted((key, image_properties[key])
                     for key in (IMAGE_BITSTREAM, IMAGE_FUNCTION)
                     if key in image_properties)
    try:
        same = flavor == _parse(image_properties, IMAGE_BITSTREAM,
                                IMAGE_FUNCTION, 'image')
    except InvalidRequest:
        same = False
    if ignored and not same:
        LOG.warning('The flavor asks for %s, which wins over the image '
                    'properties %s', flavor.describe(),
                    ', '.join('%s=%s' % item for item in ignored),
                    instance=instance)
    return flavor
