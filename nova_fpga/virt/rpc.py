"""The compute's RPC endpoint for the cloud-wide FPGA API.

On Nova's own transport: topic ``nova-fpga``, server the compute's host.
The API calls it (api.compute_rpc) with the caller's request context, so
a bitstream is fetched with the caller's token and Glance decides whether
the caller may use it. A request carries its deadline: one the compute
takes too late (it was down, the API has answered 503) is dropped, never
done behind the caller's back.
"""

import time

from nova import rpc
from oslo_log import log as logging
import oslo_messaging as messaging

from nova_fpga.regions import lifecycle
from nova_fpga.regions import results

LOG = logging.getLogger(__name__)

TOPIC = 'nova-fpga'
VERSION = '1.0'


def _expired(deadline, identifier, what):
    if deadline is not None and time.time() > deadline:
        LOG.warning('FPGA region %s: %s dropped, it came after its '
                    'deadline', identifier, what)
        return {'code': results.UNAVAILABLE,
                'msg': 'FPGA region %s: %s came after its deadline and was '
                       'not done' % (identifier, what)}
    return None


class RegionsEndpoint:
    """Show, program and scrub this host's regions (regions.operations)."""

    target = messaging.Target(version=VERSION)

    def __init__(self, operations, scrub_mode):
        self.operations = operations
        self.scrub_mode = scrub_mode

    def show_region(self, context, identifier):
        return self.operations.view(identifier)

    def program_region(self, context, identifier, image_id, project=None,
                       force=False, deadline=None):
        return (_expired(deadline, identifier, 'programming') or
                self.operations.program(context, identifier, image_id,
                                        project=project, force=force))

    def scrub_region(self, context, identifier, mode=None, project=None,
                     force=False, deadline=None):
        mode = mode or self.scrub_mode
        return (_expired(deadline, identifier, 'scrub (%s)' % mode) or
                self.operations.scrub(identifier, mode,
                                      lifecycle.caller_of(context),
                                      project=project, force=force))


def start(host, operations, scrub_mode):
    """Serve ``operations`` for ``host``; the server, to stop it later."""
    server = rpc.get_server(messaging.Target(topic=TOPIC, server=host),
                            [RegionsEndpoint(operations, scrub_mode)])
    server.start()
    LOG.info('Serving the FPGA API\'s requests for host %s on topic %s',
             host, TOPIC)
    return server
