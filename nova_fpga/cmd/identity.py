"""Who runs ``nova-fpga program``: keystoneauth, as the openstack client.

Credentials come from ``OS_*`` variables or ``--os-*`` options. The token
goes into a Nova request context for Nova's image API, so Glance itself
decides which bitstreams the caller may see; nothing here grants more.
"""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading
from nova import context as nova_context

from nova_fpga.cmd import errors

DEFAULT_AUTH_TYPE = 'password'


def register_arguments(parser, argv):
    """Add the ``--os-*`` options of the auth type ``argv`` names."""
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
        auth = loading.load_auth_from_argparse_arguments(args)
        session = loading.load_session_from_argparse_arguments(args,
                                                               auth=auth)
        token = session.get_token()
        scoped = session.get_project_id()
        user = session.get_user_id()
        access = (auth.get_access(session) if hasattr(auth, 'get_access')
                  else None)
    except ks_exc.ClientException as e:
        raise errors.Failure(errors.AUTHENTICATION,
                             'authentication failed: %s' % e) from e
    if project and scoped and project != scoped:
        raise errors.Failure(
            errors.AUTHENTICATION,
            'authentication failed: the credentials are scoped to project '
            '%s, not %s' % (scoped, project))
    return nova_context.RequestContext(
        user_id=user, project_id=project or scoped, auth_token=token,
        roles=access.role_names if access else [],
        service_catalog=access.service_catalog.catalog if access else None)
