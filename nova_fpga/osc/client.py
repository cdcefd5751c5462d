"""A small REST client of the cloud-wide FPGA API.

It rides the shell's keystoneauth session, so the token, TLS settings and
catalog lookup are those of every other ``openstack`` command.
"""

from urllib import parse

from keystoneauth1 import adapter
from osc_lib import exceptions
from oslo_utils import uuidutils


class APIError(exceptions.CommandError):
    """A non-2xx answer: its HTTP status, the API's code and detail."""

    def __init__(self, status, code, detail):
        self.status = status
        self.code = code
        self.detail = detail
        if code is None:
            message = 'HTTP %s: %s' % (status, detail)
        else:
            message = 'HTTP %s (code %s): %s' % (status, code, detail)
        super().__init__(message)

    @classmethod
    def from_response(cls, response):
        try:
            error = response.json()['errors'][0]
        except (ValueError, LookupError, TypeError):
            # Not the API's own answer (a proxy's page, say): its text is
            # all there is to tell.
            return cls(response.status_code, None,
                       response.text.strip() or response.reason)
        return cls(response.status_code, error.get('code'),
                   error.get('detail'))


def _next_link(body):
    return next((link['href'] for link in body.get('regions_links', ())
                 if link.get('rel') == 'next'), None)


class Client(object):
    """The FPGA API at one microversion, and Glance for image names."""

    def __init__(self, session, interface=None, region_name=None,
                 api_version='1.0'):
        self.api_version = api_version
        # The adapter sends "OpenStack-API-Version: fpga <version>".
        self._api = adapter.Adapter(
            session, service_type='fpga', interface=interface,
            region_name=region_name, default_microversion=api_version)
        self._images = adapter.Adapter(
            session, service_type='image', interface=interface,
            region_name=region_name)

    def _request(self, method, url, **kwargs):
        response = self._api.request(url, method, raise_exc=False, **kwargs)
        if response.status_code >= 400:
            raise APIError.from_response(response)
        return response.json()

    def list_regions(self, limit=None, marker=None, **filters):
        """Regions matching the filters: one page with a limit, else all.

        Without a limit the API's page size applies and its next links
        are followed to the last page; a link carries its own query.
        """
        params = dict(filters, limit=limit, marker=marker)
        body = self._request('GET', '/regions', params={
            key: value for key, value in params.items() if value is not None})
        regions = body['regions']
        while limit is None and (link := _next_link(body)):
            body = self._request('GET', link)
            regions.extend(body['regions'])
        return regions

    def show_region(self, uuid):
        return self._request('GET', _region_path(uuid))['region']

    def program_region(self, uuid, image_id, force=False):
        """Load an image's bitstream; the answer holds outcome and region."""
        body = {'glance_bitstream_uuid': image_id}
        # Sent only when asked for: the policy on it is admin only.
        if force:
            body['force'] = True
        return self._request('POST', _region_path(uuid), json=body)

    def scrub_region(self, uuid, mode=None, force=False):
        body = {}
        if mode:
            body['mode'] = mode
        if force:
            body['force'] = True
        return self._request('POST', _region_path(uuid) + '/scrub',
                             json=body)

    def list_bitstreams(self):
        return self._request('GET', '/bitstreams')['bitstreams']

    def image_id(self, name_or_id):
        """An image's id, from its name among those Glance shows the caller.

        An id-looking value is taken as it is, without asking Glance.
        """
        if uuidutils.is_uuid_like(name_or_id):
            return name_or_id
        images = self._images.get(
            '/v2/images', params={'name': name_or_id}).json()['images']
        if not images:
            raise exceptions.CommandError(
                "No image named '%s' is visible to you" % name_or_id)
        if len(images) > 1:
            raise exceptions.CommandError(
                "More than one image is named '%s': give its ID"
                % name_or_id)
        return images[0]['id']


def _region_path(uuid):
    return '/regions/%s' % parse.quote(uuid, safe='')
