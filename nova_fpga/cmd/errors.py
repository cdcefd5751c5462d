"""The nova-fpga command's exit codes, and the failure that carries one.

Seed 002's programming service answers 0, 1, 2 and 3; the others are
ours. 64 is sysexits' EX_USAGE, out of the way of the rest.
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
USAGE = 64

# What each code means, for --help and the README.
MEANINGS = (
    (OK, 'done'),
    (UNKNOWN, 'unknown failure'),
    (NO_SUCH_REGION, 'no such region on this host'),
    (BITSTREAM_UNAVAILABLE, 'the bitstream cannot be found, is not visible '
                            'to the project, cannot be fetched or fails '
                            'verification'),
    (INCOMPATIBLE, 'the bitstream is not built for the region'),
    (IN_USE, 'the region is held by an instance (--force overrides)'),
    (UNHEALTHY, 'the region is unhealthy or quarantined, or the hardware '
                'failed'),
    (AUTHENTICATION, 'authentication failed'),
    (USAGE, 'bad command line or configuration'),
)

_BY_KIND = {
    exception.NO_SUCH_REGION: NO_SUCH_REGION,
    exception.NOT_FOUND: BITSTREAM_UNAVAILABLE,
    exception.NOT_FETCHED: BITSTREAM_UNAVAILABLE,
    exception.INVALID: BITSTREAM_UNAVAILABLE,
    exception.INCOMPATIBLE: INCOMPATIBLE,
    exception.HARDWARE: UNHEALTHY,
}


class Failure(Exception):
    """The command failed: ``code`` its exit code, the message a line."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def code_of_kind(kind):
    """The exit code of a region failure kind (regions.exception)."""
    return _BY_KIND.get(kind, UNKNOWN)


def epilog():
    return 'Exit codes: ' + '; '.join('%d %s' % item for item in MEANINGS)
