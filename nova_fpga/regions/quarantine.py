"""The regions held back from guests until a scrub of them succeeds.

A region whose scrub failed, or that programming left in a bad state, may
still hold a guest's design and data, yet its card reads healthy: nothing
in sysfs tells a dirty region from a clean one. So the record is kept on
disk beside the region records (``[fpga] state_dir``), where a restart of
nova-compute or the ``nova-fpga`` command finds it, as one small JSON file
``{identifier: reason}`` replaced atomically: a reader sees the old record
or the new one, never half of either. Two processes write it, nova-compute
and ``nova-fpga`` while it programs or scrubs a region
(a Mark holds the region during the work), so each change is made under
a lock held across processes.
"""

import datetime
import json
import os
import tempfile

from oslo_concurrency import lockutils
from oslo_log import log as logging

from nova_fpga import model
from nova_fpga.regions import exception

LOG = logging.getLogger(__name__)

FILE_NAME = '.quarantine.json'
# A dot name too, beside it.
LOCK_NAME = '.quarantine.lock'
# How the reason of a region whose hardware work was interrupted ends.
INTERRUPTED = 'did not finish: nova-compute or nova-fpga stopped during it?'


class Quarantine:
    """The quarantined regions of a host, by unit identifier."""

    def __init__(self, state_dir):
        # A dot name: never a region record's (records.StateStore refuses it).
        self.path = os.path.join(state_dir, FILE_NAME)

    def held(self):
        """``{identifier: reason}``; empty when there is no record."""
        try:
            with open(self.path) as f:
                found = json.load(f)
        except FileNotFoundError:
            return {}
        except ValueError as e:
            # Better to free regions than to hold all of them for ever.
            LOG.error('The FPGA quarantine record %s is unreadable, so no '
                      'region is held: %s', self.path, e)
            return {}
        if not isinstance(found, dict):
            LOG.error('The FPGA quarantine record %s is not a mapping, so '
                      'no region is held', self.path)
            return {}
        return {str(k): str(v) for k, v in found.items()}

    def add(self, identifier, reason, quiet=False):
        if not quiet:
            LOG.error('FPGA region %s is quarantined, reserved in Placement '
                      'until a scrub of it succeeds: %s', identifier, reason)
        self._change(lambda held: held.__setitem__(identifier, reason))

    def remove(self, identifier, quiet=False):
        if not quiet:
            LOG.info('FPGA region %s is scrubbed and leaves quarantine',
                     identifier)
        self._change(lambda held: held.pop(identifier, None))

    def _change(self, change):
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        # Every writer of this record (nova-compute, nova-fpga) shares its
        # directory, so the lock file lives there and needs no option.
        with lockutils.lock(LOCK_NAME, external=True, lock_path=directory):
            held = self.held()
            change(held)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix='.quarantine-')
            try:
                with os.fdopen(fd, 'w') as f:
                    json.dump(held, f, indent=1, sort_keys=True)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise


class Mark:
    """Holds a region in quarantine while ``work`` is done to it.

    A region a dead process was programming may hold half a design yet
    read as healthy, so it is marked first, and the mark is removed only
    when the work is done and verified. On a failure the failure's reason
    replaces it (``replace``). It is entered inside the card lock, and
    ``working`` (a set) names the regions this process works on meanwhile.
    ``only_if_held``: enter only if the region is in quarantine then, else
    raise NoLongerHeld (a retry whose region another process freed).
    """

    def __init__(self, quarantine, working, device, region, work,
                 only_if_held=False):
        self.quarantine = quarantine
        self.working = working
        self.identifier = model.region_identifier(device, region)
        self.what = '%s of FPGA region %s' % (
            work, model.describe(device, region))
        self.only_if_held = only_if_held
        self.entered = False

    def __enter__(self):
        if (self.only_if_held and
                self.identifier not in self.quarantine.held()):
            raise exception.NoLongerHeld(self.identifier)
        self.entered = True
        self.working.add(self.identifier)
        began = datetime.datetime.now(datetime.timezone.utc)
        try:
            self.quarantine.add(self.identifier, '%s began at %s and %s' % (
                self.what, began.isoformat(timespec='seconds'), INTERRUPTED),
                quiet=True)
        except OSError as e:
            LOG.error('FPGA region %s cannot be marked as being programmed, '
                      'so an interruption would go unnoticed: %s',
                      self.identifier, e)

    def __exit__(self, exc_type, exc, tb):
        self.working.discard(self.identifier)
        if exc_type is not None:
            return
        try:
            self.quarantine.remove(self.identifier, quiet=True)
        except OSError as e:
            LOG.error('FPGA region %s is done but stays quarantined: its '
                      'record cannot be written: %s', self.identifier, e)

    def replace(self, reason):
        """The failure's reason in place of the mark, if one was made.

        Quietly: the caller says what becomes of the region.
        """
        if not self.entered:
            return
        try:
            self.quarantine.add(self.identifier, reason, quiet=True)
        except OSError as e:
            LOG.error('FPGA region %s cannot be recorded as quarantined: %s',
                      self.identifier, e)
