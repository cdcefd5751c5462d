"""Versioned notifications of what befalls an FPGA region.

Sent through Nova's versioned notifier, on its notification transport and
topics, so whatever consumes Nova's notifications gets them too. Nova's
payload classes are its own, so the payload is a versioned object of our
namespace, serialized as Nova serializes its own: ``nova_object.name``,
``.namespace``, ``.version`` and ``.data``. A consumer checks the
namespace and the major version.
"""

import nova.conf
from nova import context as nova_context
from nova import rpc
from oslo_log import log as logging
from oslo_versionedobjects import base
from oslo_versionedobjects import fields

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF

PROGRAMMED = 'fpga.region.programmed'
SCRUBBED = 'fpga.region.scrubbed'
QUARANTINED = 'fpga.region.quarantined'
LOST = 'fpga.region.lost'
# Methods of an oslo.messaging notifier.
INFO = 'info'
ERROR = 'error'


# As Nova's payloads: its fields made properties, the class kept out of
# the registry that objects received over RPC are built from.
@base.VersionedObjectRegistry.register_if(False)
class FPGARegionPayload(base.VersionedObject):
    """One region and what befell it; a field that does not apply is None.

    Add a field: bump the minor version. Change or remove one: the major.
    """

    # Nova's envelope keys, with our namespace.
    OBJ_SERIAL_NAMESPACE = 'nova_object'
    OBJ_PROJECT_NAMESPACE = 'nova_fpga'
    VERSION = '1.0'

    fields = {
        # The compute service's host.
        'host': fields.StringField(),
        # model.region_identifier: its provider's name ends with it.
        'identifier': fields.StringField(),
        'uuid': fields.UUIDField(nullable=True),
        'vendor': fields.StringField(nullable=True),
        'board': fields.StringField(nullable=True),
        'interface_id': fields.StringField(nullable=True),
        'function_id': fields.StringField(nullable=True),
        'image_id': fields.UUIDField(nullable=True),
        'image_name': fields.StringField(nullable=True),
        'instance_uuid': fields.UUIDField(nullable=True),
        'reason': fields.StringField(nullable=True),
        'mode': fields.StringField(nullable=True),
        'seconds': fields.FloatField(nullable=True),
    }

    def __init__(self, **values):
        super().__init__(**dict(dict.fromkeys(self.fields), **values))
        # Built whole for one notification: no field is a change, and a
        # primitive with changes would carry them all.
        self.obj_reset_changes()


def publisher_id(host):
    return 'nova-fpga-compute:%s' % host


def enabled():
    """Whether Nova's versioned notifications are sent by this process.

    Only nova-compute sets Nova's notifier up; the ``nova-fpga`` command
    does not.
    """
    return (rpc.NOTIFIER is not None and rpc.NOTIFIER.is_enabled() and
            CONF.notifications.notification_format in ('both',
                                                       'versioned'))


def send(host, event_type, priority, **values):
    """Send ``event_type`` at ``priority`` (INFO or ERROR), if enabled.

    ``values``: the payload's fields but ``host``. A failure is logged:
    what the region went through stands whether it is told or not.
    """
    if not enabled():
        return
    try:
        payload = FPGARegionPayload(host=host, **values)
        notify = getattr(rpc.get_versioned_notifier(publisher_id(host)),
                         priority)
        notify(nova_context.get_admin_context(), event_type,
               payload.obj_to_primitive())
    except Exception:
        LOG.exception('The %s notification of FPGA region %s is not sent',
                      event_type, values.get('identifier'))
