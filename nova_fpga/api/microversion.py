"""The API's microversions, in the header Placement and Nova use.

``OpenStack-API-Version: fpga <major>.<minor>``; none asked is the
minimum. History:

1.0  GET/POST /regions, /regions/{uuid}, /regions/{uuid}/scrub,
     GET /bitstreams.
"""

import microversion_parse

SERVICE_TYPE = 'fpga'
HEADER = 'OpenStack-API-Version'
VERSIONS = ('1.0',)
MIN_VERSION = microversion_parse.Version(1, 0)
MAX_VERSION = microversion_parse.Version(1, 0)


class Unacceptable(Exception):
    """The microversion asked is malformed or not served."""


def of(request):
    """The microversion of ``request``; Unacceptable if not served."""
    asked = microversion_parse.get_version(request.headers,
                                           service_type=SERVICE_TYPE)
    if asked is None:
        return MIN_VERSION
    if asked == 'latest':
        return MAX_VERSION
    try:
        version = microversion_parse.parse_version_string(asked)
    except TypeError as e:
        raise Unacceptable('invalid microversion %r: %s' % (asked, e))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise Unacceptable('microversion %s is not served: %s to %s are' % (
            asked, MIN_VERSION, MAX_VERSION))
    return version


def header(version):
    return '%s %s' % (SERVICE_TYPE, version)
