"""Where the API finds regions: the computes' stats, and Placement.

Each compute publishes its regions in its compute node's stats at every
periodic update (virt.reporting): every region of the cloud is read in one
query per cell. A region's UUID is an aggregate of its Placement provider
(placement.region_aggregates): one Placement request finds its compute
node, without reading the others.
"""

import uuid

from nova.compute import api as compute_api
from nova import context as nova_context
from nova import exception as nova_exception
from nova import objects
from nova.scheduler.client import report
from nova import utils as nova_utils
from oslo_serialization import jsonutils

from nova_fpga import model
from nova_fpga.virt import reporting

# member_of: 1.3; root_provider_uuid: 1.14.
PLACEMENT_VERSION = '1.14'


class NotFound(Exception):
    """No region has that UUID."""


class PlacementUnavailable(Exception):
    """Placement cannot be asked; the message says why."""


def regions_of(node):
    """The regions a compute node's stats list, as the API shows them.

    In the order of their identifiers. What is the node's is worked out
    once, not for each region.
    """
    found = (node.stats or {}).get(reporting.STATS_KEY)
    if not found:
        return []
    updated = node.updated_at or node.created_at
    namespace = uuid.UUID(node.uuid)
    common = {'host': node.host, 'node': node.hypervisor_hostname,
              'updated_at': nova_utils.isotime(updated) if updated else None}
    regions = [dict(entry, uuid=model.region_uuid(namespace,
                                                  entry['identifier']),
                    **common)
               for entry in jsonutils.loads(found)]
    regions.sort(key=lambda region: region['identifier'])
    return regions


def all_regions(context, host=None):
    """Every region of the cloud, by host and identifier; lazily.

    One query per cell reads the nodes; a node's regions are parsed only
    when the caller gets to them, so a page costs what it shows. Cells
    that do not answer are skipped.
    """
    found = nova_context.scatter_gather_skip_cell0(
        context.elevated(), objects.ComputeNodeList.get_all)
    nodes = [node for result in found.values()
             if not nova_context.is_cell_failure_sentinel(result)
             for node in result if host is None or node.host == host]
    nodes.sort(key=lambda node: (node.host or '', node.hypervisor_hostname))
    for node in nodes:
        yield from regions_of(node)


class Finder:
    """The compute node and region of a region UUID."""

    def __init__(self, client=None):
        self._client = client
        self.host_api = compute_api.HostAPI()

    @property
    def client(self):
        if self._client is None:
            self._client = report.report_client_singleton()
        return self._client

    def node_uuid(self, context, region_uuid):
        """The compute node (provider) UUID of the region; NotFound."""
        try:
            resp = self.client.get(
                '/resource_providers?member_of=%s' % region_uuid,
                version=PLACEMENT_VERSION,
                global_request_id=context.global_id)
        except Exception as e:
            raise PlacementUnavailable(str(e) or type(e).__name__) from e
        if resp.status_code != 200:
            raise PlacementUnavailable('Placement answered %d' %
                                       resp.status_code)
        providers = resp.json()['resource_providers']
        if not providers:
            raise NotFound(region_uuid)
        return providers[0]['root_provider_uuid']

    def find(self, context, region_uuid):
        """``(compute node, region as listed)``; NotFound."""
        node_uuid = self.node_uuid(context, region_uuid)
        try:
            node = self.host_api.compute_node_get(context.elevated(),
                                                  node_uuid)
        except nova_exception.ComputeHostNotFound as e:
            raise NotFound(region_uuid) from e
        for region in regions_of(node):
            if region['uuid'] == region_uuid:
                return node, region
        raise NotFound(region_uuid)
