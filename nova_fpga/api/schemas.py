"""The bodies the API takes, as JSON schemas."""

import jsonschema
from oslo_serialization import jsonutils

from nova_fpga.api import errors
from nova_fpga.regions import results

_FORCE = {'type': 'boolean'}

# Seed 002's body, as it writes it.
PROGRAM = {
    'type': 'object',
    'properties': {
        'glance_bitstream_uuid': {'type': 'string', 'format': 'uuid'},
        'force': _FORCE,
    },
    'required': ['glance_bitstream_uuid'],
    'additionalProperties': False,
}

SCRUB = {
    'type': 'object',
    'properties': {
        'mode': {'enum': ['reset', 'blank']},
        'force': _FORCE,
    },
    'additionalProperties': False,
}


def extract(request, schema):
    """The request's JSON body checked against ``schema``; Refused if bad."""
    try:
        body = jsonutils.loads(request.body or b'{}')
    except ValueError as e:
        raise errors.Refused(results.USAGE, 'the body is no JSON: %s' % e)
    try:
        jsonschema.validate(body, schema,
                            format_checker=jsonschema.FormatChecker())
    except jsonschema.ValidationError as e:
        raise errors.Refused(results.USAGE, 'bad body: %s' % e.message)
    return body
