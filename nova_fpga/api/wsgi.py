"""The API on its own, under any WSGI server: ``application`` here.

It reads nova.conf and api-paste.ini where nova-api does
(``OS_NOVA_CONFIG_DIR``, default ``/etc/nova``) and serves the
``fpga_api`` pipeline of api-paste.ini (``python -m nova_fpga.api.paste``
adds it) at ``/fpga``: Nova's keystone filters, then the API.
"""

import os

from nova.api.openstack import wsgi_app
from paste import deploy
from paste import urlmap

from nova_fpga.api import paste

NAME = 'nova-fpga-api'


def init_application():
    directory = os.environ.get('OS_NOVA_CONFIG_DIR', '/etc/nova').strip()
    api_paste, nova_conf = (os.path.join(directory, name)
                            for name in ('api-paste.ini', 'nova.conf'))
    wsgi_app.init_global_data([api_paste, nova_conf], NAME, NAME)
    served = urlmap.URLMap()
    served[paste.MOUNT] = deploy.loadapp('config:%s' % api_paste,
                                         name='fpga_api')
    return served


application = init_application()
