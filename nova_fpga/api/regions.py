"""Handlers of /regions: list, show, program and scrub FPGA regions."""

import itertools
import urllib.parse

from oslo_log import log as logging

from nova_fpga.api import compute_rpc
from nova_fpga.api import errors
from nova_fpga.api import listing
from nova_fpga.api import policies
from nova_fpga.api import policy
from nova_fpga.api import schemas
from nova_fpga.regions import operations
from nova_fpga.regions import results

LOG = logging.getLogger(__name__)

FILTERS = {'host': 'host', 'vendor': 'vendor', 'board': 'board',
           'function': 'function_id', 'interface': 'interface_id',
           'state': 'state'}


def _authorize(context, rule):
    if not policy.allowed(context, rule):
        raise errors.Refused(results.FORBIDDEN,
                             'Policy does not allow %s' % rule)


def _own(context, region):
    holder = region.get('holder') or {}
    return holder.get('project_id') == context.project_id


def _no_such(uuid):
    return errors.Refused(results.NO_SUCH_REGION,
                          'FPGA region %s: no such region' % uuid)


def _limit(request, max_limit):
    try:
        limit = int(request.GET.get('limit', max_limit))
    except ValueError:
        raise errors.Refused(results.USAGE, 'limit must be an integer')
    if limit < 1:
        raise errors.Refused(results.USAGE, 'limit must be at least 1')
    return min(limit, max_limit)


def _filters(request):
    """``{region key: value}`` of the query's filters; Refused if bad."""
    unknown = set(request.GET) - set(FILTERS) - {'limit', 'marker'}
    if unknown:
        raise errors.Refused(results.USAGE, 'unknown query parameter(s): %s'
                             % ', '.join(sorted(unknown)))
    state = request.GET.get('state')
    if state is not None and state not in operations.STATES:
        raise errors.Refused(results.USAGE, 'state must be one of %s' %
                             ', '.join(operations.STATES))
    return {key: request.GET[name] for name, key in FILTERS.items()
            if name in request.GET}


def _matches(region, wanted):
    return all((region.get(key) or '') == value
               for key, value in wanted.items())


class Regions:
    """The handlers of /regions.

    ``finder``: a listing.Finder; ``computes``: a
    compute_rpc.ComputeRegions; ``max_limit``: the longest page.
    """

    def __init__(self, finder, computes, max_limit):
        self.finder = finder
        self.computes = computes
        self.max_limit = max_limit

    def list(self, request, context):
        _authorize(context, policies.LIST)
        wanted = _filters(request)
        limit = _limit(request, self.max_limit)
        marker = request.GET.get('marker')
        everyone = policy.allowed(context, policies.LIST_ALL)
        regions = (r for r in listing.all_regions(context,
                                                  request.GET.get('host'))
                   if (everyone or _own(context, r)) and _matches(r, wanted))
        if marker is not None:
            for region in regions:
                if region['uuid'] == marker:
                    break
            else:
                raise errors.Refused(results.USAGE, 'marker %s is no region '
                                     'of this list' % marker)
        # One more than the page: whether there is a next one.
        found = list(itertools.islice(regions, limit + 1))
        page = {'regions': found[:limit]}
        if len(found) > limit:
            query = dict(request.GET, marker=page['regions'][-1]['uuid'],
                         limit=limit)
            page['regions_links'] = [{'rel': 'next', 'href': '%s?%s' % (
                request.path_url, urllib.parse.urlencode(sorted(
                    query.items())))}]
        return page

    def _find(self, context, uuid):
        """``(host, region as listed)``; refused if none the caller sees."""
        try:
            node, region = self.finder.find(context, uuid)
        except listing.NotFound:
            raise _no_such(uuid)
        except listing.PlacementUnavailable as e:
            raise errors.Refused(results.UNAVAILABLE, 'FPGA region %s: '
                                 'Placement cannot be asked: %s' % (uuid, e))
        return node.host, region

    def _ask(self, context, uuid, host, call, *args):
        try:
            answer = call(context, host, *args)
        except compute_rpc.Unavailable as e:
            raise errors.Refused(results.UNAVAILABLE,
                                 'FPGA region %s: %s' % (uuid, e))
        refused = compute_rpc.refusal_of(answer)
        if refused:
            code, msg = refused
            if code == results.UNAVAILABLE:
                # The compute dropped it (too late): say which compute.
                msg = '%s (host %s)' % (msg, host)
            raise errors.Refused(code, msg)
        return answer

    def show(self, request, context, uuid):
        _authorize(context, policies.SHOW)
        host, listed = self._find(context, uuid)
        sees_all = policy.allowed(context, policies.LIST_ALL)
        try:
            answer = self._ask(context, uuid, host, self.computes.show,
                               listed['identifier'])
        except errors.Refused as e:
            # Its compute cannot say who holds it now: by the last report,
            # one another project holds is not there for the caller, whose
            # error would name its host.
            if e.code == results.UNAVAILABLE and not (
                    sees_all or _own(context, listed)):
                raise _no_such(uuid)
            raise
        region = dict(listed, **answer['region'])
        if not (sees_all or _own(context, region)):
            # As for a server of another project: none the caller sees.
            raise _no_such(uuid)
        return {'region': region}

    def _grant(self, context, rule, body):
        """``(project, force)``: what the compute is to allow."""
        _authorize(context, rule)
        force = body.get('force', False)
        if force:
            _authorize(context, policies.FORCE)
        if policy.allowed(context, policies.PROGRAM_ANY):
            return None, force
        return context.project_id, force

    def program(self, request, context, uuid):
        body = schemas.extract(request, schemas.PROGRAM)
        project, force = self._grant(context, policies.PROGRAM, body)
        host, listed = self._find(context, uuid)
        image_id = body['glance_bitstream_uuid']
        LOG.info('FPGA region %s (%s on host %s): programming bitstream '
                 'image %s for project %s%s', uuid, listed['identifier'],
                 host, image_id, context.project_id,
                 ', forced' if force else '')
        answer = self._ask(context, uuid, host, self.computes.program,
                           listed['identifier'], image_id, project, force)
        return self._done(listed, answer)

    def scrub(self, request, context, uuid):
        body = schemas.extract(request, schemas.SCRUB)
        project, force = self._grant(context, policies.SCRUB, body)
        host, listed = self._find(context, uuid)
        answer = self._ask(context, uuid, host, self.computes.scrub,
                           listed['identifier'], body.get('mode'), project,
                           force)
        return self._done(listed, answer)

    @staticmethod
    def _done(listed, answer):
        return {'code': answer['code'], 'msg': answer['msg'],
                'outcome': answer.get('outcome'),
                'region': dict(listed, **answer['region'])}
