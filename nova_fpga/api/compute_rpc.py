"""The API's client of the computes' RPC endpoint (virt.rpc)."""

import time

from nova.compute import api as compute_api
from nova import rpc
from nova import servicegroup
import oslo_messaging as messaging

from nova_fpga.regions import results
from nova_fpga.virt import rpc as endpoint


class Unavailable(Exception):
    """The compute does not answer; the message names it."""


class ComputeRegions:
    """Calls to the compute of a region, each within ``timeout`` seconds."""

    def __init__(self, timeout):
        self.timeout = timeout
        self.servicegroup = servicegroup.API()
        self.host_api = compute_api.HostAPI(servicegroup_api=self.servicegroup)
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = rpc.get_client(messaging.Target(
                topic=endpoint.TOPIC, version=endpoint.VERSION))
        return self._client

    def _call(self, context, host, method, **kwargs):
        """The compute's answer; Unavailable when down or silent.

        A compute its service group says is down is not asked: the
        request would wait in its queue until it came back.
        """
        service = self.host_api.service_get_by_compute_host(
            context.elevated(), host)
        if not self.servicegroup.service_is_up(service):
            raise Unavailable('the nova-compute service of host %s is down' %
                              host)
        cctxt = self.client.prepare(server=host, timeout=self.timeout)
        try:
            return cctxt.call(context, method, **kwargs)
        except messaging.MessagingTimeout as e:
            raise Unavailable('host %s did not answer within %d s' % (
                host, self.timeout)) from e
        except messaging.MessagingException as e:
            raise Unavailable('host %s cannot be reached: %s' % (
                host, e)) from e

    def show(self, context, host, identifier):
        return self._call(context, host, 'show_region', identifier=identifier)

    def program(self, context, host, identifier, image_id, project, force):
        return self._call(context, host, 'program_region',
                          identifier=identifier, image_id=image_id,
                          project=project, force=force,
                          deadline=time.time() + self.timeout)

    def scrub(self, context, host, identifier, mode, project, force):
        return self._call(context, host, 'scrub_region',
                          identifier=identifier, mode=mode, project=project,
                          force=force, deadline=time.time() + self.timeout)


def refusal_of(answer):
    """``(code, msg)`` of a compute's answer that is no success, or None."""
    if answer.get('code', results.UNKNOWN) == results.OK:
        return None
    return answer.get('code', results.UNKNOWN), answer.get('msg')
