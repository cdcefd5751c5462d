"""A verified, content-addressed local cache of bitstreams.

Layout of the cache directory::

    <algo>/<hash value>         verified bitstreams, named by Glance's
                                os_hash_value
    notes/<algo>/<hash value>   each one's parsed header (see ``note``)
    tmp/                        downloads in progress
    locks/                      lock files, one per hash value

A file is named by its content hash only, so images with the same content
share one file, and nothing gets a name before its hash matched.

Every hit is hashed again in full before its path is returned. The file
goes into hardware, where a flipped bit can wedge the card; a sequential
read costs little next to programming a region; and with no record of past
checks there is nothing that can go stale (a crash after a rename, a disk
error, an edit by hand are all caught the same way). Downloads are hashed
as they are written, in a thread beside the download (see ``hashing``),
so a fetched file is not read back; nor is it synced
to disk, since the next hit hashes it again anyway.

A note keeps what was parsed from an entry's header, so a spawn whose
region already holds the function needs no byte of the file. Content
named by its hash never changes, so a note is trusted as far as the entry
itself: it goes whenever the cache drops or replaces the entry, and it
binds to the entry's inode and size against replacement by hand.

Downloads are serialised per hash value with an external lock, so one
fetch serves every thread and process that asks at once. Memory does not
grow with the bitstream: ``fetch`` streams to a file and hits are hashed
in fixed-size chunks.

The size cap is enforced after each download and at start, evicting by
mtime, which every hit refreshes.
"""

import fcntl
import hashlib
import json
import os
import re
import tempfile

from oslo_concurrency import lockutils
from oslo_log import log as logging

from nova_fpga.bitstream import chunks
from nova_fpga.bitstream import exception
from nova_fpga.bitstream import hashing

LOG = logging.getLogger(__name__)

DEFAULT_ALGO = 'sha512'
TMP = 'tmp'
LOCKS = 'locks'
NOTES = 'notes'
_EVICT_LOCK = 'evict'


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def hash_file(path, algo):
    digest = hashlib.new(algo)
    for chunk in chunks.read(path):
        digest.update(chunk)
    return digest.hexdigest()


class _Wanted:
    """The image's expected content: algorithm, hash value and size."""

    def __init__(self, image):
        self.image = image
        value = image.get('os_hash_value')
        if not value:
            raise exception.MissingHash(
                'Glance recorded no os_hash_value for it, so its data '
                'cannot be verified', image=image)
        algo = image.get('os_hash_algo') or DEFAULT_ALGO
        try:
            digest = hashlib.new(algo)
        except (ValueError, TypeError):
            raise exception.UnsupportedHash(
                'os_hash_algo %r is not available on this host' % (algo,),
                image=image) from None
        self.algo = digest.name
        self.value = str(value).lower()
        # Also guards the file name: nothing but hex digits gets in.
        if not re.fullmatch('[0-9a-f]{%d}' % (2 * digest.digest_size),
                            self.value):
            raise exception.UnsupportedHash(
                'os_hash_value %r is not a %s digest' % (value, self.algo),
                image=image)
        size = image.get('size')
        self.size = size if isinstance(size, int) and size > 0 else None


class _HashingFile:
    """A binary file that hashes what is written to it, as it goes."""

    def __init__(self, f, algo):
        self._file = f
        self._digest = hashing.BackgroundHash(algo)
        self.size = 0

    def write(self, data):
        self._digest.update(data)
        self.size += len(data)
        return self._file.write(data)

    def hexdigest(self):
        return self._digest.hexdigest()

    def close(self):
        self._digest.close()


