"""The nova-fpga command's exit codes, and the failure that carries one.

The codes are those of ``regions.results``; the command's own are below.
"""

from nova_fpga.regions import results

OK = results.OK
UNKNOWN = results.UNKNOWN
NO_SUCH_REGION = results.NO_SUCH_REGION
BITSTREAM_UNAVAILABLE = results.BITSTREAM_UNAVAILABLE
INCOMPATIBLE = results.INCOMPATIBLE
IN_USE = results.IN_USE
UNHEALTHY = results.UNHEALTHY
AUTHENTICATION = results.AUTHENTICATION
USAGE = results.USAGE

# What each code means, for --help and the README.
MEANINGS = tuple((code, results.MEANINGS[code]) for code in (
    OK, UNKNOWN, NO_SUCH_REGION, BITSTREAM_UNAVAILABLE, INCOMPATIBLE, IN_USE,
    UNHEALTHY, AUTHENTICATION, USAGE))

code_of_kind = results.code_of_kind


class Failure(Exception):
    """The command failed: ``code`` its exit code, the message a line."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def epilog():
    return 'Exit codes: ' + '; '.join('%d %s' % item for item in MEANINGS)
