"""The demo cloud's separate services, driven with the openstack client.

One cloud for the module (it takes a minute or more to start): the
other project's attempt on a private bitstream, then the demo's steps,
each result checked here too where another view can tell (the simulated
hardware's own state, another project's view of Glance).
"""

from concurrent import futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from keystoneauth1 import adapter
from keystoneauth1 import session as ks_session
from oslo_utils import uuidutils
import testtools

from demo import bitstreams
from demo import inspection
from demo import osc
from demo import scenario
from demo import services
from demo import steps
from nova_fpga import model
from nova_fpga import placement
from nova_fpga import simulator

INTEL, XILINX = (host.name for host in scenario.HOSTS)
OTHER = scenario.OTHER
# A compute of its own with pooled providers, and the trait its flavor
# asks for, which no other compute has.
POOLED = 'compute-pooled'
POOLED_TRAIT = 'CUSTOM_FPGA_DEMO_POOLED'
POOLED_FUNCTION = '9e0f1a2b3c4d5e6f708192a3b4c5d6e7'
CLOUD = None
# Nova's API, straight, where the client would ask Glance too.
COMPUTE = {'service_type': 'compute', 'interface': 'public'}
# A server with no network needs compute API 2.37.
NETWORKS_NONE = {'OpenStack-API-Version': 'compute 2.37'}


def setUpModule():
    global CLOUD
    workdir = tempfile.mkdtemp(prefix='nova-fpga-cloud-')
    CLOUD = services.Cloud(workdir)
    try:
        CLOUD.start()
        for person in (scenario.USER, OTHER):
            CLOUD.add_person(*person)
        demo = steps.Demo(CLOUD)
        steps.configure_computes(demo)
        for host in scenario.HOSTS:
            steps.start_compute(host)(demo)
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    errors = CLOUD.stop()
    shutil.rmtree(CLOUD.workdir, ignore_errors=True)
    if errors:
        raise RuntimeError('stopping the cloud: %s' % '; '.join(errors))


def simulated(hostname, gpus=False):
    """The FPGA cards (or GPUs) the simulator keeps for ``hostname``."""
    return [device for device in CLOUD.fpga_hosts[hostname].expected().devices
            if device.is_gpu == gpus]


def loaded(hostname):
    """``{region identifier: function id}`` as the simulator keeps it."""
    return {'%s_%s' % (device.address, region.name): region.function_id
            for device in simulated(hostname) for region in device.regions}


def providers(marker='_FPGA_'):
    """``{name: uuid}`` of the providers with ``marker`` in their name."""
    return {rp['name']: rp['uuid']
            for rp in CLOUD.placement.get('/resource_providers').json()[
                'resource_providers'] if marker in rp['name']}


def usages(marker='_FPGA_'):
    return {name: sum(CLOUD.placement.get(
        '/resource_providers/%s/usages' % uuid).json()['usages'].values())
        for name, uuid in providers(marker).items()}


class CloudTestBase(testtools.TestCase):
    """The cloud as the demo's people see it."""

    def setUp(self):
        super().setUp()
        self.demo = steps.Demo(CLOUD)
        self.other = osc.Client(CLOUD.clouds_yaml, OTHER.user)
        CLOUD.check_running()

    def delete_server(self, client, name):
        """Delete the server ``name`` if it is still there."""
        if name in [s['Name'] for s in client.json('server', 'list')]:
            client.run('server', 'delete', '--wait', name)

    def load_flavor_and_image(self, name, specs):
        flavor = steps.create_flavor(self.demo.operator, name, specs)
        self.addCleanup(self.demo.operator.run, 'flavor', 'delete',
                        flavor['id'])
        vm = steps.create_image(self.demo.user, self.demo.write(
            name + '.img', b'\0' * 4096), name + '-vm')
        self.addCleanup(self.demo.user.run, 'image', 'delete', vm['id'])
        return name, name + '-vm'


