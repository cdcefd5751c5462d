"""The API inside nova-api: the lines its api-paste.ini needs.

``[composite:osapi_compute]`` gets ``/fpga: fpga_api``, a urlmap entry;
``fpga_api`` is Nova's own keystone pipeline ending in our application.
``python -m nova_fpga.api.paste <api-paste.ini>`` adds them, once.
"""

import sys

MOUNT = '/fpga'
URLMAP_SECTION = '[composite:osapi_compute]'
SECTIONS = '''
[composite:fpga_api]
use = call:nova.api.auth:pipeline_factory_v21
keystone = cors http_proxy_to_wsgi compute_req_id faultwrap request_log \
sizelimit osprofiler authtoken keystonecontext fpga_api_app

[app:fpga_api_app]
paste.app_factory = nova_fpga.api.app:app_factory
'''


def mounted(text):
    """``text`` of an api-paste.ini with the API mounted in it."""
    if '[composite:fpga_api]' in text:
        return text
    if URLMAP_SECTION not in text:
        raise ValueError('no %s section to mount %s in' % (URLMAP_SECTION,
                                                           MOUNT))
    head, tail = text.split(URLMAP_SECTION, 1)
    return '%s%s\n%s: fpga_api%s%s' % (
        head, URLMAP_SECTION, MOUNT, tail, SECTIONS)


def main(argv=None):
    path, = (argv or sys.argv[1:])
    with open(path) as f:
        text = f.read()
    with open(path, 'w') as f:
        f.write(mounted(text))


if __name__ == '__main__':
    main()
