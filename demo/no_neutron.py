"""No Neutron: what Nova's services get instead of a Neutron client.

The demo cloud has no networking service; its servers boot with no
network (``--nic none``). Nova still asks Neutron about a server's ports
and security groups (when it shows, rebuilds or deletes one): here every
such list is empty, and anything else fails as Neutron would if the
thing were not there.
"""

from neutronclient.common import exceptions

import nova.network.neutron


class NoNetworks:
    """A Neutron client for a cloud without networks."""

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
