"""A Nova request context from a keystoneauth session.

Its token goes to Nova's image API, so Glance itself decides which
bitstreams the holder of the credentials may see; nothing here grants
more. The host CLI builds one from the caller's credentials, a compute
keeping regions warm from nova.conf's ``[service_user]``.
"""

import collections

from keystoneauth1 import loading
from nova import context as nova_context

# What keystone's v3 catalog calls an endpoint's interface, as v2 keys.
V2_URLS = {'public': 'publicURL', 'internal': 'internalURL',
           'admin': 'adminURL'}
SERVICE_USER = 'service_user'


def context_of(session, project=None):
    """A RequestContext carrying the session's token and catalog.

    ``project`` overrides the project the token is scoped to. Raises
    keystoneauth's exceptions.
    """
    auth = session.auth
    token = session.get_token()
    access = auth.get_access(session) if hasattr(auth, 'get_access') else None
    return nova_context.RequestContext(
        user_id=session.get_user_id(),
        project_id=project or session.get_project_id(),
        auth_token=token, roles=access.role_names if access else [],
        service_catalog=v2_catalog(access.service_catalog.catalog)
        if access else None)


def service_session(conf):
    """A session of nova.conf's ``[service_user]`` credentials.

    None when that section names no auth type. Its token is fetched when
    first needed and again when it expires.
    """
    auth = loading.load_auth_from_conf_options(conf, SERVICE_USER)
    if auth is None:
        return None
    return loading.load_session_from_conf_options(conf, SERVICE_USER,
                                                  auth=auth)


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
