"""The services' WSGI applications, for gunicorn: ``wsgi:load('module')``.

keystone and Nova read the process's command line as their own options
when their application loads, and gunicorn's are not; they get none.
"""

import importlib
import sys


def load(module):
    """``module``'s ``application``, loaded with an empty command line."""
    sys.argv[1:] = []
    return importlib.import_module(module).application
