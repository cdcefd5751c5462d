"""The tokens of the demo Glance: ``USER:PROJECT[:ROLE,ROLE]``.

Without keystone the token itself says who the caller is (like Nova's
noauth2); demo.glance_auth reads it inside glance-api. Roles
are ``reader,member`` when left out: enough to own private images.
"""

DEFAULT_ROLES = ('reader', 'member')


def make_token(user, project, roles=()):
    return ':'.join([user, project, ','.join(roles or DEFAULT_ROLES)])


def parse_token(token):
    """(user, project, roles) from a token; ValueError if malformed."""
    parts = token.split(':', 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ValueError('the token must be USER:PROJECT[:ROLE,ROLE]')
    roles = parts[2].split(',') if len(parts) == 3 else []
    roles = [r.strip().lower() for r in roles if r.strip()]
    return parts[0], parts[1], roles or list(DEFAULT_ROLES)
