"""Who runs ``nova-fpga program``: keystoneauth, as the openstack client.

Credentials come from a cloud of clouds.yaml (``--os-cloud`` or
``OS_CLOUD``, read by openstacksdk as the openstack client reads it), or
from ``OS_*`` variables or ``--os-*`` options. The token goes into a Nova
request context for Nova's image API, so Glance itself decides which
bitstreams the caller may see; nothing here grants more.
"""

import collections
import os

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading
from nova import context as nova_context
from openstack import config as sdk_config
from openstack import exceptions as sdk_exc

from nova_fpga.cmd import errors

DEFAULT_AUTH_TYPE = 'password'
# What keystone's v3 catalog calls an endpoint's interface, as v2 keys.
V2_URLS = {'public': 'publicURL', 'internal': 'internalURL',
           'admin': 'adminURL'}


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
        auth = session.auth
        token = session.get_token()
        scoped = session.get_project_id()
        user = session.get_user_id()
        access = (auth.get_access(session) if hasattr(auth, 'get_access')
                  else None)
    except (ks_exc.ClientException, sdk_exc.ConfigException) as e:
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
        service_catalog=v2_catalog(access.service_catalog.catalog)
        if access else None)


def _session(args):
    if args.os_cloud:
        return sdk_config.OpenStackConfig().get_one(
            cloud=args.os_cloud).get_session()
    auth = loading.load_auth_from_argparse_arguments(args)
    return loading.load_session_from_argparse_arguments(args, auth=auth)


def v2_catalog(catalog):
    """A catalog in the v2 form Nova's request context reads.

    Keystone v3 lists each endpoint with its interface; Nova looks
    endpoints up as keystonemiddleware hands them to nova-api: one entry
    a region, with ``publicURL``, ``internalURL`` and ``adminURL``.
    """
    if not catalog or 'interface' not in (
            catalog[0].get('endpoints') or [{}])[0]:
        return catalog
    converted = []
    for service in catalog:
        regions = collections.OrderedDict()
        for endpoint in service.get('endpoints', ()):
            region = endpoint.get('region_id') or endpoint.get('region')
            urls = regions.setdefault(region, {'region': region})
            key = V2_URLS.get(endpoint.get('interface'))
            if key:
                urls[key] = endpoint['url']
        converted.append({'type': service.get('type'),
                          'name': service.get('name'),
                          'endpoints': list(regions.values())})
    return converted