class Cache:
    """Bitstreams on local disk, at most ``max_bytes`` of them.

    ``pinned()``, when given, returns the images never evicted (each a
    mapping with ``os_hash_algo`` and ``os_hash_value``): those loaded in
    regions servers hold, which a power cycle may need again.
    """

    def __init__(self, directory, max_bytes, pinned=None):
        self.directory = directory
        self.max_bytes = max_bytes
        self.pinned = pinned
        self._tmp = os.path.join(directory, TMP)
        self._locks = os.path.join(directory, LOCKS)
        os.makedirs(self._tmp, exist_ok=True)
        os.makedirs(self._locks, exist_ok=True)
        self._clean_leftovers()
        # The cap may have been lowered since the last run.
        self._evict(keep=None)

    def _clean_leftovers(self):
        """Remove downloads a crash left; a live one holds a flock."""
        for name in os.listdir(self._tmp):
            path = os.path.join(self._tmp, name)
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pass
            else:
                LOG.info('Removing unfinished bitstream download %s', path)
                _remove(path)
            finally:
                os.close(fd)

    def path(self, algo, value):
        return os.path.join(self.directory, algo, value)

    def get(self, image, fetch):
        """The path of a verified local copy of the image's data.

        ``image`` is the image's metadata from Nova's image API;
        ``fetch(dst)`` writes the image's data to ``dst``, a binary file
        open for writing.
        Raises a BitstreamError naming the image, or what ``fetch`` raised;
        either way no partial file is left behind.
        """
        wanted = _Wanted(image)
        path = self.path(wanted.algo, wanted.value)
        if self._verified(path, wanted):
            return path
        with lockutils.lock('%s-%s' % (wanted.algo, wanted.value),
                            external=True, lock_path=self._locks):
            # Another caller may have fetched it while this one waited.
            if not self._verified(path, wanted):
                self._drop(path)
                self._fetch(path, wanted, fetch)
        self._evict(keep=path)
        return path

    def _verified(self, path, wanted):
        try:
            size = os.stat(path).st_size
            if wanted.size is not None and size != wanted.size:
                LOG.warning('Cached bitstream %s is %d bytes, image %s has '
                            '%d: fetching it again', path, size,
                            wanted.image.get('id'), wanted.size)
                return False
            actual = hash_file(path, wanted.algo)
            if actual != wanted.value:
                LOG.warning('Cached bitstream %s no longer matches its '
                            'hash: fetching it again', path)
                return False
            # The mtime is the least-recently-used stamp.
            os.utime(path)
        except FileNotFoundError:
            return False
        return True

    def _fetch(self, path, wanted, fetch):
        fd, tmp = tempfile.mkstemp(dir=self._tmp, prefix='fetch-')
        try:
            with os.fdopen(fd, 'wb') as held:
                fcntl.flock(held, fcntl.LOCK_EX)
                written = _HashingFile(held, wanted.algo)
                try:
                    fetch(written)
                    self._check(written, wanted)
                finally:
                    written.close()
                os.makedirs(os.path.dirname(path), exist_ok=True)
                os.replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise
        LOG.info('Cached bitstream image %s as %s', wanted.image.get('id'),
                 path)

    @staticmethod
    def _check(written, wanted):
        if wanted.size is not None and written.size != wanted.size:
            raise exception.SizeMismatch(
                'fetched %d bytes, Glance says the image has %d' % (
                    written.size, wanted.size), image=wanted.image)
        actual = written.hexdigest()
        if actual != wanted.value:
            raise exception.HashMismatch(
                'data fetched has %s %s, Glance expects %s' % (
                    wanted.algo, actual, wanted.value), image=wanted.image)

    def cached(self, image):
        """The path of the image's verified copy, with nothing fetched.

        Raises CacheError when there is none, or it no longer matches.
        """
        wanted = _Wanted(image)
        path = self.path(wanted.algo, wanted.value)
        if not self._verified(path, wanted):
            raise exception.CacheError(
                'no verified copy of it in the bitstream cache %s' %
                self.directory, image=image)
        return path

    def _pinned_paths(self):
        try:
            return {self.path(wanted.algo, wanted.value)
                    for wanted in map(_Wanted, self.pinned())}
        # Better to evict what a server holds than to stop downloads.
        except Exception:
            LOG.exception('The bitstreams servers hold are unknown: any may '
                          'be evicted')
            return set()

    def _note_path(self, wanted):
        return os.path.join(self.directory, NOTES, wanted.algo, wanted.value)

    def _drop(self, path):
        """Remove an entry, its note first."""
        algo, value = path.split(os.sep)[-2:]
        _remove(os.path.join(self.directory, NOTES, algo, value))
        _remove(path)

    def note(self, image, header):
        """Keep ``header`` (a dict for JSON), read from the verified entry."""
        wanted = _Wanted(image)
        st = os.stat(self.path(wanted.algo, wanted.value))
        path = self._note_path(wanted)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._tmp, prefix='note-')
        try:
            with os.fdopen(fd, 'w') as f:
                json.dump({'inode': st.st_ino, 'size': st.st_size,
                           'header': header}, f)
            os.replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise

    def recall(self, image):
        """The header noted for the image's entry; None if none holds.

        No byte of the entry is read. A hit refreshes its LRU stamp.
        """
        wanted = _Wanted(image)
        path = self.path(wanted.algo, wanted.value)
        try:
            st = os.stat(path)
            with open(self._note_path(wanted)) as f:
                noted = json.load(f)
            if (noted['inode'], noted['size']) != (st.st_ino, st.st_size):
                return None
            header = noted['header']
            os.utime(path)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return header

    def entries(self):
        """``(mtime, size, path)`` of every cached bitstream, oldest first."""
        found = []
        for algo in os.listdir(self.directory):
            if algo in (TMP, LOCKS, NOTES):
                continue
            folder = os.path.join(self.directory, algo)
            try:
                names = os.listdir(folder)
            except NotADirectoryError:
                continue
            for name in names:
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except FileNotFoundError:
                    continue
                found.append((st.st_mtime, st.st_size, path))
        return sorted(found)

    def _evict(self, keep):
        self.prune(self.max_bytes, keep=keep)

    def prune(self, max_bytes, keep=None):
        """Remove least recently used bitstreams until under ``max_bytes``.

        ``keep`` is a path never removed, and neither are the pinned
        images'. Returns the ``(mtime, size, path)`` of those removed. A
        download in progress lives in tmp/ and is left alone.
        """
        removed = []
        with lockutils.lock(_EVICT_LOCK, external=True,
                            lock_path=self._locks):
            entries = self.entries()
            total = sum(size for _, size, _ in entries)
            kept = {keep} | (self._pinned_paths() if self.pinned and
                             total > max_bytes else set())
            for entry in entries:
                _, size, path = entry
                if total <= max_bytes:
                    break
                if path in kept:
                    continue
                LOG.info('Evicting cached bitstream %s (%d bytes)', path,
                         size)
                self._drop(path)
                removed.append(entry)
                total -= size
        return removed
