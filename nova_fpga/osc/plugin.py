"""The module python-openstackclient loads for the ``fpga`` API.

The shell reads the names below, adds our option to its parser and calls
``make_client`` the first time a command asks for ``client_manager.fpga``.
"""

from osc_lib import exceptions
from osc_lib import utils

from nova_fpga.osc import client

API_NAME = 'fpga'
API_VERSION_OPTION = 'os_fpga_api_version'
# The microversions this client speaks; the values follow OSC's habit of
# naming the client class, though only the keys are read.
API_VERSIONS = {'1.0': 'nova_fpga.osc.client.Client'}
DEFAULT_VERSION = '1.0'


def make_client(instance):
    """A client on the shell's session, endpoint interface and region."""
    version = instance._api_version[API_NAME]
    if version not in API_VERSIONS:
        # The shell only warns; a request the API cannot serve would fail
        # later and less clearly.
        raise exceptions.UnsupportedVersion(
            'FPGA API version %s is not supported; supported: %s'
            % (version, ', '.join(sorted(API_VERSIONS))))
    return client.Client(instance.session, interface=instance.interface,
                         region_name=instance.region_name,
                         api_version=version)


def build_option_parser(parser):
    parser.add_argument(
        '--os-fpga-api-version',
        metavar='<fpga-api-version>',
        default=utils.env('OS_FPGA_API_VERSION', default=DEFAULT_VERSION),
        help='FPGA API version, default=%s (Env: OS_FPGA_API_VERSION)'
             % DEFAULT_VERSION)
    return parser
