"""The FPGA part of a compute's periodic update of its providers.

Each update discovers the host, retries the quarantined regions and makes
our providers match what it found (``nova_fpga.placement``), or skips that
work when nothing changed since the last one. It also tells the instances
holding a region that is lost, or back, with an instance action of their
own, and gives the compute node's stats what the cloud-wide API lists of
each region.
"""

import functools
import logging as std_logging

from keystoneauth1 import exceptions as ks_exc
from nova import context as nova_context
from nova import exception
from nova import objects
from nova.objects import fields
from nova import thread_pool_factory
from nova import utils as nova_utils
import os_resource_classes as orc
from oslo_log import log as logging
from oslo_serialization import jsonutils

from nova_fpga import discovery
from nova_fpga import model
from nova_fpga import placement
from nova_fpga.regions import operations

LOG = logging.getLogger(__name__)

# The key of the compute node's stats that lists its FPGA regions.
STATS_KEY = 'fpga_regions'
# Instance actions recorded when a region an instance holds is lost or back.
LOST_ACTION = 'fpga-region-lost'
BACK_ACTION = 'fpga-region-back'


class TraitConflictsAtDebug(std_logging.Filter):
    """Nova's report client's ERROR for a trait update that lost a race.

    A region's traits change when it is programmed, while the scheduler's
    claims change its provider's generation: Placement answers 409 (the
    one conflict a trait update meets: "generation already changed"), Nova
    logs an ERROR, and its resource tracker reads the providers again and
    retries, which works. The line goes to DEBUG; a final failure is still
    logged by the resource tracker.
    """

    def filter(self, record):
        args = record.args
        if (record.levelno == std_logging.ERROR and
                isinstance(args, dict) and args.get('status_code') == 409 and
                'Failed to update traits' in str(record.msg)):
            record.levelno, record.levelname = std_logging.DEBUG, 'DEBUG'
            return std_logging.getLogger(record.name).isEnabledFor(
                std_logging.DEBUG)
        return True


def quiet_trait_conflicts():
    """Install TraitConflictsAtDebug on Nova's report client, once."""
    logger = std_logging.getLogger('nova.scheduler.client.report')
    if not any(isinstance(f, TraitConflictsAtDebug) for f in logger.filters):
        logger.addFilter(TraitConflictsAtDebug())


def resource_classes(options):
    """The resource classes our providers can have, with ``options``."""
    return frozenset({orc.FPGA, orc.PGPU} |
                     set(options.resource_classes.values()))


def held_identifiers(resources, classes):
    """The identifiers of the units of ``classes`` among ``resources``."""
    return [resource.identifier for resource in resources or ()
            if resource.resource_class in classes]


