"""What the region lifecycle raises, and the kinds of its failures."""

from nova_fpga.bitstream import exception as bitstream_exception

# Why a region could not be loaded or scrubbed: the failures the region
# records count these, and nova-fpga's exit codes follow them.
NO_SUCH_REGION = 'no_such_region'
NOT_FOUND = 'bitstream_not_found'
NOT_FETCHED = 'bitstream_not_fetched'
INVALID = 'bitstream_invalid'
INCOMPATIBLE = 'incompatible'
HARDWARE = 'hardware'
CACHE = 'cache'
UNKNOWN = 'unknown'
KINDS = (NO_SUCH_REGION, NOT_FOUND, NOT_FETCHED, INVALID, INCOMPATIBLE,
         HARDWARE, CACHE, UNKNOWN)


class Failed(Exception):
    """Programming or scrubbing a region failed; the message says why."""

    def __init__(self, message, cause):
        super().__init__(message)
        self.cause = cause


class ProgrammingFailed(Failed):
    def __init__(self, device, region, bitstream_path, cause):
        super().__init__('Programming FPGA region %s %s with %s failed: %s' % (
            device.address, region.name, bitstream_path, cause), cause)


class ScrubFailed(Failed):
    def __init__(self, device, region, mode, cause):
        super().__init__('Scrubbing (%s) FPGA region %s %s failed: %s' % (
            mode, device.address, region.name, cause), cause)


class AssignmentFailed(Exception):
    """A region cannot be given to the instance; the message says why.

    ``kind`` is one of the failure kinds above. ``touched``: whether the
    hardware of a region was programmed, or programming of it begun,
    before the failure; if not, every region holds what it held.
    """

    def __init__(self, region, cause, bitstream=None, kind=UNKNOWN,
                 touched=False, unit='FPGA region'):
        super().__init__('%s %s%s: %s' % (
            unit, region, ', %s' % bitstream if bitstream else '', cause))
        self.kind = kind
        self.touched = touched


class NoLongerHeld(Exception):
    """A quarantined region was freed while its retry waited for the card."""


_KINDS = (
    (bitstream_exception.IncompatibleBitstream, INCOMPATIBLE),
    ((bitstream_exception.BitstreamNotFound,
      bitstream_exception.AmbiguousBitstream,
      bitstream_exception.NotABitstream), NOT_FOUND),
    ((bitstream_exception.InvalidBitstream,
      bitstream_exception.SignatureFailed), INVALID),
    (bitstream_exception.CacheError, CACHE),
    (bitstream_exception.BitstreamError, NOT_FETCHED),
    (Failed, HARDWARE),
)


def kind_of(error):
    """The failure kind of an exception or of what caused it.

    A bitstream's fault wins over the hardware's: scrubbing with a blank
    bitstream that does not fit fails as incompatible.
    """
    chain = []
    while error is not None:
        chain.append(error)
        error = error.__cause__
    for types, kind in _KINDS:
        if any(isinstance(e, types) for e in chain):
            return kind
    return UNKNOWN
