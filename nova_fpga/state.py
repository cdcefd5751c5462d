"""A small record per FPGA region: what was loaded, and its metrics.

One JSON file per region in ``[fpga] state_dir``, named by the region's
unit identifier (``placement.region_identifier``). nova-compute and the
``nova-fpga`` command both update it, so every update holds an external
lock and replaces the file atomically: a reader sees the old record or
the new one, never half of either.

A record::

    {"loaded": {"function_id", "image_id", "image_name", "image_hash",
                "at", "by"} or null,
     "scrubbed": {"mode", "at", "by"} or null,
     "metrics": {"programmings", "skipped", "programming_seconds_total",
                 "last_programming_seconds", "downloads",
                 "download_seconds_total", "last_download_seconds",
                 "cache_hits", "cache_misses", "failures": {cause: count}}}
"""

import json
import os
import tempfile

from oslo_concurrency import lockutils
from oslo_log import log as logging
from oslo_utils import timeutils

LOG = logging.getLogger(__name__)

LOCKS = 'locks'


def empty_record():
    return {
        'loaded': None,
        'scrubbed': None,
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


def now():
    return timeutils.utcnow().isoformat(timespec='seconds') + 'Z'


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
        record = empty_record()
        try:
            with open(self._path(identifier)) as f:
                found = json.load(f)
        except FileNotFoundError:
            return record
        except ValueError as e:
            LOG.warning('FPGA region record %s is unreadable, so it starts '
                        'afresh: %s', self._path(identifier), e)
            return record
        record.update({k: found[k] for k in ('loaded', 'scrubbed')
                       if k in found})
        record['metrics'].update(found.get('metrics') or {})
        return record

    def update(self, identifier, change):
        """Apply ``change(record)`` to the record, under the lock."""
        os.makedirs(os.path.join(self.directory, LOCKS), exist_ok=True)
        with lockutils.lock('region-' + identifier, external=True,
                            lock_path=os.path.join(self.directory, LOCKS)):
            record = self.read(identifier)
            change(record)
            self._write(identifier, record)
        return record

    def _write(self, identifier, record):
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix='.record-')
        try:
            with os.fdopen(fd, 'w') as f:
                json.dump(record, f, indent=1, sort_keys=True)
            os.replace(tmp, self._path(identifier))
        except BaseException:
            os.unlink(tmp)
            raise

    def record_load(self, identifier, outcome, image, function_id, by,
                    download_seconds=None, programming_seconds=None):
        """A bitstream went into the region, or was there already.

        ``download_seconds`` None means the cache had the file.
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
                'outcome': outcome,
                'at': now(),
                'by': by,
            }
        return self.update(identifier, change)

    def record_failure(self, identifier, cause):
        def change(record):
            failures = record['metrics']['failures']
            failures[cause] = failures.get(cause, 0) + 1
        return self.update(identifier, change)

    def record_scrub(self, identifier, mode, by):
        def change(record):
            record['scrubbed'] = {'mode': mode, 'at': now(), 'by': by}
        return self.update(identifier, change)
