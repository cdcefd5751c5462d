"""Who holds each FPGA region: the consumers of its Placement provider.

Read through Nova's report client with nova.conf's ``[placement]``
credentials, as nova-compute reads them. A consumer is an instance (or,
during a move, a migration); Placement records its project and user.

A pooled provider's consumers hold some of its regions, Placement does not
say which: the region records name the instance each region was given to
last. A consumer of a pool that no record names (a migration, during a
resize) could hold any region no record gives to a holder. GPUs have no
records: a consumer of a pool of GPUs could hold any of the host's GPUs.
"""

import urllib.parse

from nova import context as nova_context
from nova.scheduler.client import report

from nova_fpga import placement

# in_tree: 1.14; consumer project and user: 1.12.
VERSION = '1.14'
# The entry of the pools' holders no region record names.
UNNAMED = 'unnamed'
# The entry of the holders of the pools of GPUs.
UNNAMED_GPU = 'unnamed GPU'


class Unknown(Exception):
    """Placement could not say; the message says why."""


class Holders:
    """The FPGA providers of compute node ``nodename`` in Placement."""

    def __init__(self, nodename, client=None):
        self.nodename = nodename
        self._client = client
        self._context = nova_context.get_admin_context()

    def _get(self, url):
        try:
            client = self._client or report.SchedulerReportClient()
            self._client = client
            resp = client.get(url, version=VERSION,
                              global_request_id=self._context.global_id)
        except Exception as e:
            raise Unknown('Placement cannot be asked: %s' % (
                str(e) or type(e).__name__)) from e
        if resp.status_code != 200:
            raise Unknown('Placement answered %d to GET %s' % (
                resp.status_code, url))
        return resp.json()

    def read(self, given=None):
        """``{region identifier: {'provider', 'reserved', 'holders'}}``.

        ``holders`` lists ``{'consumer', 'project_id', 'user_id'}``.
        ``given``: ``{region identifier: instance}`` from the region
        records. With pooled providers, the holders of theirs no record
        names are under UNNAMED, with ``'pool': True``; those of the pools
        of GPUs under UNNAMED_GPU.
        Raises Unknown.
        """
        roots = self._get('/resource_providers?name=%s' % urllib.parse.quote(
            self.nodename))['resource_providers']
        if not roots:
            raise Unknown('Placement has no compute node named %s; give the '
                          'node name with --node' % self.nodename)
        found = {}
        for rp in self._get('/resource_providers?in_tree=%s' % roots[0][
                'uuid'])['resource_providers']:
            identifier = placement.identifier_of(self.nodename, rp['name'])
            pool = placement.is_pool(self.nodename, rp['name'])
            if identifier is None and not pool:
                continue
            base = '/resource_providers/%s' % rp['uuid']
            inventories = self._get(base + '/inventories')['inventories']
            allocations = self._get(base + '/allocations')['allocations']
            entry = {
                'provider': rp['uuid'],
                'reserved': any(inv['reserved']
                                for inv in inventories.values()),
                'holders': [self._consumer(c) for c in sorted(allocations)],
            }
            if placement.is_pool(self.nodename, rp['name'],
                                 (placement.GPU_POOL_MARKER,)):
                # The records name regions, never a GPU.
                self._share(found, entry, {}, UNNAMED_GPU)
            elif pool:
                self._share(found, entry, given or {}, UNNAMED)
            else:
                found[identifier] = entry
        return found

    @staticmethod
    def _share(found, entry, given, unnamed_key):
        """A pool's holders to the regions the records give them."""
        named = set()
        for identifier, instance in given.items():
            mine = [h for h in entry['holders'] if h['consumer'] == instance]
            if mine:
                found[identifier] = dict(entry, reserved=False, holders=mine)
                named.add(instance)
        unnamed = found.setdefault(unnamed_key, {
            'provider': None, 'reserved': False, 'holders': [], 'pool': True})
        unnamed['holders'].extend(
            h for h in entry['holders'] if h['consumer'] not in named)

    def _consumer(self, consumer):
        owner = self._get('/allocations/%s' % consumer)
        return {'consumer': consumer, 'project_id': owner.get('project_id'),
                'user_id': owner.get('user_id')}