class Reporter:
    """Keeps one compute's FPGA and GPU providers as its host is.

    ``host`` is the compute service's host, ``regions`` its
    regions.lifecycle.HostRegions.
    """

    def __init__(self, virtapi, host, regions, options, keeper=None):
        self.virtapi = virtapi
        self.host = host
        self.regions = regions
        self.options = options
        # A regions.warm.WarmKeeper, or None, and the Future of the
        # warming under way.
        self.keeper = keeper
        self.warming = None
        self.classes = resource_classes(options)
        # What the last update left in the tree (placement.Reported).
        self._reported = None
        # The identifiers of the usable regions at the last update, to tell
        # the instances holding a region that is lost, or back, once.
        self._usable = None
        # What the last update found on the host.
        self._inventory = None

    def update(self, provider_tree, nodename, allocations=None):
        """Make our providers under ``nodename`` match the host."""
        reported, self._reported = self._reported, None
        self.regions.events.node_uuid = provider_tree.data(nodename).uuid
        assigned = functools.partial(self._assigned, nodename)
        try:
            quarantined = self.regions.retry_quarantined()
            inventory = self.regions.survey()
        except discovery.NotSysfs as e:
            LOG.error('FPGA discovery failed; FPGA providers are kept and '
                      'reserved until it works again: %s', e)
            placement.hold_all(provider_tree, nodename, assigned)
        # Whatever discovery meets on the host, Nova's own reporting goes on.
        except Exception:
            LOG.exception('FPGA discovery failed; FPGA providers are kept '
                          'and reserved until it works again')
            placement.hold_all(provider_tree, nodename, assigned)
        else:
            self._inventory = inventory
            if (allocations is None and reported is not None and
                    reported.holds(provider_tree, nodename, inventory,
                                   quarantined)):
                self._reported = reported
            elif placement.update(
                    provider_tree, nodename, inventory, self.options,
                    self._in_use(allocations), quarantined, assigned):
                self._reported = placement.Reported.of(
                    provider_tree, nodename, inventory, quarantined)
            self._report_lost(inventory)
            self._keep_warm(inventory, assigned, quarantined)
            self.regions.events.surveyed(
                [device for device in inventory.devices
                 if self.options.allows(device)], quarantined)

    def stats(self):
        """The compute node's stats of the regions, as the API lists them.

        From the last update's discovery and the region records as they
        are now; nothing before the first update. Nova's resource tracker
        saves them in the compute node's record at each periodic update:
        the API reads every host's in one query per cell.
        """
        if self._inventory is None:
            return {}
        return {STATS_KEY: jsonutils.dumps(operations.summaries(
            self.regions, self._inventory, self.options.allows))}

    def _keep_warm(self, inventory, assigned, quarantined):
        """Load one more warm region, if one is wanted, in a thread.

        Not in this update: it runs under the resource tracker's lock,
        which every claim on this host waits for, and programming takes
        seconds. The function trait follows at a later update.
        """
        if (self.keeper is None or not self.keeper.wanted or
                (self.warming is not None and not self.warming.done())):
            return
        self.warming = thread_pool_factory.spawn(
            self._warm, inventory, set(assigned()) | set(quarantined))

    def _warm(self, inventory, busy):
        try:
            return self.keeper.keep(inventory, busy)
        # Whatever warming meets, the compute goes on.
        except Exception:
            LOG.exception('Keeping FPGA regions warm failed')

    def _in_use(self, allocations):
        """A test of whether allocations use a provider (by uuid).

        The resource tracker passes ``allocations`` only when reshaping;
        otherwise Placement is asked, for vanished regions only.
        """
        if allocations is not None:
            used = {rp_uuid for consumer in allocations.values()
                    for rp_uuid in consumer['allocations']}
            return used.__contains__

        def in_use(rp_uuid):
            try:
                found = (self.virtapi.reportclient
                         .get_allocations_for_resource_provider(
                             nova_context.get_admin_context(), rp_uuid))
            except (exception.ResourceProviderAllocationRetrievalFailed,
                    ks_exc.ClientException) as e:
                LOG.warning('Cannot read the allocations of FPGA provider '
                            '%s, so it is kept: %s', rp_uuid, e)
                return True
            return bool(found.allocations)
        return in_use

    def _assigned(self, nodename):
        """``{identifier: provider uuid}`` of the units held on the node.

        As Nova's resource tracker counts them: what instances here hold,
        and what migrations to or from here hold on either side. And as
        Placement counts them: an instance evacuated from here keeps its
        allocation here until this host, started again, cleans up after
        it; its regions are those the region records still give to it.
        """
        context = nova_context.get_admin_context()
        attrs = ['resources', 'migration_context']
        instances = {i.uuid: i for i in objects.InstanceList.get_by_host(
            context, self.host, expected_attrs=attrs)}
        for migration in objects.MigrationList.get_in_progress_and_error(
                context, self.host, nodename):
            if migration.instance_uuid not in instances:
                try:
                    instances[migration.instance_uuid] = (
                        objects.Instance.get_by_uuid(
                            context, migration.instance_uuid,
                            expected_attrs=attrs))
                except exception.InstanceNotFound:
                    continue
        held = {}
        for instance in instances.values():
            lists = [instance.resources]
            moving = instance.migration_context
            if moving is not None:
                lists += [getattr(moving, side) for side in (
                    'old_resources', 'new_resources')
                    if moving.obj_attr_is_set(side)]
            held.update((r.identifier, r.provider_uuid)
                        for resources in lists for r in resources or ())
        # The evacuations this host has not cleaned up after, as Nova's
        # compute manager finds them at start-up.
        with nova_utils.temporary_mutation(context, read_deleted='yes'):
            evacuations = objects.MigrationList.get_by_filters(context, {
                'source_compute': self.host,
                'status': ['accepted', 'pre-migrating', 'done'],
                'migration_type': fields.MigrationType.EVACUATION})
        evacuated = {migration.instance_uuid for migration in evacuations}
        for identifier, provider in self.regions.given_to(
                evacuated).items():
            held.setdefault(identifier, provider)
        return held

    def _report_lost(self, inventory):
        """Log, with each instance, a region it holds that is lost or back.

        A lost one is notified too. Instances are read only when the
        usable regions change.
        """
        usable, why, found = set(), {}, {}
        for device in inventory.devices:
            for region in device.regions:
                identifier = model.region_identifier(device, region)
                found[identifier] = device, region
                if model.usable(device, region):
                    usable.add(identifier)
                else:
                    why[identifier] = model.unusable_reason(device, region)
        before, self._usable = self._usable, usable
        if before is None or before == self._usable:
            return
        instances = objects.InstanceList.get_by_host(
            nova_context.get_admin_context(), self.host,
            expected_attrs=['resources'])
        for instance in instances:
            lost, back = [], []
            for identifier in held_identifiers(instance.resources,
                                               self.classes):
                if identifier in before and identifier not in usable:
                    reason = why.get(identifier,
                                     'it is not on this host any more')
                    lost.append('FPGA region %s of instance %s is lost (%s): '
                                'it is reserved in Placement until it is '
                                'back' % (identifier, instance.uuid, reason))
                    LOG.error(lost[-1])
                    self.regions.events.lost(
                        identifier, instance.uuid, reason,
                        *found.get(identifier, (None, None)))
                elif identifier in usable and identifier not in before:
                    back.append('FPGA region %s of instance %s is back' % (
                        identifier, instance.uuid))
                    LOG.info(back[-1])
            if lost:
                self.note(instance, LOST_ACTION, '; '.join(lost))
            if back:
                self.note(instance, BACK_ACTION)

    def note(self, instance, action, failure=None):
        """An instance action of its own for what befell a region.

        Its one event failed with ``failure`` as details, or succeeded.
        The server's user sees it among the server's actions.
        """
        # A request id of its own: events are found by it.
        context = nova_context.get_admin_context()
        event = 'compute_' + action.replace('-', '_')
        try:
            objects.InstanceAction.action_start(
                context, instance.uuid, action, want_result=False)
            objects.InstanceActionEvent.event_start(
                context, instance.uuid, event, want_result=False,
                host=self.host)
            if failure:
                # Nova keeps the details only with a traceback.
                objects.InstanceActionEvent.event_finish_with_failure(
                    context, instance.uuid, event, exc_val=failure,
                    exc_tb=failure, want_result=False)
            else:
                objects.InstanceActionEvent.event_finish(
                    context, instance.uuid, event, want_result=False)
        # The periodic update goes on whatever the database says.
        except Exception:
            LOG.exception('The %s action of instance %s cannot be recorded',
                          action, instance.uuid)
