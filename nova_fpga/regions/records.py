"""A small record per FPGA region: what was loaded, and its metrics.

One JSON file per region in ``[fpga] state_dir``, named by the region's
unit identifier (``model.region_identifier``). nova-compute and the
``nova-fpga`` command both update it, so an update holds an exclusive
flock on the file and a read a shared one: a reader sees the old record
or the new one, never half of either. The file is rewritten in place,
in one write of at least its old length (shorter JSON is padded with
blanks), so a process killed at any point leaves one whole record; a
temporary file renamed over the record would cost more than the rest of
a spawn that finds its function loaded.

A record::

    {"loaded": {"function_id", "image_id", "image_name", "image_hash",
                "image_hash_algo", "outcome", "at", "by", "instance"} or
               null,
     "scrubbed": {"mode", "at", "by"} or null,
     "held": {"instance", "project_id", "user_id", "provider", "at"} or
             null (released),
     "metrics": {"programmings", "skipped", "programming_seconds_total",
                 "last_programming_seconds", "downloads",
                 "download_seconds_total", "last_download_seconds",
                 "cache_hits", "cache_misses", "failures": {cause: count}}}
"""

import fcntl
import json
import os
import time

from oslo_log import log as logging
from oslo_utils import timeutils

LOG = logging.getLogger(__name__)

RETRY_SECONDS = 0.001


def empty_record():
    return {
        'loaded': None,
        'scrubbed': None,
        'held': None,
        'metrics': {
            'programmings': 0,
            'skipped': 0,
            'programming_seconds_total': 0.0,
            'last_programming_seconds': None,
            'downloads': 0,
            'download_seconds_total': 0.0,
            'last_download_seconds': None,
            'cache_hits': 0,
            'cache_misses': 0,
            'failures': {},
        },
    }


def _read_all(fd):
    chunks = []
    offset = 0
    while True:
        chunk = os.pread(fd, 65536, offset)
        if not chunk:
            return b''.join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _flock(fd, kind):
    """Take the lock on the open file, retrying until it is free.

    Sleeping between tries rather than blocking in flock: under eventlet
    a blocked flock would stall every green thread, the holder among them.
    """
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(RETRY_SECONDS)


def now():
    return timeutils.utcnow().isoformat(timespec='milliseconds') + 'Z'


def _round(seconds):
    return round(seconds, 3)


class StateStore:
    """The region records in ``directory``."""

    def __init__(self, directory):
        self.directory = directory

    def _path(self, identifier):
        # Identifiers come from sysfs names; nothing may leave the directory.
        if '/' in identifier or identifier.startswith('.'):
            raise ValueError('%r is not a region identifier' % identifier)
        return os.path.join(self.directory, identifier + '.json')

    def read(self, identifier):
        """The region's record; an empty one when none was written."""
        try:
            fd = os.open(self._path(identifier), os.O_RDONLY)
        except FileNotFoundError:
            return empty_record()
        try:
            _flock(fd, fcntl.LOCK_SH)
            return self._parse(identifier, _read_all(fd))
        finally:
            os.close(fd)

    def _parse(self, identifier, data):
        record = empty_record()
        # Empty: created by an update that never got to write.
        if not data.strip():
            return record
        try:
            found = json.loads(data)
        except ValueError as e:
            LOG.warning('FPGA region record %s is unreadable, so it starts '
                        'afresh: %s', self._path(identifier), e)
            return record
        record.update({k: found[k] for k in ('loaded', 'scrubbed', 'held')
                       if k in found})
        record['metrics'].update(found.get('metrics') or {})
        return record

    def update(self, identifier, change):
        """Apply ``change(record)`` to the record, under the lock."""
        os.makedirs(self.directory, exist_ok=True)
        fd = os.open(self._path(identifier), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _flock(fd, fcntl.LOCK_EX)
            old = _read_all(fd)
            record = self._parse(identifier, old)
            change(record)
            new = json.dumps(record, indent=1, sort_keys=True).encode()
            os.pwrite(fd, new.ljust(len(old)), 0)
        finally:
            os.close(fd)
        return record

    def record_load(self, identifier, outcome, image, function_id, by,
                    download_seconds=None, programming_seconds=None,
                    instance=None):
        """A bitstream went into the region, or was there already.

        ``download_seconds`` None means the cache had the file;
        ``instance`` is the instance it was loaded for, if any.
        """
        def change(record):
            metrics = record['metrics']
            if download_seconds is None:
                metrics['cache_hits'] += 1
            else:
                metrics['cache_misses'] += 1
                metrics['downloads'] += 1
                metrics['download_seconds_total'] = _round(
                    metrics['download_seconds_total'] + download_seconds)
                metrics['last_download_seconds'] = _round(download_seconds)
            if programming_seconds is None:
                metrics['skipped'] += 1
            else:
                metrics['programmings'] += 1
                metrics['programming_seconds_total'] = _round(
                    metrics['programming_seconds_total'] +
                    programming_seconds)
                metrics['last_programming_seconds'] = _round(
                    programming_seconds)
            record['loaded'] = {
                'function_id': function_id,
                'image_id': image.get('id'),
                'image_name': image.get('name'),
                'image_hash': image.get('os_hash_value'),
                'image_hash_algo': image.get('os_hash_algo'),
                'instance': instance,
                'outcome': outcome,
                'at': now(),
                'by': by,
            }
        return self.update(identifier, change)

    def record_holder(self, identifier, instance, project_id, user_id,
                      provider=None):
        """The instance given the region last, and the provider claimed.

        It holds the region while Placement says it holds a unit of this
        host: of a pooled provider, Placement knows who holds a unit, not
        which region.
        """
        def change(record):
            record['held'] = {'instance': instance, 'project_id': project_id,
                              'user_id': user_id, 'provider': provider,
                              'at': now()}
        return self.update(identifier, change)

    def record_release(self, identifier):
        """No instance holds the region any more."""
        def change(record):
            record['held'] = None
        return self.update(identifier, change)

    def identifiers(self):
        """The identifiers of the regions that have a record."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        return sorted(name[:-len('.json')] for name in names
                      if name.endswith('.json') and not name.startswith('.'))

    def record_failure(self, identifier, cause):
        def change(record):
            failures = record['metrics']['failures']
            failures[cause] = failures.get(cause, 0) + 1
        return self.update(identifier, change)

    def record_scrub(self, identifier, mode, by):
        def change(record):
            record['scrubbed'] = {'mode': mode, 'at': now(), 'by': by}
        return self.update(identifier, change)
