"""The API's answers that are no success: an HTTP status and a body.

The body is Placement's error document with seed 002's integer code of
regions.results in each error's ``code``.
"""

import http

from oslo_serialization import jsonutils
import webob

from nova_fpga.regions import results

STATUS = {
    results.UNKNOWN: 500,
    results.NO_SUCH_REGION: 404,
    results.BITSTREAM_UNAVAILABLE: 422,
    results.INCOMPATIBLE: 422,
    results.IN_USE: 409,
    results.UNHEALTHY: 409,
    results.AUTHENTICATION: 401,
    results.FORBIDDEN: 403,
    results.UNAVAILABLE: 503,
    results.USAGE: 400,
}


class Refused(Exception):
    """The request failed with ``code`` (regions.results)."""

    def __init__(self, code, detail):
        super().__init__(detail)
        self.code = code
        self.status = STATUS.get(code, 500)


def response(request, code, detail, status=None):
    """The error document; ``status`` when the code's own does not fit."""
    status = status or STATUS.get(code, 500)
    body = {'errors': [{
        'status': status, 'title': http.HTTPStatus(status).phrase,
        'detail': detail, 'code': code,
        'request_id': request.environ.get('openstack.request_id')}]}
    return webob.Response(status=status, content_type='application/json',
                          charset='utf-8', body=jsonutils.dump_as_bytes(body))
