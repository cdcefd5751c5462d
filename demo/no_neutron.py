"""No Neutron: what Nova's services get instead of a Neutron client.

The demo cloud has no networking service; its servers boot with no
network (``--nic none``, or no ``networks`` before API 2.37). Nova still
asks Neutron about a server's ports and security groups (when it shows,
rebuilds or deletes one): here every such list is empty, the port quota
has no limit, and anything else fails as Neutron would if the thing were
not there.
"""

from neutronclient.common import exceptions

import nova.network.neutron


class NoNetworks:
    """A Neutron client for a cloud without networks."""

    def show_quota(self, project_id):
        """No limit on ports: asked when a server names no network.

        Before API 2.37 a server may name none; Nova then counts the
        ports it might need against the quota (there are none to make).
        """
        return {'quota': {'port': -1}}

    def __getattr__(self, name):
        if name.startswith('list_'):
            collection = name[len('list_'):]
            return lambda *args, **kwargs: {collection: []}

        def missing(*args, **kwargs):
            raise exceptions.NotFound(
                message='this cloud has no Neutron (%s)' % name)
        return missing


def install():
    """Every Neutron client this process makes is a NoNetworks."""
    nova.network.neutron.get_client = (
        lambda context, admin=False: NoNetworks())
