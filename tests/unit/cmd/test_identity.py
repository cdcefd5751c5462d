"""Who runs nova-fpga program: clouds.yaml, and the catalog Nova reads."""

import argparse
import os

import fixtures
from nova import context as nova_context
from nova import test

from nova_fpga.cmd import errors
from nova_fpga.cmd import identity
from nova_fpga import identity as catalogs

V3_CATALOG = [
    {'type': 'image', 'name': 'glance', 'id': 'g', 'endpoints': [
        {'interface': 'public', 'url': 'http://glance:9292',
         'region_id': 'RegionOne', 'region': 'RegionOne', 'id': '1'},
        {'interface': 'internal', 'url': 'http://glance-int:9292',
         'region_id': 'RegionOne', 'region': 'RegionOne', 'id': '2'},
        {'interface': 'public', 'url': 'http://glance-two:9292',
         'region_id': 'RegionTwo', 'region': 'RegionTwo', 'id': '3'}]},
    {'type': 'placement', 'name': 'placement', 'id': 'p', 'endpoints': [
        {'interface': 'public', 'url': 'http://placement',
         'region_id': 'RegionOne', 'region': 'RegionOne', 'id': '4'}]},
]


def parse(argv):
    parser = argparse.ArgumentParser()
    identity.register_arguments(parser, argv)
    return parser.parse_args(argv)


class CatalogTest(test.NoDBTestCase):

    def test_a_v3_catalog_in_the_form_nova_reads(self):
        self.assertEqual([
            {'type': 'image', 'name': 'glance', 'endpoints': [
                {'region': 'RegionOne', 'publicURL': 'http://glance:9292',
                 'internalURL': 'http://glance-int:9292'},
                {'region': 'RegionTwo',
                 'publicURL': 'http://glance-two:9292'}]},
            {'type': 'placement', 'name': 'placement', 'endpoints': [
                {'region': 'RegionOne', 'publicURL': 'http://placement'}]},
        ], catalogs.v2_catalog(V3_CATALOG))

    def test_nova_finds_glance_in_it(self):
        context = nova_context.RequestContext(
            user_id='u', project_id='p', auth_token='t',
            service_catalog=catalogs.v2_catalog(V3_CATALOG))
        plugin = context.get_auth_plugin()
        self.assertEqual('http://glance-int:9292', plugin.get_endpoint(
            None, service_type='image', interface='internal',
            region_name='RegionOne'))

    def test_a_v2_catalog_and_none_are_left_alone(self):
        v2 = catalogs.v2_catalog(V3_CATALOG)
        self.assertEqual(v2, catalogs.v2_catalog(v2))
        self.assertIsNone(catalogs.v2_catalog(None))


class CloudsYamlTest(test.NoDBTestCase):

    def setUp(self):
        super().setUp()
        for name in [n for n in os.environ if n.startswith('OS_')]:
            self.useFixture(fixtures.EnvironmentVariable(name))
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'clouds.yaml')
        with open(path, 'w') as f:
            f.write('clouds:\n  lab:\n    auth_type: admin_token\n'
                    '    auth:\n      endpoint: http://127.0.0.1:1\n'
                    '      token: lab-token\n')
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', path))

    def test_os_cloud_names_the_cloud(self):
        context = identity.request_context(parse(['--os-cloud', 'lab']))
        self.assertEqual('lab-token', context.auth_token)

    def test_the_environment_names_it_too(self):
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'lab'))
        context = identity.request_context(parse([]))
        self.assertEqual('lab-token', context.auth_token)

    def test_an_unknown_cloud_fails_to_authenticate(self):
        e = self.assertRaises(errors.Failure, identity.request_context,
                              parse(['--os-cloud', 'nowhere']))
        self.assertEqual(errors.AUTHENTICATION, e.code)
        self.assertIn('nowhere', str(e))
