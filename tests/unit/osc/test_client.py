"""The plugin module and the REST client: endpoint, headers, errors."""

import argparse

import fixtures
from osc_lib import exceptions

from nova_fpga.osc import client
from nova_fpga.osc import plugin
from tests.unit.osc import fakes


class PluginTest(fakes.TestCase):

    def test_requests_carry_the_token_and_microversion(self):
        self.requests.get(fakes.FPGA + '/bitstreams', json={'bitstreams': []})
        self.assertEqual([], self.manager.fpga.list_bitstreams())
        [request] = self.api_requests()
        self.assertEqual('fpga 1.0', request.headers['OpenStack-API-Version'])
        self.assertEqual(fakes.TOKEN, request.headers['X-Auth-Token'])

    def test_the_shells_region_and_interface_choose_the_endpoint(self):
        url = 'http://nova-two.example.com/fpga/bitstreams'
        self.requests.get(url, json={'bitstreams': []})
        self.manager.region_name = 'RegionTwo'
        self.manager.interface = 'internal'
        plugin.make_client(self.manager).list_bitstreams()
        self.assertEqual(url, self.requests.last_request.url)

    def test_an_unsupported_version_is_refused(self):
        self.manager._api_version = {'fpga': '1.1'}
        error = self.assertRaises(exceptions.UnsupportedVersion,
                                  plugin.make_client, self.manager)
        self.assertIn('1.1 is not supported; supported: 1.0', str(error))

    def test_the_version_option_defaults_to_the_environment(self):
        self.useFixture(fixtures.EnvironmentVariable('OS_FPGA_API_VERSION'))
        parser = plugin.build_option_parser(argparse.ArgumentParser())
        self.assertEqual('1.0', parser.parse_args([]).os_fpga_api_version)
        self.assertEqual('1.2', parser.parse_args(
            ['--os-fpga-api-version', '1.2']).os_fpga_api_version)
        self.useFixture(
            fixtures.EnvironmentVariable('OS_FPGA_API_VERSION', '1.3'))
        parser = plugin.build_option_parser(argparse.ArgumentParser())
        self.assertEqual('1.3', parser.parse_args([]).os_fpga_api_version)


class ErrorTest(fakes.TestCase):

    def test_an_api_error_tells_status_code_and_detail(self):
        detail = "Policy doesn't allow fpga:bitstreams:list to be performed."
        self.requests.get(fakes.FPGA + '/bitstreams', status_code=403,
                          json=fakes.error(403, 8, detail))
        error = self.assertRaises(exceptions.CommandError,
                                  self.manager.fpga.list_bitstreams)
        self.assertEqual('HTTP 403 (code 8): ' + detail, str(error))
        self.assertEqual((403, 8, detail),
                         (error.status, error.code, error.detail))

    def test_an_answer_not_from_the_api_tells_its_text(self):
        self.requests.get(fakes.FPGA + '/bitstreams', status_code=502,
                          text='upstream went away\n')
        error = self.assertRaises(client.APIError,
                                  self.manager.fpga.list_bitstreams)
        self.assertEqual('HTTP 502: upstream went away', str(error))
        self.assertIsNone(error.code)
