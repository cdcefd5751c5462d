"""Why a bitstream cannot be used.

Every error is a :class:`BitstreamError`. Its message names the Glance image
(id and name) once one is known and then the cause; the caller adds the
region.
"""


def describe(image):
    """``<id> (<name>)`` of Glance image metadata, or just the id."""
    name = image.get('name')
    if name:
        return '%s (%s)' % (image.get('id'), name)
    return str(image.get('id'))


class BitstreamError(Exception):
    """``image`` is the image's metadata dict, or None before it is known."""

    def __init__(self, cause, image=None):
        super().__init__(cause)
        self.cause = cause
        self.image = image

    def __str__(self):
        if not self.image:
            return self.cause
        return 'bitstream image %s: %s' % (describe(self.image), self.cause)


class InvalidBitstream(BitstreamError):
    """The file is not a usable GBS or xclbin, or disagrees with Glance."""


class IncompatibleBitstream(BitstreamError):
    """Built for another interface, or the region is not reconfigurable."""


class BitstreamNotFound(BitstreamError):
    """No such image visible to the project, or none fits the request."""


class AmbiguousBitstream(BitstreamError):
    """Several images fit a request by function name."""


class NotABitstream(BitstreamError):
    """The image is not tagged and described as an FPGA bitstream."""


class MissingHash(BitstreamError):
    """Glance recorded no os_hash_value, so the data cannot be verified."""


class UnsupportedHash(BitstreamError):
    """os_hash_algo is unknown here or os_hash_value is malformed."""


class SizeMismatch(BitstreamError):
    """The data fetched is not as long as Glance says the image is."""


class HashMismatch(BitstreamError):
    """The data fetched does not hash to Glance's os_hash_value."""


class CacheError(BitstreamError):
    """The local cache could not store or read the bitstream."""


class SignatureFailed(BitstreamError):
    """Signature verification was asked for and did not succeed."""


class ImageServiceError(BitstreamError):
    """Glance could not be asked, or the download failed."""
