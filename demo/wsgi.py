"""The services' WSGI applications, for gunicorn: ``wsgi:load('module')``.

keystone and Nova read the process's command line as their own options
when their application loads, and gunicorn's are not; they get none.
"""

import importlib
import sys

NOVA_API = 'nova.wsgi.osapi_compute'


def load(module):
    """``module``'s ``application``, loaded with an empty command line."""
    sys.argv[1:] = []
    return importlib.import_module(module).application


def load_nova_api():
    """nova-api's application, in a cloud without Neutron."""
    application = load(NOVA_API)
    from demo import no_neutron
    no_neutron.install()
    return application
