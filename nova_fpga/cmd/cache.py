"""``nova-fpga cache list`` and ``cache prune``: the local bitstream cache.

Cached files are named by content hash only; the region records say which
Glance images they were loaded as.
"""

import datetime
import os

from nova_fpga import bitstream
from nova_fpga.cmd import output
from nova_fpga.regions import lifecycle

MiB = bitstream.MiB
COLUMNS = ['file', 'size', 'last used', 'loaded as']


def _images_by_hash(host_regions):
    """``{hash value: {'<id> (<name>)'}}`` from the region records."""
    found = {}
    for name in os.listdir(host_regions.state.directory):
        if not name.endswith('.json') or name.startswith('.'):
            continue
        loaded = host_regions.state.read(name[:-len('.json')])['loaded']
        if loaded and loaded.get('image_hash'):
            found.setdefault(loaded['image_hash'], set()).add(
                '%s (%s)' % (loaded['image_id'], loaded['image_name']))
    return found


def _entry(cache_dir, mtime, size, path, images):
    return {
        'file': os.path.relpath(path, cache_dir),
        'size': size,
        'last_used': datetime.datetime.fromtimestamp(
            mtime, datetime.timezone.utc).isoformat(timespec='seconds'),
        'loaded_as': sorted(images.get(os.path.basename(path), ())),
    }


def _emit(fmt, entries, key):
    output.emit(fmt, {key: entries}, COLUMNS, [
        [e['file'], e['size'], e['last_used'], ' '.join(e['loaded_as'])]
        for e in entries])


def _known_images(host_regions):
    try:
        return _images_by_hash(host_regions)
    except FileNotFoundError:
        return {}


def list_cache(conf, args):
    host_regions = lifecycle.HostRegions(conf)
    cache = host_regions.cache
    images = _known_images(host_regions)
    _emit(args.format, [_entry(cache.directory, *found, images)
                        for found in cache.entries()], 'bitstreams')


def prune(conf, args):
    host_regions = lifecycle.HostRegions(conf)
    cache = host_regions.cache
    images = _known_images(host_regions)
    removed = cache.prune(args.keep_mb * MiB)
    _emit(args.format, [_entry(cache.directory, *found, images)
                        for found in removed], 'removed')
