"""From "the request names a bitstream" to a verified file that fits a region.

:func:`prepare` resolves the Glance image, fetches it into the verified
cache, reads its header and checks it against the region, all before any
hardware is touched. It knows nothing of the virt driver.
"""

import dataclasses
import time
import typing as ty

from nova_fpga.bitstream import cache as cache_mod
from nova_fpga.bitstream import exception
from nova_fpga.bitstream import glance
from nova_fpga.bitstream import headers
from nova_fpga.bitstream import signature

MiB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A bitstream ready for programming: its local path and header.

    ``path`` is None when the region holds the bitstream's function
    already: nothing is to be programmed, so no byte was read.
    ``download_seconds`` is None when the cache had it.
    """

    path: ty.Optional[str]
    header: headers.Header
    image_meta: ty.Mapping
    download_seconds: ty.Optional[float] = None


def cache_from_conf(conf, pinned=None):
    """The :class:`~cache.Cache` the ``[fpga]`` options describe."""
    return cache_mod.Cache(conf.fpga.bitstream_cache_dir,
                           conf.fpga.bitstream_cache_size_mb * MiB, pinned)


def _check_properties(image, header):
    """The image's id properties, when set, must agree with its header."""
    for name, found in (('fpga_interface_id', header.interface_id),
                        ('fpga_function_id', header.function_id)):
        claimed = glance.property_id(image, name)
        if claimed is not None and claimed != found:
            raise exception.InvalidBitstream(
                'its %s is %s but the file says %s' % (name, claimed, found))


def _noted_header(cache, image):
    noted = cache.recall(image)
    try:
        return headers.Header(**noted) if noted else None
    except TypeError:
        # Written by another version of this module.
        return None


def _say(progress, message):
    if progress is not None:
        progress(message)


def prepare(context, image_api, cache, region, device, request,
            verify_signatures=False, trusted_certificate_ids=(),
            progress=None):
    """Resolve, fetch, verify and check the bitstream ``request`` names.

    ``request`` has ``bitstream_id`` (a Glance image id) or ``function``
    (a function name) set, the other None. ``image_api`` is Nova's
    ``nova.image.glance.API()`` and ``context`` the instance's request
    context. ``progress(message)``, when given, hears of a download.
    Raises a BitstreamError naming the image and the cause.

    When the region holds the bitstream's function already (by the header
    noted in the cache), nothing is read; otherwise the file is read once,
    to verify it, and its header is parsed only when none was noted. A
    signature, when required, is always checked on the whole file, and
    then the header is parsed from the file.
    """
    image = glance.resolve(context, image_api, region,
                           bitstream_id=request.bitstream_id,
                           function=request.function, device=device)
    timing = {}

    def fetch(dst):
        _say(progress, 'Downloading bitstream image %s, %s bytes' % (
            exception.describe(image), image.get('size', 'unknown')))
        started = time.monotonic()
        glance.fetch(context, image_api, image['id'], dst)
        timing['download'] = time.monotonic() - started
        _say(progress, 'Downloaded in %.1f s; verifying' % timing['download'])

    try:
        header = None if verify_signatures else _noted_header(cache, image)
        if header is not None and header.function_id == region.function_id:
            headers.check_fits(header, region)
            _check_properties(image, header)
            return Prepared(path=None, header=header, image_meta=image)
        path = cache.get(image, fetch)
        # A note holds for every copy of the content: one fetched again
        # for a corrupted entry has the same header.
        if header is None:
            header = headers.parse(path)
            cache.note(image, dataclasses.asdict(header))
        headers.check_fits(header, region)
        _check_properties(image, header)
        if verify_signatures:
            signature.verify(context, image, path, trusted_certificate_ids)
    except exception.BitstreamError as e:
        e.image = image
        raise
    except OSError as e:
        # Glance errors are BitstreamErrors already: this is local disk.
        raise exception.CacheError(
            'bitstream cache in %s failed: %s' % (cache.directory, e),
            image=image) from e
    return Prepared(path=path, header=header, image_meta=image,
                    download_seconds=timing.get('download'))
