"""An instance deleted right after a move on its host, counted out.

Nova's resource tracker stops tracking an instance when a resize on its
own host is confirmed or reverted (``_drop_move_claim`` discards it from
``tracked_instances`` though it stays on the host) until its next audit.
Deleted before that audit, the instance is not counted out
(``update_usage`` skips what it does not track): the regions it holds
stay in the tracker's ``assigned_resources`` and a boot Placement sends to
one of them fails in its claim ("Needed 1 units of resource class FPGA,
but 0 are available"). Tracked again before the deletion counts it out,
the tracker releases them as for any deleted instance.
"""

from nova.compute import resource_tracker
from nova import utils


@utils.synchronized(resource_tracker.COMPUTE_RESOURCE_SEMAPHORE, fair=True)
def track_for_deletion(tracker, instance):
    """Have ``tracker`` count out ``instance``, which is being deleted.

    Only where it holds resources the tracker does not count as the
    instance's any more. Returns whether it did.
    """
    if instance.uuid in tracker.tracked_instances:
        return False
    assigned = tracker.assigned_resources
    if not any(resource in assigned.get(resource.provider_uuid, {}).get(
            resource.resource_class, ()) for resource in
            instance.resources or ()):
        return False
    tracker.tracked_instances.add(instance.uuid)
    return True
