"""Nova's image API and bitstream uploads, against the demo Glance.

Nova reads Glance with the request context's token and nothing else
(``nova.image.glance.API``); the demo Glance takes that token to say who
the caller is (nova_fpga.demo.identity).
"""

import glanceclient
import nova.conf
from nova import context as nova_context

from nova_fpga.demo import identity

FPGA_TAG = 'FPGA'


def use_glance(url, conf=nova.conf.CONF):
    """Point Nova's image API at the Glance at ``url``."""
    # [glance] api_servers is deprecated; the keystoneauth adapter option
    # is what Nova reads when there is no service catalog.
    conf.set_override('endpoint_override', url, group='glance')


def request_context(user, project, roles=()):
    """A Nova request context whose token the demo Glance accepts."""
    roles = list(roles or identity.DEFAULT_ROLES)
    return nova_context.RequestContext(
        user_id=user, project_id=project, roles=roles,
        is_admin='admin' in roles,
        auth_token=identity.make_token(user, project, roles))


def upload_bitstream(url, token, path, name, vendor, interface_id,
                     function_id, function, visibility='private'):
    """Upload the file at ``path`` as a bitstream image; its Glance record.

    The image is tagged ``FPGA`` and carries the ``fpga_*`` properties
    the plugin looks for. Its data is streamed, not read into memory. An
    image whose upload fails is deleted.
    """
    client = glanceclient.Client(endpoint=url + '/v2', token=token)
    image = client.images.create(
        name=name, container_format='bare', disk_format='raw',
        visibility=visibility, tags=[FPGA_TAG], fpga_vendor=vendor,
        fpga_interface_id=interface_id, fpga_function_id=function_id,
        fpga_function=function)
    try:
        with open(path, 'rb') as data:
            client.images.upload(image.id, data)
    except BaseException:
        client.images.delete(image.id)
        raise
    return dict(client.images.get(image.id))
