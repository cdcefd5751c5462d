"""The WSGI application of the cloud-wide FPGA API, and its routes.

Behind keystone: Nova's ``keystonecontext`` filter (or ours, standalone:
api.wsgi) leaves the caller's request context in ``nova.context``.
"""

import nova.conf
from nova.image import glance as nova_glance
from oslo_log import log as logging
from oslo_serialization import jsonutils
import routes
import webob
import webob.dec

from nova_fpga.api import bitstreams
from nova_fpga.api import compute_rpc
from nova_fpga.api import errors
from nova_fpga.api import listing
from nova_fpga.api import microversion
from nova_fpga.api import regions
from nova_fpga import conf as fpga_conf
from nova_fpga.regions import results

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF
fpga_conf.register_opts(CONF)

CONTEXT_KEY = 'nova.context'


def _versions(request, context=None):
    return {'versions': [{
        'id': 'v%s' % (microversion.MAX_VERSION,), 'status': 'CURRENT',
        'min_version': str(microversion.MIN_VERSION),
        'max_version': str(microversion.MAX_VERSION),
        'links': [{'rel': 'self', 'href': request.application_url + '/'}],
    }]}


class API:
    """Routes each request to its handler, as JSON, microversioned."""

    def __init__(self):
        region_handlers = regions.Regions(
            listing.Finder(), compute_rpc.ComputeRegions(
                CONF.fpga.api_timeout), CONF.api.max_limit)
        bitstream_handlers = bitstreams.Bitstreams(nova_glance.API())
        self.mapper = routes.Mapper()
        routes_ = (
            ('/', 'GET', _versions),
            ('/regions', 'GET', region_handlers.list),
            ('/regions/{uuid}', 'GET', region_handlers.show),
            ('/regions/{uuid}', 'POST', region_handlers.program),
            ('/regions/{uuid}/scrub', 'POST', region_handlers.scrub),
            ('/bitstreams', 'GET', bitstream_handlers.list))
        for path, method, handler in routes_:
            self.mapper.connect(path, handler=handler,
                                conditions={'method': [method]})
        self.methods = sorted({method for _, method, _ in routes_})

    @webob.dec.wsgify
    def __call__(self, request):
        try:
            version = microversion.of(request)
        except microversion.Unacceptable as e:
            return errors.response(request, results.USAGE, str(e), 406)
        # Every answer to a version served carries it, errors too.
        response = self._respond(request)
        response.headers[microversion.HEADER] = microversion.header(version)
        response.headers['Vary'] = microversion.HEADER
        return response

    def _respond(self, request):
        match = self.mapper.match(environ=request.environ)
        if match is None:
            path = request.path_info.rstrip('/') or '/'
            allowed = [method for method in self.methods
                       if self.mapper.match(environ=dict(
                           request.environ, REQUEST_METHOD=method))]
            if allowed:
                response = errors.response(
                    request, results.USAGE, 'method %s is not allowed on %s'
                    % (request.method, path), 405)
                response.headers['Allow'] = ', '.join(allowed)
                return response
            return errors.response(request, results.NO_SUCH_REGION,
                                   'no such resource: %s' % request.path_info)
        handler = match.pop('handler')
        match.pop('action', None)
        context = request.environ.get(CONTEXT_KEY)
        if context is None:
            return errors.response(request, results.AUTHENTICATION,
                                   'authentication required')
        try:
            body = handler(request, context, **match)
        except errors.Refused as e:
            LOG.info('%s %s refused (%d): %s', request.method,
                     request.path_info, e.code, e)
            return errors.response(request, e.code, str(e))
        # Whatever else fails, the answer is the error document (code 1).
        except Exception as e:
            LOG.exception('%s %s failed', request.method, request.path_info)
            return errors.response(request, results.UNKNOWN,
                                   'unexpected error: %s' % e)
        return webob.Response(content_type='application/json',
                              charset='utf-8',
                              body=jsonutils.dump_as_bytes(body))


def app_factory(global_conf, **local_conf):
    """paste.deploy's factory: ``paste.app_factory`` in api-paste.ini."""
    return API()
