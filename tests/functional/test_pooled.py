"""``[fpga] provider_layout = pooled`` in real Placement, with servers."""

from nova import context as nova_context
from nova import objects

from nova_fpga import placement
from nova_fpga.regions import records
from nova_fpga.simulator import kinds
from tests.functional import libvirt_base

AFU = 'feedfacecafebeef0011223344556677'
OTHER_AFU = 'fedcba9876543210fedcba9876543210'


class PooledTest(libvirt_base.FPGAServersTestBase):

    def setUp(self):
        super().setUp()
        self.flags(scrub_on_release='reset', group='fpga')

    def pools(self, hostname='compute1'):
        """``{provider uuid: (total, reserved, used, function traits)}``."""
        found = {}
        for rp in self.fpga_providers(
                hostname, placement.POOL_MARKER).values():
            inventory = self._get_provider_inventory(rp['uuid'])['FPGA']
            found[rp['uuid']] = (
                inventory['total'], inventory['reserved'],
                self._get_provider_usages(rp['uuid']).get('FPGA', 0),
                {t for t in self._get_provider_traits(rp['uuid'])
                 if t.startswith('CUSTOM_FPGA_FUNCTION_')})
        return found

    def assertReleasedToItsFunction(self, pool, rest, function=AFU):
        """``pool`` is left with ``rest``; another holds ``function``, free."""
        pools = self.pools()
        self.assertEqual(rest, pools.pop(pool))
        self.assertEqual([(1, 0, 0, {libvirt_base.function_trait(function)})],
                         list(pools.values()))
        return next(iter(pools))

    def start_two_computes(self):
        """compute1 and compute2 on one simulated host, a card each."""
        host = self.simulate('n6000:2')
        for hostname, address in (('compute1', libvirt_base.FIRST),
                                  ('compute2', libvirt_base.SECOND)):
            self.start_compute_on(host, hostname, enabled_devices=[address],
                                  provider_layout='pooled')

    def holder(self, identifier):
        """The instance the region's record names as its holder."""
        return records.StateStore(self.state_dir).read(identifier)[
            'held']['instance']

    def held(self, server):
        """The (provider uuid, identifier) of the server's one region."""
        instance = objects.Instance.get_by_uuid(
            nova_context.get_admin_context(), server['id'],
            expected_attrs=['resources'])
        (resource,) = instance.resources
        return resource.provider_uuid, resource.identifier

    def test_a_pool_serves_servers_and_a_region_moves_when_released(self):
        self.start_fpga_compute('compute1', 'n6000:3',
                                provider_layout='pooled',
                                reuse_after_reset=True)
        (pool,) = self.pools()
        factory = libvirt_base.function_trait(kinds.FUNCTION_IDS['n6000'])
        self.assertEqual({pool: (3, 0, 0, {factory})}, self.pools())
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        flavor = self.fpga_flavor(**{'fpga:bitstream': image_id})

        server = self.boot(flavor)
        provider, identifier = self.held(server)
        self.assertEqual(pool, provider)
        address, _, region = identifier.rpartition('_')
        self.assertEqual(AFU, self.loaded('compute1', address, region))
        # Its function changed, but its allocation is in the pool: it
        # stays there, counted, while the server holds it.
        self._run_periodics(raise_on_error=True)
        self.assertEqual({pool: (3, 0, 1, {factory})}, self.pools())

        self._delete_server(server)
        self._run_periodics(raise_on_error=True)
        # Released (a reset keeps the function loaded): a pool of its own,
        # that of its function, and the next server asking for it there
        # gets it without programming (the operator accepts reuse).
        afu_pool = self.assertReleasedToItsFunction(pool,
                                                    (2, 0, 0, {factory}))
        server = self.boot(self.fpga_flavor(**{
            'fpga:bitstream': image_id,
            'trait:' + libvirt_base.function_trait(AFU): 'required'}))
        self.assertEqual((afu_pool, identifier), self.held(server))
        metrics = records.StateStore(self.state_dir).read(identifier)[
            'metrics']
        self.assertEqual((1, 1), (metrics['programmings'],
                                  metrics['skipped']))

    def test_a_full_pool_finds_no_host(self):
        self.start_fpga_compute('compute1', 'n6000:2',
                                provider_layout='pooled')
        flavor = self.fpga_flavor()
        first, second = self.boot(flavor), self.boot(flavor)
        self.assertNotEqual(self.held(first)[1], self.held(second)[1])
        server = self.boot(flavor, expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])

    def test_from_the_region_layout_a_held_region_moves_when_released(self):
        self.start_fpga_compute('compute1', 'n6000:2')
        server = self.boot(self.fpga_flavor())
        provider, identifier = self.held(server)
        self.flags(provider_layout='pooled', group='fpga')
        self.restart_compute_service('compute1')
        self._run_periodics(raise_on_error=True)

        # The held region keeps its provider and allocation; the free one
        # is pooled.
        self.assertEqual(
            {'compute1_FPGA_' + identifier},
            set(self.fpga_providers('compute1', '_FPGA_')))
        self.assertEqual(
            1, self._get_provider_usages(provider).get('FPGA', 0))
        self.assertEqual([(1, 0, 0)], [p[:3] for p in self.pools().values()])
        self.assertEqual((provider, identifier), self.held(server))

        self._delete_server(server)
        self._run_periodics(raise_on_error=True)
        self.assertEqual({}, self.fpga_providers('compute1', '_FPGA_'))
        self.assertEqual([(2, 0, 0)], [p[:3] for p in self.pools().values()])

    def test_back_to_the_region_layout_a_held_region_moves_when_released(
            self):
        self.start_fpga_compute('compute1', 'n6000:2',
                                provider_layout='pooled')
        server = self.boot(self.fpga_flavor())
        pool, identifier = self.held(server)
        self.flags(provider_layout='region', group='fpga')
        self.restart_compute_service('compute1')
        self._run_periodics(raise_on_error=True)

        # The held region stays in its pool with its allocation; the free
        # one has a provider of its own.
        (free,) = set(self.fpga_providers('compute1', '_FPGA_'))
        self.assertNotEqual('compute1_FPGA_' + identifier, free)
        self.assertEqual([(1, 0, 1)], [p[:3] for p in self.pools().values()])
        self.assertEqual((pool, identifier), self.held(server))
        # The server keeps its region through a hard reboot.
        self._reboot_server(server, hard=True)
        self.assertEqual((pool, identifier), self.held(server))

        self._delete_server(server)
        self._run_periodics(raise_on_error=True)
        self.assertEqual({}, self.pools())
        self.assertEqual(
            {'compute1_FPGA_' + identifier, free},
            set(self.fpga_providers('compute1', '_FPGA_')))

    def test_a_resize_on_the_host_keeps_both_regions_in_their_pool(self):
        self.flags(allow_resize_to_same_host=True)
        self.start_fpga_compute('compute1', 'n6000:2',
                                provider_layout='pooled')
        (pool,) = self.pools()
        factory = libvirt_base.function_trait(kinds.FUNCTION_IDS['n6000'])
        server = self.boot(self.fpga_flavor(**{
            'fpga:bitstream': self.add_bitstream(
                self.gbs('n6000', AFU), fpga_function='nlb')}))
        _, source = self.held(server)
        other = self.fpga_flavor(**{
            'fpga:bitstream': self.add_bitstream(
                self.gbs('n6000', OTHER_AFU), name='other',
                fpga_function='other')})
        with libvirt_base.MOVE_DISKS:
            server = self._resize_server(server, other)
        # Both held, by the migration and by the server, both programmed
        # away from the factory function: both stay in the pool.
        self._run_periodics(raise_on_error=True)
        self.assertEqual({pool: (2, 0, 2, {factory})}, self.pools())
        provider, target = self.held(server)
        self.assertEqual(pool, provider)
        self.assertNotEqual(source, target)

        self._confirm_resize(server)
        self._run_periodics(raise_on_error=True)
        # The source, released, goes to its function's pool; the target
        # stays held where its allocation is.
        self.assertReleasedToItsFunction(pool, (1, 0, 1, {factory}))
        self.assertEqual((pool, target), self.held(server))

    def test_a_cold_migration_keeps_the_source_region_until_confirmed(self):
        self.start_two_computes()
        flavor = self.fpga_flavor(**{
            'fpga:bitstream': self.add_bitstream(
                self.gbs('n6000', AFU), fpga_function='nlb')})
        server = self.boot(flavor, host='compute1')
        (source_pool,) = self.pools('compute1')
        with libvirt_base.MOVE_DISKS:
            server = self._migrate_server(server)
        self.assertEqual('compute2', server['OS-EXT-SRV-ATTR:host'])
        # The server is on compute2 now; on compute1 only the migration
        # holds the region, which stays where its allocation is.
        self._run_periodics(raise_on_error=True)
        self.assertEqual([source_pool], list(self.pools('compute1')))
        self.assertEqual(1, self.pools('compute1')[source_pool][2])

        self._confirm_resize(server)
        self._run_periodics(raise_on_error=True)
        ((total, _, used, functions),) = self.pools('compute1').values()
        self.assertEqual((1, 0, {libvirt_base.function_trait(AFU)}),
                         (total, used, functions))

    def test_a_held_region_removed_stays_in_its_pool_across_a_restart(self):
        host = self.start_fpga_compute('compute1', 'n6000:2',
                                       provider_layout='pooled')
        (pool,) = self.pools()
        server = self.boot(self.fpga_flavor())
        _, identifier = self.held(server)
        host.remove(identifier.rpartition('_')[0])
        self._run_periodics(raise_on_error=True)
        self.assertEqual((2, 0, 1), self.pools()[pool][:3])
        # Nova's start-up check finds the server's region where it is held.
        self.restart_compute_service('compute1')
        self._run_periodics(raise_on_error=True)
        self.assertEqual((2, 0, 1), self.pools()[pool][:3])

        self._delete_server(server)
        self._run_periodics(raise_on_error=True)
        self.assertEqual((1, 0, 0), self.pools()[pool][:3])

    def test_a_rebuild_reprograms_the_region_where_it_is_held(self):
        self.start_fpga_compute('compute1', 'n6000:2',
                                provider_layout='pooled')
        (pool,) = self.pools()
        factory = libvirt_base.function_trait(kinds.FUNCTION_IDS['n6000'])
        nlb = self.add_bitstream(self.gbs('n6000', AFU), fpga_function='nlb')
        server = self.boot(self.fpga_flavor(), image_uuid=self.vm_image(
            fpga_bitstream=nlb))
        held = self.held(server)
        other = self.add_bitstream(self.gbs('n6000', OTHER_AFU),
                                   name='other', fpga_function='other')
        server = self._rebuild_server(
            server, self.vm_image(fpga_bitstream=other))
        # The same region, in the pool its allocation is in, now loaded
        # with the other function, its record still naming the server.
        self.assertEqual(held, self.held(server))
        address, _, region = held[1].rpartition('_')
        self.assertEqual(OTHER_AFU, self.loaded('compute1', address, region))
        self.assertEqual(server['id'], self.holder(held[1]))
        self._run_periodics(raise_on_error=True)
        self.assertEqual({pool: (2, 0, 1, {factory})}, self.pools())

        self._delete_server(server)
        self._run_periodics(raise_on_error=True)
        self.assertReleasedToItsFunction(pool, (1, 0, 0, {factory}),
                                         OTHER_AFU)

    def test_an_evacuated_region_stays_in_its_pool_until_scrubbed(self):
        self.start_two_computes()
        factory = libvirt_base.function_trait(kinds.FUNCTION_IDS['n6000'])
        (left,) = self.pools('compute1')
        (target,) = self.pools('compute2')
        server = self.boot(self.fpga_flavor(**{
            'fpga:bitstream': self.add_bitstream(
                self.gbs('n6000', AFU), fpga_function='nlb')}),
            host='compute1')
        self.computes['compute1'].stop()
        self.force_down('compute1', True)

        server = self._evacuate_server(
            server, {'host': 'compute2'}, expected_host='compute2')
        second = libvirt_base.SECOND + '_port0'
        self.assertEqual((target, second), self.held(server))
        self.assertEqual(server['id'], self.holder(second))
        self._run_periodics(raise_on_error=True)
        self.assertEqual({target: (1, 0, 1, {factory})},
                         self.pools('compute2'))
        # The host left is down: its region is still the server's there.
        self.assertEqual({left: (1, 0, 1, {factory})},
                         self.pools('compute1'))

        self.flags(enabled_devices=[libvirt_base.FIRST], group='fpga')
        self.restart_compute_service('compute1')
        self.force_down('compute1', False)
        self._run_periodics(raise_on_error=True)
        # Back, it scrubbed the region (a reset keeps the function) and
        # Nova dropped the allocation: released, it moves to its
        # function's pool, and the emptied one goes. The server keeps its
        # region on compute2.
        self.assertEqual([(1, 0, 0, {libvirt_base.function_trait(AFU)})],
                         list(self.pools('compute1').values()))
        self.assertEqual({target: (1, 0, 1, {factory})},
                         self.pools('compute2'))
