"""The regions held back from guests until a scrub of them succeeds.

A region whose scrub failed, or that programming left in a bad state, may
still hold a guest's design and data, yet its card reads healthy: nothing
in sysfs tells a dirty region from a clean one. So the record is kept on
disk beside the region records (``[fpga] state_dir``), where a restart of
nova-compute or the ``nova-fpga`` command finds it, as one small JSON file
``{identifier: reason}`` replaced atomically: a reader sees the old record
or the new one, never half of either. Two processes write it, nova-compute
and ``nova-fpga`` while it programs or scrubs a region
(nova_fpga.assignment marks the region during the work), so each change
is made under a lock held across processes.
"""

import json
import os
import tempfile

from oslo_concurrency import lockutils
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

FILE_NAME = '.quarantine.json'
# A dot name too, beside it.
LOCK_NAME = '.quarantine.lock'


class Quarantine:
    """The quarantined regions of a host, by unit identifier."""

    def __init__(self, state_dir):
        # A dot name: never a region record's (nova_fpga.state refuses it).
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
