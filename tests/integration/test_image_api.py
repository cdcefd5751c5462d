"""Bitstreams in a real Glance, read through Nova's own image API."""

import hashlib
import os
import urllib.error
import urllib.request

import fixtures
import glanceclient
import nova.conf
from nova import exception as nova_exception
from nova.image import glance as nova_glance
from oslo_config import fixture as config_fixture
import testtools

from demo import images
from tests.integration import base

SIZE = 4 << 20
INTERFACE_ID = '0123456789abcdef0123456789abcdef'
FUNCTION_ID = 'fedcba9876543210fedcba9876543210'


class ImageAPITest(testtools.TestCase):
    """One Glance for the class; the tests leave it as setUpClass made it.

    Project alpha owns a private bitstream and an untagged image; an admin
    of project ops published a public bitstream; project beta owns none.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.glance = base.GlanceFixture()
        cls.glance.setUp()
        cls.addClassCleanup(cls.glance.cleanUp)
        cls.url = cls.glance.server.url
        tmp = fixtures.TempDir()
        tmp.setUp()
        cls.addClassCleanup(tmp.cleanUp)
        cls.tmp = tmp.path

        path = os.path.join(cls.tmp, 'nlb0.bin')
        cls.data = base.write_random_file(path, SIZE)
        cls.alpha = images.request_context('alice', 'alpha')
        cls.beta = images.request_context('bob', 'beta')
        admin = images.request_context('root', 'ops', roles=['admin'])
        cls.private = images.upload_bitstream(
            cls.url, cls.alpha.auth_token, path, 'nlb0', 'intel',
            INTERFACE_ID, FUNCTION_ID, 'nlb0')
        cls.public = images.upload_bitstream(
            cls.url, admin.auth_token, path, 'nlb3', 'intel', INTERFACE_ID,
            FUNCTION_ID, 'nlb3', visibility='public')
        client = glanceclient.Client(endpoint=cls.url + '/v2',
                                     token=cls.alpha.auth_token)
        cls.untagged = client.images.create(
            name='cirros', disk_format='raw', container_format='bare')

    def setUp(self):
        super().setUp()
        self.useFixture(config_fixture.Config(nova.conf.CONF))
        images.use_glance(self.url)
        self.api = nova_glance.API()

    def ids(self, context, **filters):
        return {i['id'] for i in self.api.get_all(context, filters=filters)}

    def test_upload_tags_the_image_and_glance_hashes_it(self):
        self.assertEqual('active', self.private['status'])
        self.assertEqual(['FPGA'], self.private['tags'])
        self.assertEqual(('raw', 'bare'), (self.private['disk_format'],
                                           self.private['container_format']))
        self.assertEqual(('alpha', 'private'), (self.private['owner'],
                                                self.private['visibility']))
        self.assertEqual(SIZE, self.private['size'])
        self.assertEqual('sha512', self.private['os_hash_algo'])
        self.assertEqual(hashlib.sha512(self.data).hexdigest(),
                         self.private['os_hash_value'])

    def test_an_image_whose_upload_fails_is_deleted(self):
        before = self.ids(self.alpha)
        self.assertRaises(
            FileNotFoundError, images.upload_bitstream, self.url,
            self.alpha.auth_token, os.path.join(self.tmp, 'absent.bin'),
            'lost', 'intel', INTERFACE_ID, FUNCTION_ID, 'lost')
        self.assertEqual(before, self.ids(self.alpha))

    def test_get_shows_the_properties_and_the_hash(self):
        image = self.api.get(self.alpha, self.private['id'])
        self.assertEqual({'fpga_vendor': 'intel',
                          'fpga_interface_id': INTERFACE_ID,
                          'fpga_function_id': FUNCTION_ID,
                          'fpga_function': 'nlb0'}, image['properties'])
        self.assertEqual(self.private['os_hash_value'],
                         image['os_hash_value'])
        self.assertEqual('sha512', image['os_hash_algo'])
        self.assertFalse(image['is_public'])
        # Nova leaves tags out of an image: only a listing filters on them.
        self.assertNotIn('tags', image)

    def test_get_all_with_the_tag_filter_lists_bitstreams_only(self):
        everything = self.ids(self.alpha)
        self.assertIn(self.untagged['id'], everything)
        # Glance's filter wants a list of tags; glanceclient would take a
        # string for one tag per character.
        self.assertEqual({self.private['id'], self.public['id']},
                         self.ids(self.alpha, tag=['FPGA']))

    def test_get_all_filters_on_properties(self):
        self.assertEqual({self.private['id']},
                         self.ids(self.alpha, tag=['FPGA'],
                                  fpga_function='nlb0'))
        self.assertEqual(set(), self.ids(self.alpha, tag=['FPGA'],
                                         fpga_function='absent'))

    def test_download_writes_the_exact_bytes(self):
        dest = os.path.join(self.useFixture(fixtures.TempDir()).path, 'x')
        self.api.download(self.alpha, self.private['id'], dest_path=dest)
        with open(dest, 'rb') as f:
            self.assertEqual(self.data, f.read())

    def test_another_projects_private_bitstream_is_invisible(self):
        dest = os.path.join(self.useFixture(fixtures.TempDir()).path, 'x')
        self.assertRaises(nova_exception.ImageNotFound, self.api.get,
                          self.beta, self.private['id'])
        self.assertRaises(nova_exception.ImageNotFound, self.api.download,
                          self.beta, self.private['id'], dest_path=dest)
        self.assertFalse(os.path.exists(dest))
        self.assertEqual({self.public['id']},
                         self.ids(self.beta, tag=['FPGA']))

    def test_public_bitstream_is_visible_to_every_project(self):
        dest = os.path.join(self.useFixture(fixtures.TempDir()).path, 'x')
        image = self.api.get(self.beta, self.public['id'])
        self.assertTrue(image['is_public'])
        self.api.download(self.beta, self.public['id'], dest_path=dest)
        with open(dest, 'rb') as f:
            self.assertEqual(self.data, f.read())

    def test_identity_headers_a_client_sends_are_ignored(self):
        request = urllib.request.Request(
            '%s/v2/images/%s' % (self.url, self.private['id']),
            headers={'X-Auth-Token': self.beta.auth_token,
                     'X-Identity-Status': 'Confirmed',
                     'X-Project-Id': 'alpha', 'X-Tenant-Id': 'alpha',
                     'X-Roles': 'admin,member,reader'})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        error = self.assertRaises(urllib.error.HTTPError, opener.open,
                                  request, timeout=10)
        self.assertEqual(404, error.code)

    def test_a_token_that_names_no_project_is_refused(self):
        context = images.request_context('alice', 'alpha')
        context.auth_token = 'alice'
        self.assertRaises(nova_exception.ImageNotAuthorized, self.api.get,
                          context, self.private['id'])
