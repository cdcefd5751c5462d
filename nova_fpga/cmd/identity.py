"""Who runs ``nova-fpga program``: keystoneauth, as the openstack client.

Credentials come from a cloud of clouds.yaml (``--os-cloud`` or
``OS_CLOUD``, read by openstacksdk as the openstack client reads it), or
from ``OS_*`` variables or ``--os-*`` options; nova_fpga.identity makes
the request context.
"""

import os

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading
from openstack import config as sdk_config
from openstack import exceptions as sdk_exc

from nova_fpga.cmd import errors
from nova_fpga import identity

DEFAULT_AUTH_TYPE = 'password'


def register_arguments(parser, argv):
    """Add the ``--os-*`` options of the auth type ``argv`` names."""
    parser.add_argument(
        '--os-cloud', default=os.environ.get('OS_CLOUD'),
        help='A cloud of clouds.yaml to authenticate as (Env: OS_CLOUD); '
             'then the other --os-* options are not read.')
    try:
        loading.register_auth_argparse_arguments(parser, argv,
                                                 default=DEFAULT_AUTH_TYPE)
    except ks_exc.NoMatchingPlugin:
        # Said once the credentials are needed, with exit code 7.
        pass
    loading.register_session_argparse_arguments(parser)


def request_context(args, project=None):
    """A RequestContext carrying the caller's token.

    ``project``, when given, is the project the caller acts for; the
    credentials must not be scoped to another. Raises errors.Failure
    (AUTHENTICATION).
    """
    try:
        session = _session(args)
        scoped = session.get_project_id()
        context = identity.context_of(session, project=project)
    except (ks_exc.ClientException, sdk_exc.ConfigException) as e:
        raise errors.Failure(errors.AUTHENTICATION,
                             'authentication failed: %s' % e) from e
    if project and scoped and project != scoped:
        raise errors.Failure(
            errors.AUTHENTICATION,
            'authentication failed: the credentials are scoped to project '
            '%s, not %s' % (scoped, project))
    return context


def _session(args):
    if args.os_cloud:
        return sdk_config.OpenStackConfig().get_one(
            cloud=args.os_cloud).get_session()
    auth = loading.load_auth_from_argparse_arguments(args)
    return loading.load_session_from_argparse_arguments(args, auth=auth)
