"""Request identity for the demo Glance: a paste filter run in glance-api.

It stands where keystone's auth_token and Glance's context middleware
would in the pipeline demo.glance writes: the token alone names
the caller (demo.identity), identity headers a client sends are
never read, and Glance's own policy decides the rest, so one project's
private images stay hidden from another. Anyone who can reach the port
can claim any project: loopback demo and tests only.
"""

import urllib.parse

from glance.api.middleware import context
from glance.api import policy
import glance.context
import webob.exc

from demo import identity


class TokenContextMiddleware(context.BaseContextMiddleware):

    def __init__(self, app):
        super().__init__(app)
        self.policy_enforcer = policy.Enforcer()

    def process_request(self, req):
        # python-glanceclient %-encodes the token (':' and ',' too).
        token = urllib.parse.unquote(req.headers.get('X-Auth-Token', ''))
        try:
            user, project, roles = identity.parse_token(token)
        except ValueError as e:
            raise webob.exc.HTTPUnauthorized(explanation=str(e))
        req.context = glance.context.RequestContext(
            user_id=user, project_id=project, roles=roles,
            auth_token=token, policy_enforcer=self.policy_enforcer)
