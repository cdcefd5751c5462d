"""The API's policy enforcer: nova.conf's [oslo_policy], our defaults."""

from oslo_policy import policy

import nova.conf

from nova_fpga.api import policies

_ENFORCER = None


def get_enforcer():
    """The enforcer, for oslopolicy-sample-generator and the API."""
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = policy.Enforcer(nova.conf.CONF)
        _ENFORCER.register_defaults(policies.list_rules())
    return _ENFORCER


def allowed(context, rule):
    """Whether ``context`` passes ``rule``, on its own project."""
    return get_enforcer().enforce(
        rule, {'project_id': context.project_id}, context)
