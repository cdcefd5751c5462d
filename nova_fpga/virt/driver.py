"""Nova's libvirt driver with the host's FPGA regions and GPUs.

It reports the regions and GPUs to Placement, loads the requested
bitstream into the regions an instance holds before its domain is defined,
passes their PCI functions (and the GPUs') to the guest, and scrubs the
regions once the instance is gone.
The work is done by modules that know nothing of Nova; this one only hooks
them into the driver.

Nova imports a compute driver only as ``nova.virt.<compute_driver>``;
``register_alias`` makes this module importable as ``nova.virt.fpga_libvirt``.
"""

import contextlib
import sys
import typing as ty

from nova.compute import task_states
from nova.compute import utils as compute_utils
import nova.conf
from nova import context as nova_context
from nova import exception
from nova.image import glance as nova_glance
from nova.network import model as network_model
from nova import objects
from nova.pci import utils as pci_utils
from nova import rpc
from nova import utils as nova_utils
from nova.virt import hardware
from nova.virt.libvirt import config as vconfig
from nova.virt.libvirt import driver as libvirt_driver
from oslo_log import log as logging
from oslo_utils import excutils

from nova_fpga import conf as fpga_conf
from nova_fpga import model
from nova_fpga import numa
from nova_fpga import placement
from nova_fpga.regions import exception as regions_exception
from nova_fpga.regions import lifecycle
from nova_fpga.regions import operations
from nova_fpga.regions import warm
from nova_fpga import request
from nova_fpga.virt import reporting
from nova_fpga.virt import rpc as fpga_rpc
from nova_fpga.virt import tracking

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF
fpga_conf.register_opts(CONF)

ALIAS = 'fpga_libvirt'


class RegionsNotLoaded(exception.NovaException):
    """Nova reschedules on it: another host may do better."""

    msg_fmt = '%(reason)s'


def register_alias():
    """Let ``compute_driver = fpga_libvirt.FPGALibvirtDriver`` load."""
    sys.modules['nova.virt.' + ALIAS] = sys.modules[__name__]


