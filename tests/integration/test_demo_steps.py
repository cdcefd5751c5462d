"""The demo's steps on the demo's cloud, each result checked here too.

The steps check themselves; these tests look again from elsewhere where
they can (the simulated hardware's own state, another project's view of
Glance), and make sure a step's own check fails when it should.
"""

import errno
import io
import json
import os

import fixtures

import nova.conf
from nova.tests.functional.api import client

from nova_fpga.bitstream import headers
from nova_fpga.cmd import manage
from nova_fpga.demo import cloud
from nova_fpga.demo import identity
from nova_fpga.demo import images
from nova_fpga.demo import inspection
from nova_fpga.demo import scenario
from nova_fpga.demo import steps

CONF = nova.conf.CONF
INTEL, XILINX = (host.name for host in scenario.HOSTS)


def steps_titled(prefix):
    return [s for s in steps.STEPS if s.title.startswith(prefix)]


class DemoStepsTest(cloud.Cloud):

    def setUp(self):
        super().setUp()
        self.demo = steps.Demo(self)

    def loaded(self, hostname):
        """``{region identifier: function id}`` as the simulator keeps it."""
        return {'%s_%s' % (device.address, region.name): region.function_id
                for device in self.fpga_hosts[hostname].expected().devices
                for region in device.regions}

    def glance_names(self, token, **filters):
        glance = images.client(self.glance_url, token)
        return sorted(i['name'] for i in glance.images.list(filters=filters))

    def usages(self):
        return {name: p.used for name, p in
                inspection.fpga_providers(self).items()}

    def region_uuids(self, server_id):
        return [p.uuid for p in inspection.allocated_regions(self, server_id)]

    def prepare(self):
        """Configure, start the computes, upload, create flavors."""
        first_boot = steps.STEPS.index(steps_titled('Booting')[0])
        for step in steps.STEPS[:first_boot]:
            step(self.demo)

    def boot_all(self):
        for step in steps_titled('Booting'):
            step(self.demo)

    def test_each_step_does_what_it_says(self):
        steps.configure_computes(self.demo)
        self.assertEqual('blank', CONF.fpga.scrub_on_release)
        self.assertEqual(
            {scenario.BLANKS[kind].function_id
             for kind in ('n6000', 'u250')},
            {headers.parse(path).function_id
             for path in CONF.fpga.blank_bitstreams.values()})

        for step in steps_titled('Starting'):
            step(self.demo)
        self.assertEqual({INTEL: 2, XILINX: 1}, {
            host: len(self.loaded(host)) for host in (INTEL, XILINX)})

        result = steps.list_providers(self.demo)
        self.assertEqual('3 regions, 2 vendors', result.line)
        for name in self.usages():
            host, _, region = name.partition('_FPGA_')
            self.assertIn(region, result.tables[0])

        steps.upload_bitstreams(self.demo)
        steps.upload_vm_images(self.demo)
        # Another project sees the public bitstreams, not alice's images.
        self.assertEqual(['dma', 'nlb3', 'vadd'], self.glance_names(
            identity.make_token('bob', 'other')))
        self.assertEqual(['dma', 'nlb3', 'vadd'], self.glance_names(
            self.demo.user.token, tag=['FPGA']))

        steps.create_flavors(self.demo)
        self.assertEqual(
            self.demo.images['nlb3']['id'],
            self.demo.user.get_extra_specs(
                self.demo.flavors['fpga.intel.nlb3'])['fpga:bitstream'])

        self.boot_all()
        for spec in scenario.SERVERS:
            server = self.demo.user.get_server(
                self.demo.servers[spec.name]['id'])
            self.assertEqual('ACTIVE', server['status'])
        self.assertEqual([1, 1, 1], list(self.usages().values()))
        # Both Intel regions run nlb3, whichever server got which.
        nlb3 = scenario.bitstream('nlb3').function_id
        vadd = scenario.bitstream('vadd').function_id
        self.assertEqual([nlb3, nlb3], list(self.loaded(INTEL).values()))
        self.assertEqual([vadd], list(self.loaded(XILINX).values()))

        result = steps.show_servers(self.demo)
        self.assertEqual('3 regions loaded, traits updated, hostdevs '
                         'defined', result.line)
        for spec in scenario.SERVERS:
            self.assertIn(spec.name, result.tables[0])
        self.assertEqual(3, result.tables[1].count('<hostdev '))

        rebuilt = self.demo.servers[scenario.REBUILD.name]['id']
        before = self.region_uuids(rebuilt)
        steps.rebuild(scenario.REBUILD)(self.demo)
        self.assertEqual(self.demo.images['vm-dma']['id'],
                         self.demo.user.get_server(rebuilt)['image']['id'])
        self.assertEqual(before, self.region_uuids(rebuilt))
        dma = scenario.bitstream('dma').function_id
        self.assertEqual(sorted([nlb3, dma]),
                         sorted(self.loaded(INTEL).values()))

        result = steps.delete_servers(self.demo)
        self.assertEqual('3 regions free (usage 0) and blank', result.line)
        self.assertEqual([], self.demo.user.get_servers())
        self.assertEqual([0, 0, 0], list(self.usages().values()))
        self.assertEqual({scenario.BLANKS['n6000'].function_id},
                         set(self.loaded(INTEL).values()))
        self.assertEqual({scenario.BLANKS['u250'].function_id},
                         set(self.loaded(XILINX).values()))

        steps.delete_flavors_and_images(self.demo)
        self.assertEqual([], self.glance_names(self.demo.operator.token))
        self.assertFalse(
            set(scenario.FLAVORS) &
            {f['name'] for f in self.demo.user.get_flavors()})

    def test_nova_fpga_status_on_each_host_names_its_servers(self):
        self.prepare()
        self.boot_all()
        held = {}
        for hostname, host in sorted(self.fpga_hosts.items()):
            out = io.StringIO()
            self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
            self.assertEqual(0, manage.run(CONF, manage.parse([
                'status', '--node', hostname, '--format', 'json',
                '--sysfs-root', host.sysfs_root, '--dev-root', host.dev_root,
                '--state-dir', os.path.join(host.root, 'state')])))
            for region in json.loads(out.getvalue())['regions']:
                for holder in region['placement']['holders']:
                    held[holder['consumer']] = hostname
                    # The image the demo's boot loaded, by name.
                    self.assertTrue(region['loaded_image']['image_name'])
        self.assertEqual({s['id'] for s in self.demo.user.get_servers()},
                         set(held))
        self.assertEqual(set(self.fpga_hosts), set(held.values()))

    def test_a_region_running_something_else_fails_the_step(self):
        self.prepare()
        self.boot_all()
        server = self.demo.servers['fpga-by-function']
        [provider] = inspection.allocated_regions(self, server['id'])
        self.fpga_hosts[XILINX].set_function(
            provider.region.split('_')[0], 0, 'f' * 31 + '0')
        error = self.assertRaises(steps.StepFailed, steps.show_servers,
                                  self.demo)
        self.assertIn('region %s %s of server fpga-by-function runs %s' % (
            XILINX, provider.region, 'f' * 31 + '0'), str(error))

    def test_a_server_that_goes_to_error_fails_its_boot_step(self):
        self.prepare()
        host = self.fpga_hosts[XILINX]
        [device] = host.expected().devices
        host.inject_fault(device.address, 'program', errno.EIO, count=10)
        [boot] = steps_titled('Booting fpga-by-function')
        error = self.assertRaises(steps.StepFailed, boot, self.demo)
        self.assertIn('server fpga-by-function is ERROR', str(error))

    def test_nova_api_takes_who_the_token_names_and_nothing_else(self):
        admin = self.client('root', 'ops', ('admin',))
        self.assertEqual(200, admin.api_get('/os-hypervisors').status)
        bob = self.client('bob', 'other')
        # Identity headers a client sends are ignored.
        error = self.assertRaises(
            client.OpenStackApiException, bob.api_get, '/os-hypervisors',
            headers={'X-User-Id': 'root', 'X-Project-Id': 'ops',
                     'X-Roles': 'admin'})
        self.assertEqual(403, error.response.status_code)
        bob.token = 'bob'
        self.assertRaises(client.OpenStackApiAuthorizationException,
                          bob.api_get, '/servers')
