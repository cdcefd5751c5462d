"""Nova's image API and bitstream uploads, against the demo Glance.

Nova reads Glance with the request context's token and nothing else
(``nova.image.glance.API``); the demo Glance takes that token to say who
the caller is (demo.identity).
"""

import glanceclient
import nova.conf
from nova import context as nova_context

from demo import identity

FPGA_TAG = 'FPGA'


def use_glance(url, conf=nova.conf.CONF):
    """Point Nova's image API at the Glance at ``url``."""
    # [glance] api_servers is deprecated; the keystoneauth adapter option
    # is what Nova reads when there is no service catalog.
    conf.set_override('endpoint_override', url, group='glance')


def request_context(user, project, roles=(), **kwargs):
    """A Nova request context whose token the demo Glance accepts.

    ``kwargs`` go to Nova's RequestContext as they are.
    """
    roles = list(roles or identity.DEFAULT_ROLES)
    return nova_context.RequestContext(
        user_id=user, project_id=project, roles=roles,
        is_admin='admin' in roles,
        auth_token=identity.make_token(user, project, roles), **kwargs)


def client(url, token):
    """A Glance API client acting as whoever ``token`` names."""
    return glanceclient.Client(endpoint=url + '/v2', token=token)


def upload(url, token, path, name, visibility='private', tags=(),
           **properties):
    """Upload the file at ``path`` as a raw image; its Glance record.

    Its data is streamed, not read into memory. An image whose upload
    fails is deleted.
    """
    glance = client(url, token)
    image = glance.images.create(
        name=name, container_format='bare', disk_format='raw',
        visibility=visibility, tags=list(tags), **properties)
    try:
        with open(path, 'rb') as data:
            glance.images.upload(image.id, data)
    except BaseException:
        glance.images.delete(image.id)
        raise
    return dict(glance.images.get(image.id))


def upload_bitstream(url, token, path, name, vendor, interface_id,
                     function_id, function, visibility='private'):
    """Upload a bitstream image; its Glance record.

    The image is tagged ``FPGA`` and carries the ``fpga_*`` properties
    the plugin looks for.
    """
    return upload(url, token, path, name, visibility, tags=[FPGA_TAG],
                  fpga_vendor=vendor, fpga_interface_id=interface_id,
                  fpga_function_id=function_id, fpga_function=function)