class FPGADriverMixin:
    """FPGA behaviour for a libvirt driver class.

    The ``[fpga]`` options are read once, when the driver is built; those
    of the bitstream cache when the first bitstream is needed.
    """

    # Whether init_host starts the RPC endpoint of the API's requests (and
    # [fpga] rpc_endpoint is set): a compute service stops it. Nova's own
    # driver tests call init_host with no service around it.
    serves_api = True

    def __init__(self, virtapi, read_only=False):
        self._fpga_regions = lifecycle.HostRegions(CONF, host=CONF.host)
        self._fpga_image_api = nova_glance.API()
        options = fpga_conf.placement_options(CONF)
        # The host is this compute service's, as its manager keeps it.
        self._fpga_reporter = reporting.Reporter(
            virtapi, CONF.host, self._fpga_regions, options,
            keeper=warm.WarmKeeper(CONF, self._fpga_regions,
                                   self._fpga_image_api))
        self._fpga_operations = operations.Operations(
            self._fpga_regions, self._fpga_image_api, options.allows)
        # The RPC server of the API's requests, once the host is up.
        self._fpga_server = None
        reporting.quiet_trait_conflicts()
        # Instances in a hard reboot: it destroys their domain and defines
        # it again, and their regions stay theirs.
        self._fpga_rebooting = set()
        # Instances whose build failed before their regions were touched:
        # the guest never ran and nothing was programmed, so the destroy
        # that follows leaves the regions as they were, unscrubbed.
        self._fpga_untouched = set()
        super().__init__(virtapi, read_only=read_only)

    def init_host(self, host):
        super().init_host(host)
        if (self.serves_api and CONF.fpga.rpc_endpoint and
                rpc.TRANSPORT is not None):
            self._fpga_server = fpga_rpc.start(
                host, self._fpga_operations, self._fpga_regions.retry_mode)

    def cleanup_host(self, host):
        if self._fpga_server is not None:
            self._fpga_server.stop()
            self._fpga_server.wait()
            self._fpga_server = None
        super().cleanup_host(host)

    def get_available_resource(self, nodename):
        data = super().get_available_resource(nodename)
        data['stats'] = dict(data.get('stats') or {},
                             **self._fpga_reporter.stats())
        return data

    def update_provider_tree(self, provider_tree, nodename, allocations=None):
        with placement.set_aside(provider_tree, nodename):
            super().update_provider_tree(provider_tree, nodename,
                                         allocations=allocations)
        self._fpga_reporter.update(provider_tree, nodename, allocations)

    def _fpga_identifiers(self, instance):
        """The identifiers of the regions the instance holds, in order.

        The manager applies a migration context to the instance before
        calling the driver for the destination, so ``instance.resources``
        always names regions of the host at hand.
        """
        return self._fpga_identifiers_of(instance.resources)

    def _fpga_identifiers_of(self, resources):
        return reporting.held_identifiers(resources,
                                          self._fpga_reporter.classes)

    def spawn(self, context, instance, image_meta, injected_files,
              admin_password, allocations, network_info=None,
              block_device_info=None, power_on=True, accel_info=None):
        self._fpga_untouched.discard(instance.uuid)
        try:
            with self._fpga_load_event(context, instance):
                try:
                    self._fpga_load(context, instance)
                except regions_exception.AssignmentFailed as e:
                    if not e.touched:
                        self._fpga_untouched.add(instance.uuid)
                    raise RegionsNotLoaded(reason=str(e)) from e
                except exception.BuildAbortException:
                    # A bad request: nothing was loaded.
                    self._fpga_untouched.add(instance.uuid)
                    raise
            super().spawn(context, instance, image_meta, injected_files,
                          admin_password, allocations,
                          network_info=network_info,
                          block_device_info=block_device_info,
                          power_on=power_on, accel_info=accel_info)
        except Exception:
            with excutils.save_and_reraise_exception():
                if instance.task_state == task_states.REBUILD_SPAWNING:
                    # Nova drops a failed rebuild's allocations here and
                    # destroys nothing: the regions must not go back dirty
                    # (the server's earlier design is in them).
                    self._fpga_untouched.discard(instance.uuid)
                    self._fpga_regions.release(
                        self._fpga_identifiers(instance))

    def _fpga_load_event(self, context, instance):
        """An instance action event around loading, when regions are held.

        Its start and finish times say how long loading took; once Nova
        has rescheduled, the fault says no more than "Exhausted all
        hosts", and the event keeps why.
        """
        if not self._fpga_identifiers(instance):
            return contextlib.nullcontext()
        return compute_utils.EventReporter(
            context, 'compute_fpga_load_regions', instance.host,
            instance.uuid)

    def _fpga_load(self, context, instance):
        """Load the requested bitstream into every region held.

        A bad request aborts the build; any other failure raises
        AssignmentFailed.
        """
        image_properties = nova_utils.get_image_from_system_metadata(
            instance.system_metadata)['properties']
        try:
            wanted = request.from_flavor_and_image(
                instance.flavor.extra_specs, image_properties,
                instance=instance)
        except request.InvalidRequest as e:
            raise exception.BuildAbortException(
                instance_uuid=instance.uuid, reason=str(e)) from e
        identifiers = self._fpga_identifiers(instance)
        held = (self._fpga_regions.attachable(identifiers) if identifiers
                else [])
        if wanted and all(device.is_gpu for device, _ in held):
            # Nova would start the guest with no region, or a GPU only.
            raise exception.BuildAbortException(
                instance_uuid=instance.uuid, reason=(
                    'the %s asks for %s, but the flavor gives the instance '
                    'no FPGA region: ask for one with resources:FPGA=1 (or '
                    'the class [fpga] resource_classes maps the board to)' % (
                        wanted.key, wanted.describe())))
        if not identifiers:
            return
        self._fpga_check_numa(instance, image_properties, identifiers, held)
        self._fpga_regions.hold(held, instance)
        if wanted:
            outcomes = self._fpga_regions.load(
                context, self._fpga_image_api, held, wanted,
                instance=instance.uuid)
            LOG.info('FPGA regions %s: %s', ', '.join(identifiers),
                     ', '.join(outcomes), instance=instance)

    @staticmethod
    def _fpga_check_numa(instance, image_properties, identifiers, held):
        """Fail the build where the devices break the NUMA policy."""
        policy = hardware.get_pci_numa_policy_constraint(
            instance.flavor,
            objects.ImageMeta.from_dict({'properties': image_properties}))
        topology = (instance.numa_topology
                    if instance.obj_attr_is_set('numa_topology') else None)
        cells = topology.cells if topology else ()
        reason = numa.refusal(policy, [cell.id for cell in cells],
                              [device for device, _ in held])
        if reason:
            raise regions_exception.AssignmentFailed(
                ', '.join(identifiers), reason,
                unit=model.unit_of(identifiers))

    def _get_guest_config(self, instance, network_info, image_meta,
                          disk_info, rescue=None, block_device_info=None,
                          context=None, mdevs=None, accel_info=None,
                          share_info=None, old_guest=None):
        guest = super()._get_guest_config(
            instance, network_info, image_meta, disk_info, rescue=rescue,
            block_device_info=block_device_info, context=context,
            mdevs=mdevs, accel_info=accel_info, share_info=share_info,
            old_guest=old_guest)
        identifiers = self._fpga_identifiers(instance)
        if identifiers:
            held = self._fpga_regions.attachable(identifiers)
            # Every (re)definition: after a power cycle, a region holds
            # what its card loads at power-up, not the instance's function.
            try:
                unloaded = self._fpga_regions.restore(held, instance.uuid)
            except regions_exception.AssignmentFailed as e:
                raise RegionsNotLoaded(reason=str(e)) from e
            if unloaded:
                # Nothing was loaded there for the instance: a hard reboot
                # after a failed build or move, or a record from before
                # records named it. It loads as a spawn does.
                self._fpga_load_outside_build(context, instance)
            for _, region in held:
                for address in region.attach:
                    guest.add_device(self._fpga_hostdev(address))
        return guest

    def _fpga_hostdev(self, address):
        dev = vconfig.LibvirtConfigGuestHostdevPCI()
        dev.domain, dev.bus, dev.slot, dev.function = (
            pci_utils.parse_address(address))
        self._set_managed_mode(dev, 'true')
        return dev

    def _hard_reboot(self, context, instance, network_info, share_info,
                     block_device_info=None, accel_info=None):
        self._fpga_rebooting.add(instance.uuid)
        try:
            return super()._hard_reboot(
                context, instance, network_info, share_info,
                block_device_info=block_device_info, accel_info=accel_info)
        finally:
            self._fpga_rebooting.discard(instance.uuid)

    def destroy(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, destroy_secrets=True):
        if instance.task_state == task_states.DELETING:
            self._fpga_count_out(instance)
        rebooting = instance.uuid in self._fpga_rebooting
        # After an evacuation the instance record names the regions it
        # holds on its new host; the domain it left here, those it held here.
        evacuated = (not rebooting and
                     instance.node != self._host.get_hostname())
        left = self._fpga_passed_here(instance) if evacuated else ()
        super().destroy(context, instance, network_info,
                        block_device_info=block_device_info,
                        destroy_disks=destroy_disks,
                        destroy_secrets=destroy_secrets)
        if rebooting:
            return
        if instance.uuid in self._fpga_untouched:
            self._fpga_untouched.discard(instance.uuid)
            identifiers = self._fpga_identifiers(instance)
            if identifiers:
                LOG.info('FPGA regions %s are not scrubbed: the build that '
                         'failed programmed nothing into them and the guest '
                         'never ran', ', '.join(identifiers),
                         instance=instance)
                self._fpga_regions.forget(identifiers)
            return
        if evacuated:
            try:
                identifiers = self._fpga_regions.inventory.passed(left)
            # Whatever discovery meets, Nova's clean-up goes on.
            except Exception:
                LOG.exception('The FPGA regions this instance held on this '
                              'host are not scrubbed: discovery failed',
                              instance=instance)
                return
            if identifiers:
                LOG.info('Scrubbing FPGA regions %s, which this instance '
                         'held on this host before it was evacuated to %s',
                         ', '.join(identifiers), instance.node,
                         instance=instance)
        elif instance.task_state == task_states.REBUILDING:
            # The server and its project stay; spawn loads the regions
            # again only where the new request asks for another function.
            return
        else:
            identifiers = self._fpga_identifiers(instance)
        if identifiers:
            self._fpga_regions.release(identifiers)

    def _fpga_count_out(self, instance):
        """Have Nova's resource tracker release what the instance holds.

        See virt.tracking: after a move on this host it may not.
        """
        tracker = getattr(getattr(self.virtapi, '_compute', None), 'rt', None)
        if tracker is not None and tracking.track_for_deletion(
                tracker, instance):
            LOG.info("Nova's resource tracker had stopped tracking this "
                     'instance after a move on this host: tracked again, so '
                     'that its deletion releases its FPGA regions and GPUs',
                     instance=instance)

    def _fpga_passed_here(self, instance):
        """The host PCI addresses of the instance's domain's hostdevs.

        The domain is looked for among the host's, not fetched by uuid:
        how often destroy fetches it is LibvirtDriver's own, and Nova's
        tests of it count.
        """
        for guest in self._host.list_guests(only_running=False):
            if guest.uuid != instance.uuid:
                continue
            devices = guest.get_all_devices(
                vconfig.LibvirtConfigGuestHostdevPCI)
            return ['%04x:%02x:%02x.%x' % tuple(
                int(part, 16)
                for part in (dev.domain, dev.bus, dev.slot, dev.function))
                for dev in devices]
        return []

    def _fpga_refusal(self, instance, operation, why):
        """Why ``operation`` is refused for the instance, or None."""
        identifiers = self._fpga_identifiers(instance)
        if not identifiers:
            return None
        return ('%s is refused: the instance holds FPGA region(s) %s, '
                'passed through to the guest; %s' % (
                    operation, ', '.join(identifiers), why))

    def _refuse_live_migration(self, instance):
        reason = self._fpga_refusal(
            instance, 'Live migration',
            'the state of a PCI device cannot be migrated')
        if reason:
            raise exception.MigrationPreCheckError(reason=reason)

    def check_can_live_migrate_destination(
            self, context, instance, src_compute_info, dst_compute_info,
            block_migration=False, disk_over_commit=False):
        self._refuse_live_migration(instance)
        return super().check_can_live_migrate_destination(
            context, instance, src_compute_info, dst_compute_info,
            block_migration=block_migration,
            disk_over_commit=disk_over_commit)

    def check_can_live_migrate_source(self, context, instance,
                                      dest_check_data,
                                      block_device_info=None):
        self._refuse_live_migration(instance)
        return super().check_can_live_migrate_source(
            context, instance, dest_check_data,
            block_device_info=block_device_info)

    def suspend(self, context, instance):
        reason = self._fpga_refusal(
            instance, 'Suspending',
            'the state of a PCI device cannot be saved')
        if reason:
            # The rollback leaves the instance as it was, with the fault.
            raise exception.InstanceFaultRollback(
                exception.InstanceSuspendFailure(reason=reason))
        return super().suspend(context, instance)

    # Annotated as Nova's, for its exact signature.
    def finish_migration(
        self,
        context: nova_context.RequestContext,
        migration: 'objects.Migration',
        instance: 'objects.Instance',
        disk_info: str,
        network_info: network_model.NetworkInfo,
        image_meta: 'objects.ImageMeta',
        resize_instance: bool,
        allocations: dict[str, ty.Any],
        block_device_info: dict[str, ty.Any] | None = None,
        power_on: bool = True,
        share_info: 'objects.ShareMappingList | None' = None,
    ) -> None:
        # The manager has applied the migration context: instance.resources
        # names the regions claimed here, instance.flavor the new flavor.
        # A failure puts the server in ERROR here with its fault, as Nova
        # does for a failed move, and a hard reboot loads the old flavor's
        # request here. Nova never tells the source's driver: the source's
        # regions stay held there until the server is deleted, and whoever
        # claims one next has it scrubbed first (HostRegions.hold).
        with self._fpga_load_event(context, instance):
            self._fpga_load_outside_build(context, instance)
        super().finish_migration(
            context, migration, instance, disk_info, network_info, image_meta,
            resize_instance, allocations, block_device_info=block_device_info,
            power_on=power_on, share_info=share_info)

    def _fpga_load_outside_build(self, context, instance):
        """Load as a spawn does; every failure is RegionsNotLoaded."""
        try:
            self._fpga_load(context, instance)
        except regions_exception.AssignmentFailed as e:
            raise RegionsNotLoaded(reason=str(e)) from e
        except exception.BuildAbortException as e:
            raise RegionsNotLoaded(reason=e.kwargs['reason']) from e

    def confirm_migration(self, context, migration, instance, network_info):
        super().confirm_migration(context, migration, instance, network_info)
        # instance.resources names the regions on the destination now; those
        # left here are the migration context's old ones.
        moved = instance.migration_context
        identifiers = self._fpga_identifiers_of(
            moved.old_resources if moved else None)
        if identifiers:
            self._fpga_regions.release(identifiers)

    def finish_revert_migration(
        self,
        context: nova_context.RequestContext,
        instance: 'objects.Instance',
        network_info: network_model.NetworkInfo,
        migration: 'objects.Migration',
        block_device_info: dict[str, ty.Any] | None = None,
        power_on: bool = True,
        share_info: 'objects.ShareMappingList | None' = None,
    ) -> None:
        # The regions kept here stay loaded unless something scrubbed them.
        # Without regions there is nothing to check: the old flavor's
        # request was checked when the server was built with it.
        if self._fpga_identifiers(instance):
            with self._fpga_load_event(context, instance):
                self._fpga_load_outside_build(context, instance)
        super().finish_revert_migration(
            context, instance, network_info, migration,
            block_device_info=block_device_info, power_on=power_on,
            share_info=share_info)


class FPGALibvirtDriver(FPGADriverMixin, libvirt_driver.LibvirtDriver):
    pass