class CloudTest(CloudTestBase):

    def test_a_private_bitstream_of_another_project_is_refused(self):
        # alice's own bitstream, private to her project.
        vadd = scenario.bitstream('vadd')
        path = self.demo.write('private-vadd.bin', bitstreams.make(
            vadd.kind, vadd.function_id, 'private-vadd'))
        image = steps.create_image(
            self.demo.user, path, 'private-vadd', tags=['FPGA'],
            **scenario.bitstream_properties(vadd))
        self.addCleanup(self.demo.user.run, 'image', 'delete', image['id'])
        # bob cannot see it, by id or in the list.
        self.assertNotIn('private-vadd', [
            i['Name'] for i in self.other.json('image', 'list')])
        self.assertRaises(osc.CommandFailed, self.other.run, 'image',
                          'show', image['id'])

        flavor = steps.create_flavor(self.demo.operator, 'private-by-id', {
            'resources:FPGA': '1', 'trait:CUSTOM_FPGA_XILINX': 'required',
            'fpga:bitstream': image['id']})
        self.addCleanup(self.demo.operator.run, 'flavor', 'delete',
                        flavor['id'])
        vm = steps.create_image(self.other, self.demo.write(
            'bob-vm.img', b'\0' * 4096), 'bob-vm')
        self.addCleanup(self.other.run, 'image', 'delete', vm['id'])
        before = loaded(XILINX)

        server = steps.boot_server(self.other, 'stolen', 'private-by-id',
                                   'bob-vm')
        self.addCleanup(self.delete_server, self.other, 'stolen')
        self.assertEqual('ERROR', server['status'])
        fault = server['fault']['message']
        self.assertIn(image['id'], fault)
        self.assertIn('not visible', fault)
        # The region is untouched: the private bitstream never ran on it,
        # and the failed build, having programmed nothing, did not scrub it.
        self.assertEqual(before, loaded(XILINX))
        self.delete_server(self.other, 'stolen')
        self.assertEqual(0, sum(usages().values()))

    def boot_at_once(self, client, names, flavor, image):
        """Boot the servers each with its own client process, at once."""
        with futures.ThreadPoolExecutor(len(names)) as pool:
            return list(pool.map(
                lambda name: steps.boot_server(client, name, flavor, image),
                names))

    def delete_at_once(self, client, names):
        with futures.ThreadPoolExecutor(len(names)) as pool:
            list(pool.map(
                lambda name: client.run('server', 'delete', '--wait', name),
                names))

    def assertEachOnItsOwnRegion(self, servers):
        """Placement, the domain XML and the simulated hardware agree."""
        held = [inspection.allocated_regions(CLOUD, s['id']) for s in servers]
        self.assertEqual([1] * len(servers), [len(h) for h in held])
        self.assertEqual(len(servers), len({h[0].uuid for h in held}))
        attached = set()
        for server, (provider,) in zip(servers, held):
            host = self.demo.operator.json('server', 'show', server['id'])[
                'OS-EXT-SRV-ATTR:host']
            self.assertEqual(provider.host, host)
            _, region = inspection.region_on_host(CLOUD, provider)
            self.assertEqual(sorted(region.attach), sorted(
                a for a, _ in inspection.hostdevs(CLOUD, host, server['id'])))
            attached.update(region.attach)
        self.assertEqual(len(servers), len(attached))

    def assertNothingLeft(self, names, logs):
        self.assertEqual(0, sum(usages().values()))
        self.assertEqual([], [s for s in self.demo.user.json(
            'server', 'list') if s['Name'] in names])
        for host, offset in logs.items():
            with open(CLOUD.log(host)) as f:
                f.seek(offset)
                self.assertNotIn('is lost', f.read())

    def test_concurrent_boots_fill_every_free_region(self):
        # More boots at once than regions: on the one host with two
        # regions of a kind, then on every region of the cloud.
        logs = {host: os.path.getsize(CLOUD.log(host))
                for host in (INTEL, XILINX)}
        for name, specs, regions in (
                ('load-intel', {'resources:FPGA': '1',
                                'trait:CUSTOM_FPGA_INTEL': 'required'},
                 len(loaded(INTEL))),
                ('load-any', {'resources:FPGA': '1'},
                 len(loaded(INTEL)) + len(loaded(XILINX)))):
            flavor, image = self.load_flavor_and_image(name, specs)
            names = ['%s-%d' % (name, i) for i in range(regions + 2)]
            for server in names:
                self.addCleanup(self.delete_server, self.demo.user, server)
            servers = self.boot_at_once(self.demo.user, names, flavor, image)
            active = [s for s in servers if s['status'] == 'ACTIVE']
            self.assertEqual(regions, len(active), [
                (s['name'], s['status'], s.get('fault')) for s in servers])
            for server in servers:
                if server['status'] != 'ACTIVE':
                    self.assertEqual('ERROR', server['status'])
                    self.assertIn('No valid host',
                                  server['fault']['message'])
            self.assertEachOnItsOwnRegion(active)
            self.delete_at_once(self.demo.user, names)
            self.assertNothingLeft(names, logs)

    def test_a_multi_create_takes_every_region_of_a_host(self):
        # One request, two instances: Nova's scheduler claims for each in
        # turn from the candidates it got once.
        flavor, image = self.load_flavor_and_image('multi', {
            'resources:FPGA': '1', 'trait:CUSTOM_FPGA_INTEL': 'required'})
        names = ['multi-1', 'multi-2']
        for server in names:
            self.addCleanup(self.delete_server, self.demo.user, server)
        try:
            self.demo.user.run('server', 'create', 'multi', '--flavor',
                               flavor, '--image', image, '--nic', 'none',
                               '--min', '2', '--max', '2', '--wait')
        except osc.CommandFailed:
            pass
        servers = [self.demo.user.json('server', 'show', name)
                   for name in names]
        self.assertEqual(['ACTIVE', 'ACTIVE'], [
            s['status'] for s in servers], [s.get('fault') for s in servers])
        self.assertEachOnItsOwnRegion(servers)
        self.delete_at_once(self.demo.user, names)
        self.assertNothingLeft(names, {})

    def test_concurrent_claims_never_over_allocate(self):
        # Placement's own retry of a write that met a generation conflict
        # reads usage from the transaction's first snapshot (MariaDB's
        # REPEATABLE READ) with a fresh generation: it over-allocates. The
        # cloud sets [placement] allocation_conflict_retry_count = 1, and
        # Nova's client retries each conflict in a new request.
        placement = CLOUD.placement
        version = {'microversion': '1.28', 'raise_exc': False}
        rounds, claims, overs, wins = 20, 4, [], []
        for number in range(rounds):
            provider = uuidutils.generate_uuid()
            placement.post('/resource_providers', json={
                'uuid': provider, 'name': 'claims-%d' % number}, **version)
            self.addCleanup(placement.delete,
                            '/resource_providers/%s' % provider, **version)
            self.assertEqual(200, placement.put(
                '/resource_providers/%s/inventories' % provider, json={
                    'resource_provider_generation': 0,
                    'inventories': {'FPGA': {'total': 1}}},
                **version).status_code)

            def claim(consumer, provider=provider):
                return placement.put('/allocations/%s' % consumer, json={
                    'allocations': {provider: {'resources': {'FPGA': 1}}},
                    'project_id': uuidutils.generate_uuid(),
                    'user_id': uuidutils.generate_uuid(),
                    'consumer_generation': None}, **version).status_code
            consumers = [uuidutils.generate_uuid() for _ in range(claims)]
            with futures.ThreadPoolExecutor(claims) as pool:
                codes = list(pool.map(claim, consumers))
            used = placement.get('/resource_providers/%s/usages' % provider,
                                 **version).json()['usages'].get('FPGA', 0)
            wins.append(codes.count(204))
            if used > 1:
                overs.append((number, used, codes))
            for consumer, code in zip(consumers, codes):
                if code == 204:
                    placement.delete('/allocations/%s' % consumer, **version)
        self.assertEqual([], overs)
        self.assertEqual([1] * rounds, wins)

    def nova_fpga_program(self, person, region, bitstream):
        """The operator's command on INTEL as ``person`` of clouds.yaml.

        Glance is found in keystone's catalog, as nova-compute finds it.
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
        env.update(OS_CLOUD=person, OS_CLIENT_CONFIG_FILE=CLOUD.clouds_yaml)
        command = os.path.join(os.path.dirname(sys.executable), 'nova-fpga')
        return subprocess.run(
            [command, 'program', '--config-file', CLOUD.nova_conf,
             '--config-file', CLOUD.compute_conf(INTEL), '--node', INTEL,
             '--region', region, '--bitstream', bitstream, '--format',
             'json'], env=env, capture_output=True, text=True, timeout=300)

    def test_nova_fpga_program_with_the_catalog_and_clouds_yaml(self):
        function = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a'
        path = self.demo.write('cli.bin', bitstreams.make(
            'n6000', function, 'cli'))
        image = steps.create_image(
            self.demo.user, path, 'cli', tags=['FPGA'],
            fpga_interface_id=simulator.INTERFACE_IDS['n6000'],
            fpga_function_id=function)
        self.addCleanup(self.demo.user.run, 'image', 'delete', image['id'])
        region = sorted(loaded(INTEL))[0]
        before = loaded(INTEL)[region]

        # Another project cannot see alice's bitstream: nothing touched.
        result = self.nova_fpga_program(OTHER.user, region, image['id'])
        self.assertEqual(3, result.returncode, result.stderr)
        self.assertIn('not visible', result.stderr)
        self.assertEqual(before, loaded(INTEL)[region])

        result = self.nova_fpga_program(scenario.USER.user, region,
                                        image['id'])
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('programmed', json.loads(result.stdout)['outcome'])
        self.assertEqual(function, loaded(INTEL)[region])

    def test_bad_requests_fail_the_build_naming_the_key(self):
        # The client's default microversion runs no extra spec validator:
        # nova-api stores these, and the build refuses them.
        vm = steps.create_image(self.demo.user, self.demo.write(
            'bad-vm.img', b'\0' * 4096), 'bad-vm',
            fpga_funtion='nlb')
        self.addCleanup(self.demo.user.run, 'image', 'delete', vm['id'])
        plain = steps.create_image(self.demo.user, self.demo.write(
            'plain-vm.img', b'\0' * 4096), 'plain-vm')
        self.addCleanup(self.demo.user.run, 'image', 'delete', plain['id'])
        before = {host: loaded(host) for host in (INTEL, XILINX)}
        for name, specs, image, fault in (
                ('bad-key', {'resources:FPGA': '1',
                             'fpga:bitstrem': uuidutils.generate_uuid()},
                 'plain-vm', 'the flavor sets fpga:bitstrem, which is no '
                             'FPGA request key'),
                ('image-key', {'resources:FPGA': '1', 'fpga_function': 'nlb'},
                 'plain-vm', 'the flavor sets fpga_function, which is no '
                             'FPGA request key (fpga_function is a VM image '
                             'property; here it is fpga:function)'),
                ('padded', {'resources:FPGA': '1', 'fpga:function': ' nlb'},
                 'plain-vm', "the flavor sets fpga:function to ' nlb'"),
                ('no-region', {'fpga:function': 'nlb'}, 'plain-vm',
                 "the flavor fpga:function asks for the bitstream of "
                 "function 'nlb', but the flavor gives the instance no FPGA "
                 "region"),
                ('bad-image', {'resources:FPGA': '1'}, 'bad-vm',
                 'the image sets fpga_funtion, which is no FPGA request '
                 'key')):
            flavor = steps.create_flavor(self.demo.operator, name, specs)
            self.addCleanup(self.demo.operator.run, 'flavor', 'delete',
                            flavor['id'])
            self.assertEqual(specs, flavor['properties'])
            self.addCleanup(self.delete_server, self.demo.user, name)
            server = steps.boot_server(self.demo.user, name, name, image)
            self.assertEqual('ERROR', server['status'], name)
            self.assertIn(fault, server['fault']['message'])
            self.delete_server(self.demo.user, name)
        # Refused before any region was touched; nothing held.
        self.assertEqual(before, {host: loaded(host)
                                  for host in (INTEL, XILINX)})
        self.assertEqual(0, sum(usages().values()))

    def quarantine(self, hostname):
        """The compute's quarantine record: ``{region: reason}``."""
        try:
            with open(os.path.join(CLOUD.state_dir(hostname),
                                   '.quarantine.json')) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def test_a_compute_killed_while_programming(self):
        host = CLOUD.fpga_hosts[INTEL]
        self.addCleanup(setattr, host, 'pr_seconds', host.pr_seconds)
        host.pr_seconds = 8
        function = '6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b'
        image = steps.create_image(
            self.demo.operator, self.demo.write('killed.bin', bitstreams.make(
                'n6000', function, 'killed')), 'killed', 'public',
            tags=['FPGA'], fpga_interface_id=simulator.INTERFACE_IDS['n6000'],
            fpga_function_id=function)
        self.addCleanup(self.demo.operator.run, 'image', 'delete',
                        image['id'])
        flavor, vm = self.load_flavor_and_image('killed', {
            'resources:FPGA': '1', 'trait:CUSTOM_FPGA_INTEL': 'required',
            'fpga:bitstream': image['id']})
        self.addCleanup(self.delete_server, self.demo.user, 'killed')
        with futures.ThreadPoolExecutor(1) as pool:
            booting = pool.submit(steps.boot_server, self.demo.user,
                                  'killed', flavor, vm)

            # Killed while the region is programmed: its mark is there.
            def marked():
                found = [region for region, reason in
                         self.quarantine(INTEL).items()
                         if reason.startswith('Programming with')]
                steps.check(found, 'no region is being programmed')
                return found[0]
            region = steps.eventually(marked, timeout=120)
            CLOUD.kill_compute(INTEL)
            host.pr_seconds = 0
            server = booting.result()
        # Nova's start-up puts the build it lost in ERROR; ours holds the
        # region back and says why, naming the bitstream.
        self.assertEqual('ERROR', server['status'])

        def logged():
            with open(CLOUD.log(INTEL)) as f:
                said = [line for line in f if 'FPGA region %s was '
                        'interrupted and is held in quarantine' % region
                        in line]
            steps.check(said, 'no interruption of %s logged', region)
            return said
        said = steps.eventually(logged)
        self.assertEqual(1, len(said))
        self.assertIn('Programming with bitstream image %s (killed)' %
                      image['id'], said[0])
        self.assertIn('did not finish: nova-compute or nova-fpga stopped '
                      'during it?', said[0])
        self.delete_server(self.demo.user, 'killed')
        blank = scenario.BLANKS['n6000'].function_id

        # The retry scrubs it with the blank: free, nothing leaked.
        def cleaned():
            steps.check(region not in self.quarantine(INTEL),
                        'region %s is still quarantined', region)
            steps.check(loaded(INTEL)[region] == blank,
                        'region %s holds %s', region, loaded(INTEL)[region])
        steps.eventually(cleaned)
        self.assertEqual(0, sum(usages().values()))

    def pools(self):
        """``{function ids: (total, reserved, used)}`` of POOLED's pools."""
        return {frozenset(p.function_ids()): (p.total, p.reserved, p.used)
                for p in inspection.pools(CLOUD, POOLED).values()}

    def retire(self, hostname):
        """Stop a compute and delete its service, as an operator does."""
        CLOUD.stop_compute(hostname)
        (service,) = self.demo.operator.json(
            'compute', 'service', 'list', '--host', hostname, '--service',
            'nova-compute')
        self.demo.operator.run('compute', 'service', 'delete',
                               str(service['ID']))
        # Nova deletes the compute node's providers, ours with them.
        self.assertEqual({}, inspection.pools(CLOUD, hostname))

    def test_a_compute_with_pooled_providers(self):
        CLOUD.start_fpga_compute(POOLED, 'n6000:2', provider_layout='pooled',
                                 extra_traits='n6000:' + POOLED_TRAIT)
        self.addCleanup(self.retire, POOLED)
        factory = simulator.FUNCTION_IDS['n6000']
        blank = scenario.BLANKS['n6000'].function_id
        (pool,) = inspection.pools(CLOUD, POOLED).values()
        self.assertIn(POOLED_TRAIT, pool.traits)
        self.assertEqual({frozenset([factory]): (2, 0, 0)}, self.pools())

        path = self.demo.write('pooled.bin', bitstreams.make(
            'n6000', POOLED_FUNCTION, 'pooled'))
        image = steps.create_image(
            self.demo.operator, path, 'pooled', 'public', tags=['FPGA'],
            fpga_interface_id=simulator.INTERFACE_IDS['n6000'],
            fpga_function_id=POOLED_FUNCTION)
        self.addCleanup(self.demo.operator.run, 'image', 'delete',
                        image['id'])
        flavor = steps.create_flavor(self.demo.operator, 'fpga.pooled', {
            'resources:FPGA': '1', 'trait:' + POOLED_TRAIT: 'required',
            'fpga:bitstream': image['id']})
        self.addCleanup(self.demo.operator.run, 'flavor', 'delete',
                        flavor['id'])
        vm = steps.create_image(self.demo.user, self.demo.write(
            'pooled-vm.img', b'\0' * 4096), 'pooled-vm')
        self.addCleanup(self.demo.user.run, 'image', 'delete', vm['id'])

        server = steps.boot_server(self.demo.user, 'pooled', 'fpga.pooled',
                                   'pooled-vm')
        self.addCleanup(self.delete_server, self.demo.user, 'pooled')
        self.assertEqual('ACTIVE', server['status'], server.get('fault'))
        self.assertEqual(POOLED, self.demo.operator.json(
            'server', 'show', server['id'])['OS-EXT-SRV-ATTR:host'])
        self.assertEqual(sorted([factory, POOLED_FUNCTION]),
                         sorted(loaded(POOLED).values()))
        # Programmed, the region stays in the pool its allocation is in,
        # at every periodic update while the server holds it.
        time.sleep(3 * services.UPDATE_INTERVAL)
        self.assertEqual({frozenset([factory]): (2, 0, 1)}, self.pools())

        self.delete_server(self.demo.user, 'pooled')

        # Released and scrubbed with the blank, it moves to its pool.
        def moved():
            found = self.pools()
            steps.check(found == {frozenset([factory]): (1, 0, 0),
                                  frozenset([blank]): (1, 0, 0)},
                        'the pools of %s are %s', POOLED, found)
        steps.eventually(moved)

    def test_the_demo_steps(self):
        result = steps.list_providers(self.demo)
        self.assertEqual('3 regions, 2 vendors', result.line)
        self.assertEqual({INTEL: 2, XILINX: 1}, {
            host: len(loaded(host)) for host in (INTEL, XILINX)})
        gpus = sorted(d.address for d in simulated(XILINX, gpus=True))
        self.assertEqual(2, len(gpus))
        self.assertEqual([], simulated(INTEL, gpus=True))
        # The two H100, alike, share one pool: no provider of one GPU.
        (pool,) = providers(placement.GPU_POOL_MARKER)
        self.assertTrue(pool.startswith(XILINX + placement.GPU_POOL_MARKER))
        self.assertEqual({}, providers('_GPU_'))
        result = steps.list_gpu_providers(self.demo)
        self.assertEqual('2 GPUs with CUSTOM_GPU_ARCH_HOPPER in 1 '
                         'provider(s)', result.line)
        self.assertEqual({pool: 0}, usages(placement.GPU_POOL_MARKER))

        steps.upload_bitstreams(self.demo)
        steps.upload_vm_images(self.demo)
        # Another project sees the public bitstreams, not alice's images.
        self.assertEqual(['dma', 'nlb3', 'vadd'], sorted(
            i['Name'] for i in self.other.json('image', 'list')))

        steps.create_flavors(self.demo)
        for spec in scenario.SERVERS + (scenario.GPU_SERVER,):
            steps.boot(spec)(self.demo)
        self.assertEqual([1, 1, 1], sorted(usages().values()))
        # Two GPUs on the compute that has them, both from its pool.
        gpu_server = self.demo.servers[scenario.GPU_SERVER.name]
        self.assertEqual(XILINX, gpu_server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual({pool: 2}, usages(placement.GPU_POOL_MARKER))
        allocations = CLOUD.placement.get(
            '/allocations/%s' % gpu_server['id']).json()['allocations']
        root = providers(XILINX)[XILINX]
        self.assertEqual(
            {providers(placement.GPU_POOL_MARKER)[pool]: {'PGPU': 2}},
            {uuid: a['resources'] for uuid, a in allocations.items()
             if uuid != root})
        # The guest has the two GPUs (an H100 has no companion), nothing
        # else.
        self.assertEqual(gpus, sorted(a for a, _ in inspection.hostdevs(
            CLOUD, XILINX, gpu_server['id'])))
        nlb3 = scenario.bitstream('nlb3').function_id
        vadd = scenario.bitstream('vadd').function_id
        self.assertEqual([nlb3, nlb3], list(loaded(INTEL).values()))
        self.assertEqual([vadd], list(loaded(XILINX).values()))

        result = steps.show_servers(self.demo)
        self.assertEqual(3, result.tables[1].count('<hostdev '))
        result = steps.show_gpu_server(self.demo)
        self.assertEqual('2 GPUs held, 2 hostdevs defined', result.line)
        self.assertEqual(2, result.tables[1].count('<hostdev '))

        # The operator's view of each host names the servers holding it.
        held = {}
        for host in (INTEL, XILINX):
            for region in steps.nova_fpga_status(CLOUD, host):
                for holder in region['placement']['holders']:
                    held[holder['consumer']] = host
                    if region['device']['family'] == model.GPU:
                        self.assertIsNone(region['loaded_image'])
                    else:
                        self.assertTrue(
                            region['loaded_image']['image_name'])
        self.assertEqual({s.name: s.host for s in scenario.SERVERS + (
            scenario.GPU_SERVER,)}, {
            name: held[server['id']]
            for name, server in self.demo.servers.items()})
        steps.show_status(self.demo)

        # The cloud-wide API: the list with holders, alice's own build on
        # her server's region, bob refused there.
        listed = steps.list_regions(self.demo)
        self.assertEqual('3 regions, 3 held', listed.line)
        loaded_by_alice = steps.user_program(self.demo)
        self.assertIn(': programmed, function', loaded_by_alice.line)
        self.assertEqual([scenario.DEV_BUILD.function_id],
                         list(loaded(XILINX).values()))
        refused = steps.other_refused(self.demo)
        self.assertIn('HTTP 403 (code 8)', refused.line)

        steps.rebuild(scenario.REBUILD)(self.demo)
        dma = scenario.bitstream('dma').function_id
        self.assertEqual(sorted([nlb3, dma]), sorted(loaded(INTEL).values()))

        # A cold migration to a new compute, then a resize back.
        moved = scenario.MOVE_HOST.name
        steps.start_compute(scenario.MOVE_HOST)(self.demo)
        self.addCleanup(self.retire, moved)
        migrated, _, warm = [step(self.demo) for step in steps.STEPS
                             if step.title.startswith((
                                 'Cold-migrating', 'Resizing',
                                 'Booting fpga-warm'))]
        self.assertEqual('ACTIVE on %s, programmed: no' % moved, warm.line)
        by_id = self.demo.servers['fpga-by-id']
        self.assertEqual(INTEL, by_id['OS-EXT-SRV-ATTR:host'])
        self.assertEqual([dma, dma], list(loaded(INTEL).values()))
        # Its warm region, given to the server, programmed for nobody.
        self.assertIn('programmed: no', migrated.line)
        self.assertEqual([nlb3], list(loaded(moved).values()))

        result = steps.delete_servers(self.demo)
        self.assertEqual('4 regions free (usage 0), blank or kept warm, 2 '
                         'GPUs free', result.line)
        self.assertEqual({pool: 0}, usages(placement.GPU_POOL_MARKER))
        self.assertEqual({scenario.BLANKS['n6000'].function_id},
                         set(loaded(INTEL).values()))
        self.assertEqual({scenario.BLANKS['u250'].function_id},
                         set(loaded(XILINX).values()))
        freed = steps.operator_program_free(self.demo)
        self.assertIn('vadd programmed, then scrubbed', freed.line)
        self.assertEqual({scenario.BLANKS['u250'].function_id},
                         set(loaded(XILINX).values()))
        steps.delete_flavors_and_images(self.demo)

    def status_of(self, server_id, *states):
        """Wait for one of ``states``; the server as its user sees it."""
        def reached():
            server = self.demo.user.json('server', 'show', server_id)
            if server['status'] == 'ERROR' and 'ERROR' not in states:
                self.fail('server is ERROR: %s' % server.get('fault'))
            steps.check(server['status'] in states, 'server is %s, not %s',
                        server['status'], '/'.join(states))
            return server
        return steps.eventually(reached, timeout=steps.STATUS_TIMEOUT)

    def last_message(self, server_id, action):
        """The message of the server's last ``action``, as its user sees.

        Nova lists the newest first.
        """
        return next((a['Message'] for a in self.demo.user.json(
            'server', 'event', 'list', '--long', server_id)
            if a['Action'] == action), None)

    def region_function(self, server_id):
        (provider,) = inspection.allocated_regions(CLOUD, server_id)
        return inspection.region_on_host(CLOUD, provider)[1].function_id

    def test_server_operations_as_the_owner(self):
        # README's Server operations, each by the server's user (a member),
        # who reads only what Nova's default policy shows a member.
        nlb3 = scenario.bitstream('nlb3')
        path = self.demo.write('ops-nlb3.bin', bitstreams.make(
            'n6000', nlb3.function_id, 'ops-nlb3'))
        image = steps.create_image(
            self.demo.operator, path, 'ops-nlb3', visibility='public',
            tags=['FPGA'], **scenario.bitstream_properties(nlb3))
        # The test deletes it; a cleanup only where it did not get so far.
        self.addCleanup(lambda: self.demo.operator.json(
            'image', 'list', '--name', 'ops-nlb3') and
            self.demo.operator.run('image', 'delete', image['id']))
        flavor, vm = self.load_flavor_and_image('ops', {
            'resources:FPGA': '1', 'trait:CUSTOM_FPGA_INTEL': 'required',
            'fpga:bitstream': image['id']})
        vadd = steps.create_flavor(self.demo.operator, 'resize-vadd', {
            'resources:FPGA': '1', 'trait:CUSTOM_FPGA_INTEL': 'required',
            'fpga:function': 'vadd'})
        self.addCleanup(self.demo.operator.run, 'flavor', 'delete',
                        vadd['id'])
        self.addCleanup(self.delete_server, self.demo.user, 'ops')
        server = steps.boot_server(self.demo.user, 'ops', flavor, vm)
        self.assertEqual('ACTIVE', server['status'], server.get('fault'))
        sid = server['id']
        user = self.demo.user

        for command, settled in (
                (('server', 'reboot', '--hard'), 'ACTIVE'),
                (('server', 'stop'), 'SHUTOFF'),
                (('server', 'start'), 'ACTIVE'),
                (('server', 'rescue'), 'RESCUE'),
                (('server', 'unrescue'), 'ACTIVE')):
            user.run(*command, sid)
            self.status_of(sid, settled)
            self.assertEqual(nlb3.function_id, self.region_function(sid))

        # Refused: Nova answers 202 first, the server stays as it was, and
        # its user sees the action failed.
        user.run('server', 'suspend', sid)
        steps.eventually(lambda: steps.check(
            self.last_message(sid, 'suspend') == 'Error', 'suspend not done'))
        self.assertEqual('ACTIVE', self.status_of(sid, 'ACTIVE')['status'])

        user.run('server', 'shelve', sid)
        self.status_of(sid, 'SHELVED_OFFLOADED')
        self.assertEqual([], inspection.allocated_regions(CLOUD, sid))
        user.run('server', 'unshelve', sid)
        self.status_of(sid, 'ACTIVE')
        self.assertEqual(nlb3.function_id, self.region_function(sid))

        # A move whose destination cannot load (vadd is for the U250):
        # ERROR with a fault its user reads, naming region, bitstream, cause.
        user.run('server', 'resize', '--flavor', vadd['id'], sid)
        server = self.status_of(sid, 'ERROR')
        fault = server['fault']['message']
        self.assertIn('FPGA region', fault)
        self.assertIn('vadd', fault)
        # A hard reboot brings it back with its old flavor's bitstream.
        user.run('server', 'reboot', '--hard', sid)
        server = self.status_of(sid, 'ACTIVE')
        self.assertNotIn('resize-vadd', str(server['flavor']))
        self.assertEqual(nlb3.function_id, self.region_function(sid))

        # The bitstream deleted meanwhile: the unshelve cannot load it and
        # the server stays shelved, its user seeing the failed action.
        user.run('server', 'shelve', sid)
        self.status_of(sid, 'SHELVED_OFFLOADED')
        self.demo.operator.run('image', 'delete', image['id'])
        user.run('server', 'unshelve', sid)
        steps.eventually(lambda: steps.check(
            self.last_message(sid, 'unshelve') == 'Error',
            'unshelve not done'),
            timeout=steps.STATUS_TIMEOUT)
        self.assertEqual('SHELVED_OFFLOADED', self.status_of(
            sid, 'SHELVED_OFFLOADED')['status'])
        self.delete_server(user, 'ops')
        steps.eventually(lambda: steps.check(
            sum(usages().values()) == 0, 'regions still used: %s',
            usages()))

    def fresh_bitstream(self, name, kind='n6000'):
        """A public bitstream no compute has cached; its image."""
        function = uuidutils.generate_uuid(dashed=False)
        image = steps.create_image(
            self.demo.operator, self.demo.write(name + '.bin', bitstreams.make(
                kind, function, name)), name, visibility='public',
            tags=['FPGA'], fpga_interface_id=simulator.INTERFACE_IDS[kind],
            fpga_function_id=function)
        self.addCleanup(self.demo.operator.run, 'image', 'delete',
                        image['id'])
        return image

    def create_at_once(self, names, flavor, image):
        """``server create`` without --wait, each in its own process."""
        for name in names:
            self.addCleanup(self.delete_server, self.demo.user, name)
        with futures.ThreadPoolExecutor(len(names)) as pool:
            return [s['id'] for s in pool.map(
                lambda name: self.demo.user.json(
                    'server', 'create', name, '--flavor', flavor, '--image',
                    image, '--nic', 'none'), names)]

    def create_many(self, name, flavor, image, count):
        """One request for ``count`` servers, to Nova's API; their ids.

        Nova answers once it has what it needs of Glance; the builds go on
        after.
        """
        flavor_id = self.demo.user.json('flavor', 'show', flavor)['id']
        image_id = self.demo.user.json('image', 'show', image)['id']
        session = CLOUD.session(*scenario.USER[:2])
        reservation = session.post('/servers', endpoint_filter=COMPUTE,
                                   headers=NETWORKS_NONE, json={'server': {
                                       'name': name, 'flavorRef': flavor_id,
                                       'imageRef': image_id,
                                       'networks': 'none',
                                       'min_count': count,
                                       'max_count': count,
                                       'return_reservation_id': True}}).json()
        ids = [server['id'] for server in session.get(
            '/servers?reservation_id=%s' % reservation['reservation_id'],
            endpoint_filter=COMPUTE).json()['servers']]
        self.addCleanup(self.delete_ids, ids)
        self.assertEqual(count, len(ids))
        return ids

    def delete_ids(self, ids):
        left = {s['ID'] for s in self.demo.user.json('server', 'list')}
        if left & set(ids):
            self.demo.user.run('server', 'delete', '--wait',
                               *sorted(left & set(ids)))

    def settled(self, server_ids):
        """Wait until no server is building; each as its user sees it.

        Read from Nova's API straight: ``server show`` asks Glance too.
        """
        session = CLOUD.session(*scenario.USER[:2])

        def done():
            servers = [session.get('/servers/%s' % sid,
                                   endpoint_filter=COMPUTE).json()['server']
                       for sid in server_ids]
            steps.check(all(s['status'] in ('ACTIVE', 'ERROR')
                            for s in servers), 'still building: %s',
                        [s['status'] for s in servers])
            return servers
        return steps.eventually(done, timeout=steps.STATUS_TIMEOUT)

    def stop_service(self, name):
        """Stop a service; it is started again at the test's end."""
        CLOUD.stop_service(name)
        self.addCleanup(self.start_if_stopped, name)

    def start_if_stopped(self, name):
        if CLOUD._service(name).pid is None:
            CLOUD.start_service(name)

    def test_glance_stopped_during_builds(self):
        image = self.fresh_bitstream('outage-glance')
        flavor, vm = self.load_flavor_and_image('outage-glance', {
            'resources:FPGA': '1', 'trait:CUSTOM_FPGA_INTEL': 'required',
            'fpga:bitstream': image['id']})
        before = loaded(INTEL)
        ids = self.create_many('outage-glance', flavor, vm, 2)
        # At once: the API has asked Glance, the computes have not yet.
        self.stop_service('glance-api')
        servers = self.settled(ids)
        self.assertEqual(['ERROR', 'ERROR'], [s['status'] for s in servers])
        for server in servers:
            fault = server['fault']['message']
            self.assertIn(image['id'], fault)
            self.assertIn('Glance', fault)
        # Nothing was programmed, nothing left held or quarantined.
        self.assertEqual(before, loaded(INTEL))
        self.demo.user.run('server', 'delete', '--wait', *ids)
        self.assertEqual(0, sum(usages().values()))
        self.assertEqual({}, self.quarantine(INTEL))
        # Glance back: the same flavor boots.
        CLOUD.start_service('glance-api')
        self.addCleanup(self.delete_server, self.demo.user, 'after-glance')
        server = steps.boot_server(self.demo.user, 'after-glance', flavor, vm)
        self.assertEqual('ACTIVE', server['status'], server.get('fault'))

    def test_placement_stopped_during_deletes_and_boots(self):
        flavor, vm = self.load_flavor_and_image('outage-placement', {
            'resources:FPGA': '1', 'trait:CUSTOM_FPGA_INTEL': 'required'})
        self.addCleanup(self.delete_server, self.demo.user, 'kept')
        kept = steps.boot_server(self.demo.user, 'kept', flavor, vm)
        self.assertEqual('ACTIVE', kept['status'], kept.get('fault'))
        self.stop_service('placement')
        # Deleted meanwhile: Nova cannot free its allocation and leaves the
        # server in ERROR (Nova's behaviour); a boot finds no host.
        self.demo.user.run('server', 'delete', kept['id'])
        kept = self.settled([kept['id']])[0]
        self.assertEqual('ERROR', kept['status'])
        lost = steps.boot_server(self.demo.user, 'lost', flavor, vm)
        self.addCleanup(self.delete_server, self.demo.user, 'lost')
        self.assertEqual('ERROR', lost['status'])
        CLOUD.start_service('placement')
        # Deleted again once Placement is back: nothing left.
        self.delete_server(self.demo.user, 'kept')
        self.delete_server(self.demo.user, 'lost')
        steps.eventually(lambda: steps.check(
            sum(usages().values()) == 0, 'still used: %s', usages()))
        # Every region serves again, with no "0 are available".
        names = ['after-placement-%d' % i for i in range(len(loaded(INTEL)))]
        servers = self.settled(self.create_at_once(names, flavor, vm))
        self.assertEqual(['ACTIVE'] * len(names), [
            s['status'] for s in servers], [s.get('fault') for s in servers])
        self.delete_at_once(self.demo.user, names)
        self.assertEqual(0, sum(usages().values()))

    def test_rabbitmq_restarted_during_builds(self):
        image = self.fresh_bitstream('outage-rabbit')
        flavor, vm = self.load_flavor_and_image('outage-rabbit', {
            'resources:FPGA': '1', 'trait:CUSTOM_FPGA_INTEL': 'required',
            'fpga:bitstream': image['id']})
        names = ['outage-rabbit-%d' % i for i in range(len(loaded(INTEL)))]
        ids = self.create_at_once(names, flavor, vm)
        CLOUD.stop_service('rabbitmq')
        CLOUD.start_service('rabbitmq')
        servers = self.settled(ids)
        # Each ends ACTIVE on its own region running the bitstream, or in
        # ERROR with a fault; none holds a region it does not run.
        active = [s for s in servers if s['status'] == 'ACTIVE']
        self.assertEachOnItsOwnRegion(active)
        for server in active:
            self.assertEqual(image['properties']['fpga_function_id'],
                             self.region_function(server['id']))
        for server in servers:
            if server['status'] == 'ERROR':
                self.assertTrue(server['fault']['message'])
        self.delete_at_once(self.demo.user, names)
        self.assertEqual(0, sum(usages().values()))
        self.assertEqual({}, self.quarantine(INTEL))

    def test_logins_at_once(self):
        # Each issues a token: keystone writes at every login.
        clients = [osc.Client(CLOUD.clouds_yaml, person.user)
                   for person in (scenario.USER, OTHER, scenario.OPERATOR)
                   for _ in range(2)]
        with futures.ThreadPoolExecutor(len(clients)) as pool:
            tokens = list(pool.map(
                lambda client: client.json('token', 'issue'), clients))
        self.assertEqual(len(clients), len({t['id'] for t in tokens}))

    def test_every_service_is_its_own_process(self):
        names = [p.name for p in CLOUD.processes]
        for name in ('epmd', 'rabbitmq', 'keystone', 'glance-api',
                     'placement', 'nova-api', 'nova-conductor',
                     'nova-scheduler', INTEL, XILINX):
            self.assertIn(name, names)
        self.assertEqual(len(names), len({p.pid for p in CLOUD.processes}))
        for process in CLOUD.processes:
            self.assertTrue(os.path.exists('/proc/%d' % process.pid))

    def test_the_computes_run_on_native_threads(self):
        for hostname in (INTEL, XILINX):
            with open(CLOUD.log(hostname)) as f:
                log = f.read()
            self.assertIn('nova-compute concurrency: native threads', log)
            self.assertNotIn('Eventlet based service backend', log)


READER = scenario.Person('carol', scenario.USER.project, ('reader',))
FPGA_API = {'OpenStack-API-Version': 'fpga 1.0'}


class FPGAAPITest(CloudTestBase):
    """The cloud-wide API in nova-api's pipeline, computes over RabbitMQ."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        CLOUD.add_person(*READER)

    def api(self, person):
        session = CLOUD.session(person.user, person.project)
        return adapter.Adapter(session, service_type='fpga',
                               interface='public',
                               additional_headers=FPGA_API)

    def call(self, person, method, url, status, code=None, **kwargs):
        """The body of ``method url`` as ``person``; its status checked."""
        resp = self.api(person).request(url, method, raise_exc=False,
                                        **kwargs)
        self.assertEqual(status, resp.status_code, resp.text)
        body = resp.json()
        if code is not None:
            self.assertEqual(code, body['errors'][0]['code'], resp.text)
        return body

    def regions(self, person, **query):
        return self.call(person, 'GET', '/regions', 200,
                         params=query)['regions']

    def bitstream_image(self, client, name, function_id, visibility):
        image = steps.create_image(
            client, self.demo.write(name + '.bin', bitstreams.make(
                'n6000', function_id, name)), name, visibility,
            tags=['FPGA'], fpga_interface_id=simulator.INTERFACE_IDS[
                'n6000'], fpga_function_id=function_id)
        self.addCleanup(client.run, 'image', 'delete', image['id'])
        return image

    def test_every_route_and_who_may_use_it(self):
        admin, alice, bob = scenario.OPERATOR, scenario.USER, OTHER
        nlb3 = scenario.bitstream('nlb3')
        public = self.bitstream_image(self.demo.operator, 'api-nlb3',
                                      nlb3.function_id, 'public')
        mine = self.bitstream_image(self.demo.user, 'api-alice',
                                    '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',
                                    'private')
        bobs = self.bitstream_image(self.other, 'api-bob',
                                    '6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c',
                                    'private')
        flavor, vm = self.load_flavor_and_image('api', {
            'resources:FPGA': '1', 'trait:CUSTOM_FPGA_INTEL': 'required',
            'fpga:bitstream': public['id']})
        self.addCleanup(self.delete_server, self.demo.user, 'api')
        server = steps.boot_server(self.demo.user, 'api', flavor, vm)
        self.assertEqual('ACTIVE', server['status'], server.get('fault'))

        # The list: every region for the admin, with its holder once the
        # compute's next periodic update published it.
        def held():
            found = [r for r in self.regions(admin)
                     if (r['holder'] or {}).get('server_id') == server['id']]
            steps.check(found, 'no region held by %s listed', server['id'])
            return found[0]
        region = steps.eventually(held)
        self.assertEqual('held', region['state'])
        self.assertEqual(INTEL, region['host'])
        self.assertEqual(public['id'], region['bitstream']['id'])
        listed = self.regions(admin)
        self.assertEqual(len(listed), len({r['uuid'] for r in listed}))
        self.assertEqual(sum(len(d.regions) for d in simulated(INTEL)),
                         len(self.regions(admin, host=INTEL)))
        # Members and readers see their project's; bob none of them.
        self.assertEqual([region['uuid']],
                         [r['uuid'] for r in self.regions(alice)])
        self.assertEqual([region['uuid']],
                         [r['uuid'] for r in self.regions(READER)])
        self.assertEqual([], self.regions(bob))
        resp = adapter.Adapter(
            ks_session.Session(), endpoint_override=CLOUD.urls['fpga'],
            additional_headers=FPGA_API).get('/regions', raise_exc=False)
        self.assertEqual(401, resp.status_code)
        # Pages, each with the link to the next.
        page = self.call(admin, 'GET', '/regions', 200, params={'limit': 1})
        self.assertEqual([listed[0]['uuid']],
                         [r['uuid'] for r in page['regions']])
        self.assertIn('marker=%s' % listed[0]['uuid'],
                      page['regions_links'][0]['href'])

        # Show: the compute's live view.
        uuid = region['uuid']
        shown = self.call(alice, 'GET', '/regions/' + uuid, 200)['region']
        self.assertEqual('ok', shown['live']['health'])
        self.assertEqual(public['id'],
                         shown['live']['last_programmed']['image_id'])
        self.call(bob, 'GET', '/regions/' + uuid, 404, code=2)

        def function_of(entry):
            return loaded(entry['host'])[entry['identifier']]
        # alice loads her own new build on her server's region (seed 001).
        done = self.call(alice, 'POST', '/regions/' + uuid, 200, json={
            'glance_bitstream_uuid': mine['id']})
        self.assertEqual((0, 'programmed'), (done['code'], done['outcome']))
        self.assertEqual('5a' * 16, function_of(region))
        # bob may not, nor may carol (a reader); nothing changes.
        said = self.call(bob, 'POST', '/regions/' + uuid, 403, code=8, json={
            'glance_bitstream_uuid': public['id']})
        self.assertIn(region['identifier'], said['errors'][0]['detail'])
        self.assertIn('fpga:regions:program:any',
                      said['errors'][0]['detail'])
        self.call(READER, 'POST', '/regions/' + uuid, 403, code=8, json={
            'glance_bitstream_uuid': public['id']})
        # A bitstream alice cannot see: code 3, the region untouched.
        said = self.call(alice, 'POST', '/regions/' + uuid, 422, code=3,
                         json={'glance_bitstream_uuid': bobs['id']})
        self.assertIn(bobs['id'], said['errors'][0]['detail'])
        self.assertEqual('5a' * 16, function_of(region))
        # The admin: not a held region unless forced; a free one, yes.
        self.call(admin, 'POST', '/regions/' + uuid, 409, code=5, json={
            'glance_bitstream_uuid': public['id']})
        self.call(alice, 'POST', '/regions/' + uuid, 403, code=8, json={
            'glance_bitstream_uuid': public['id'], 'force': True})
        free = next(r for r in self.regions(admin, host=INTEL)
                    if r['state'] == 'free')
        done = self.call(admin, 'POST', '/regions/' + free['uuid'], 200,
                         json={'glance_bitstream_uuid': public['id']})
        self.assertEqual(nlb3.function_id, function_of(free))
        done = self.call(admin, 'POST', '/regions/%s/scrub' % free['uuid'],
                         200, json={'mode': 'blank'})
        self.assertEqual(scenario.BLANKS['n6000'].function_id,
                         function_of(free))
        self.call(admin, 'POST', '/regions/' + free['uuid'], 400, code=64,
                  json={'glance_bitstream_uuid': 'not-a-uuid'})
        self.call(admin, 'GET', '/regions/' + uuidutils.generate_uuid(),
                  404, code=2)

        # The bitstreams each can see, with the free regions they fit.
        seen = {b['id']: b for b in self.call(alice, 'GET', '/bitstreams',
                                              200)['bitstreams']}
        self.assertIn(public['id'], seen)
        self.assertIn(mine['id'], seen)
        self.assertNotIn(bobs['id'], seen)
        self.assertEqual(nlb3.function_id, seen[public['id']]['function_id'])

    def test_a_compute_that_does_not_answer(self):
        admin = scenario.OPERATOR
        nlb3 = scenario.bitstream('nlb3')
        public = self.bitstream_image(self.demo.operator, 'api-hung',
                                      nlb3.function_id, 'public')
        free = next(r for r in self.regions(admin, host=INTEL)
                    if r['state'] == 'free')
        before = loaded(INTEL)[free['identifier']]
        CLOUD.pause_compute(INTEL)
        self.addCleanup(CLOUD.resume_compute, INTEL)
        started = time.monotonic()
        said = self.call(admin, 'POST', '/regions/' + free['uuid'], 503,
                         code=9, json={'glance_bitstream_uuid': public['id']})
        self.assertIn(INTEL, said['errors'][0]['detail'])
        self.assertLess(time.monotonic() - started,
                        services.API_TIMEOUT + 10)
        offset = os.path.getsize(CLOUD.log(INTEL))
        CLOUD.resume_compute(INTEL)

        # Back, it drops the request it took too late: nothing programmed.
        def dropped():
            with open(CLOUD.log(INTEL)) as f:
                f.seek(offset)
                steps.check('came after its deadline' in f.read(),
                            'the late request is not dropped yet')
        steps.eventually(dropped)
        self.assertEqual(before, loaded(INTEL)[free['identifier']])

    def test_the_api_served_on_its_own(self):
        url = CLOUD.start_fpga_api()
        alone = adapter.Adapter(
            CLOUD.session(), endpoint_override=url,
            additional_headers=FPGA_API).get('/regions').json()['regions']
        self.assertEqual(
            {r['uuid'] for r in self.regions(scenario.OPERATOR)},
            {r['uuid'] for r in alone})
        self.assertTrue(alone)
