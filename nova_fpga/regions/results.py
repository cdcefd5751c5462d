"""What a request on a region comes to: one code, said the same everywhere.

Seed 002's programming service answers 0, 1, 2 and 3; the others are
ours. The host command exits with them, the compute's RPC endpoint and
the cloud-wide API answer with them. 64 is sysexits' EX_USAGE, out of the
way of the rest.
"""

from nova_fpga.regions import exception

OK = 0
UNKNOWN = 1
NO_SUCH_REGION = 2
BITSTREAM_UNAVAILABLE = 3
INCOMPATIBLE = 4
IN_USE = 5
UNHEALTHY = 6
AUTHENTICATION = 7
FORBIDDEN = 8
UNAVAILABLE = 9
USAGE = 64

MEANINGS = {
    OK: 'done',
    UNKNOWN: 'unknown failure',
    NO_SUCH_REGION: 'no such region',
    BITSTREAM_UNAVAILABLE: 'the bitstream cannot be found, is not visible '
                           'to the project, cannot be fetched or fails '
                           'verification',
    INCOMPATIBLE: 'the bitstream is not built for the region',
    IN_USE: 'the region is held by an instance (force overrides)',
    UNHEALTHY: 'the region is unhealthy or quarantined, or the hardware '
               'failed',
    AUTHENTICATION: 'authentication failed',
    FORBIDDEN: 'the caller may not do this to the region',
    UNAVAILABLE: 'the region\'s compute does not answer',
    USAGE: 'bad request or configuration',
}

_BY_KIND = {
    exception.NO_SUCH_REGION: NO_SUCH_REGION,
    exception.NOT_FOUND: BITSTREAM_UNAVAILABLE,
    exception.NOT_FETCHED: BITSTREAM_UNAVAILABLE,
    exception.INVALID: BITSTREAM_UNAVAILABLE,
    exception.INCOMPATIBLE: INCOMPATIBLE,
    exception.HARDWARE: UNHEALTHY,
}


def code_of_kind(kind):
    """The code of a region failure kind (regions.exception)."""
    return _BY_KIND.get(kind, UNKNOWN)
