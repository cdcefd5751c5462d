"""nova-fpga status, program, scrub and cache against a running cloud.

The command runs in the test's process, so it reaches the same Placement
and image service as the compute it sits beside; every exit code is met.
"""

import errno
import io
import json
import os

import fixtures
import nova.conf

from nova_fpga.cmd import manage
from nova_fpga.regions import quarantine
from tests.functional import libvirt_base

FIRST, SECOND, AFU = libvirt_base.FIRST, libvirt_base.SECOND, libvirt_base.AFU
CONF = nova.conf.CONF
PROJECT = 'developer-project'
# The token is not read by the test's image service; Glance's own checks
# are met in tests/integration/test_program.py.
AUTH = ('--os-auth-type', 'admin_token', '--os-token', 'user:project',
        '--os-endpoint', 'http://127.0.0.1:1')


class OperationsTest(libvirt_base.FPGAServersTestBase):
    LAYOUT = 'region'

    def setUp(self):
        super().setUp()
        for name in ('OS_AUTH_TYPE', 'OS_AUTH_URL', 'OS_TOKEN'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        self.host = self.start_fpga_compute('compute1', 'n6000:2',
                                            provider_layout=self.LAYOUT)
        self.image_id = self.add_bitstream(
            self.gbs('n6000', AFU), name='nlb', fpga_function='nlb')

    def nova_fpga(self, *argv):
        """(exit code, stdout, stderr) of the command."""
        out, err = io.StringIO(), io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', err))
        try:
            code = manage.run(CONF, manage.parse(list(argv)))
        except SystemExit as e:
            code = e.code
        return code, out.getvalue(), err.getvalue()

    def program(self, region, *extra, bitstream=None):
        return self.nova_fpga(
            'program', '--region', region + '_port0', '--node', 'compute1',
            '--bitstream', bitstream or self.image_id, *AUTH, *extra)

    def assertFailure(self, code, result, *words):
        self.assertEqual(code, result[0], result)
        lines = result[2].strip().splitlines()
        self.assertTrue(lines[-1].startswith('nova-fpga: error: '), lines)
        for word in words:
            self.assertIn(word, lines[-1])

    def status(self):
        code, out, err = self.nova_fpga('status', '--node', 'compute1',
                                        '--format', 'json')
        self.assertEqual(0, code, err)
        return {entry['region']: entry
                for entry in json.loads(out)['regions']}

    def boot_on_first(self):
        server = self.boot(self.fpga_flavor(**{
            'fpga:bitstream': self.image_id}))
        region = next(r for r in (FIRST, SECOND)
                      if self.loaded('compute1', r) == AFU)
        return server, region

    def test_status_shows_who_holds_each_region(self):
        server, region = self.boot_on_first()
        other = SECOND if region == FIRST else FIRST
        found = self.status()
        held = found[region + '_port0']
        self.assertEqual([{'consumer': server['id'],
                           'project_id': server['tenant_id'],
                           'user_id': server['user_id']}],
                         held['placement']['holders'])
        self.assertEqual('nlb', held['loaded_image']['image_name'])
        self.assertEqual(AFU, held['function_id'])
        metrics = held['record']['metrics']
        self.assertEqual((1, 1), (metrics['programmings'],
                                  metrics['cache_misses']))
        self.assertEqual([], found[other + '_port0']['placement']['holders'])
        self.assertIsNone(found[other + '_port0']['loaded_image'])
        code, table, _ = self.nova_fpga('status', '--node', 'compute1')
        self.assertEqual(0, code)
        self.assertIn('%s (project %s)' % (server['id'], server['tenant_id']),
                      table)
        self.assertIn('free', table)

    def test_status_marks_a_loaded_image_deleted_from_glance(self):
        server, region = self.boot_on_first()
        # Without credentials Glance is not asked, and the table says so.
        code, table, err = self.nova_fpga('status', '--node', 'compute1')
        self.assertEqual(0, code, err)
        self.assertIn('still in Glance is unknown', err)
        self.assertNotIn('deleted from Glance', table)
        code, out, err = self.nova_fpga('status', '--node', 'compute1',
                                        '--format', 'json', *AUTH)
        loaded = {entry['region']: entry['loaded_image']
                  for entry in json.loads(out)['regions']}
        self.assertTrue(loaded[region + '_port0']['in_glance'])
        self.glance.delete(None, self.image_id)
        code, table, err = self.nova_fpga('status', '--node', 'compute1',
                                          *AUTH)
        self.assertEqual(0, code, err)
        self.assertIn('nlb (deleted from Glance)', table)
        # The server keeps its region and what it holds.
        self.assertEqual(AFU, self.loaded('compute1', region))

    def test_program_a_free_region(self):
        code, out, err = self.program(FIRST, '--project', PROJECT,
                                      '--format', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('programmed', json.loads(out)['outcome'])
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        self.assertIn('Downloading bitstream image %s (nlb)' % self.image_id,
                      err)
        self.assertIn('Programming FPGA region %s port0' % FIRST, err)
        self.assertIn('Programmed and verified', err)
        record = self.status()[FIRST + '_port0']['record']
        self.assertEqual('user None, project %s' % PROJECT,
                         record['loaded']['by'])
        # Loaded already: nothing is downloaded or programmed again.
        code, out, err = self.program(FIRST, '--project', PROJECT)
        self.assertEqual(0, code, err)
        self.assertIn('skipped', out)
        self.assertNotIn('Downloading', err)

    def test_a_region_held_by_another_project_is_refused(self):
        server, region = self.boot_on_first()
        image = self.add_bitstream(self.gbs('n6000', AFU[::-1]), name='v2',
                                   fpga_function='nlb')
        self.assertFailure(
            5, self.program(region, '--project', PROJECT, bitstream=image),
            region + '_port0', image, 'held by %s of project %s' % (
                server['id'], server['tenant_id']), '--force')
        self.assertEqual(AFU, self.loaded('compute1', region))
        # The server's own project loads a new build into its region.
        code, _, err = self.program(region, '--project', server['tenant_id'],
                                    bitstream=image)
        self.assertEqual(0, code, err)
        self.assertEqual(AFU[::-1], self.loaded('compute1', region))

    def test_force_programs_a_held_region(self):
        _, region = self.boot_on_first()
        image = self.add_bitstream(self.gbs('n6000', AFU[::-1]), name='v2',
                                   fpga_function='nlb')
        code, _, err = self.program(region, '--force', bitstream=image)
        self.assertEqual(0, code, err)

    def test_no_such_region(self):
        self.assertFailure(2, self.program('0000:99:00.0'),
                           '0000:99:00.0_port0', 'no such region')

    def test_bitstream_not_found(self):
        missing = '22222222-0000-4000-8000-000000000002'
        self.assertFailure(3, self.program(FIRST, bitstream=missing),
                           FIRST, missing, 'not visible to the project')
        failures = self.status()[FIRST + '_port0']['record']['metrics'][
            'failures']
        self.assertEqual({'bitstream_not_found': 1}, failures)

    def test_incompatible_bitstream(self):
        image = self.add_bitstream(self.gbs('d5005', AFU), name='d5005-nlb',
                                   fpga_function='nlb')
        self.assertFailure(4, self.program(FIRST, bitstream=image),
                           FIRST, image, 'd5005-nlb', 'interface')

    def test_unhealthy_region(self):
        self.host.crash(FIRST)
        self.assertFailure(6, self.program(FIRST), FIRST, 'unhealthy')

    def test_programming_fails_in_hardware(self):
        self.host.inject_fault(FIRST, 'pr', 5)
        self.assertFailure(6, self.program(FIRST), FIRST, self.image_id,
                           'partial reconfiguration')

    def test_authentication_failure(self):
        result = self.nova_fpga(
            'program', '--region', FIRST + '_port0', '--bitstream',
            self.image_id, '--os-auth-type', 'password')
        self.assertFailure(7, result, 'authentication failed', 'auth_url')

    def test_usage_error(self):
        self.assertEqual(64, self.nova_fpga('program', '--region', 'x')[0])

    def test_scrub(self):
        code, out, err = self.nova_fpga(
            'scrub', '--region', FIRST + '_port0', '--mode', 'reset',
            '--node', 'compute1')
        self.assertEqual(0, code, err)
        self.assertIn('reset', out)
        self.assertEqual('nova-fpga scrub', self.status()[FIRST + '_port0'][
            'record']['scrubbed']['by'])

    def test_scrub_refuses_a_held_region_and_needs_a_mode(self):
        _, region = self.boot_on_first()
        self.assertFailure(5, self.nova_fpga(
            'scrub', '--region', region + '_port0', '--mode', 'reset',
            '--node', 'compute1'), 'held by')
        self.assertFailure(64, self.nova_fpga(
            'scrub', '--region', region + '_port0'), 'scrub_on_release')

    def test_scrub_failure_is_a_hardware_failure(self):
        self.host.crash(FIRST)
        self.assertFailure(6, self.nova_fpga(
            'scrub', '--region', FIRST + '_port0', '--mode', 'reset',
            '--node', 'compute1'), FIRST, 'reset')

    def scrub_first(self):
        return self.nova_fpga('scrub', '--region', FIRST + '_port0',
                              '--mode', 'reset', '--node', 'compute1')

    def test_a_quarantined_region_is_shown_and_not_programmed(self):
        record = quarantine.Quarantine(self.state_dir)
        record.add(FIRST + '_port0', 'scrub failed: EIO')
        before = self.loaded('compute1', FIRST)
        self.assertEqual('scrub failed: EIO',
                         self.status()[FIRST + '_port0']['quarantine'])
        self.assertIsNone(self.status()[SECOND + '_port0']['quarantine'])
        self.assertFailure(6, self.program(FIRST), FIRST + '_port0',
                           self.image_id, 'quarantined (scrub failed: EIO)',
                           'nova-fpga scrub', '--force')
        self.assertEqual(before, self.loaded('compute1', FIRST))
        self.assertEqual({FIRST + '_port0': 'scrub failed: EIO'},
                         record.held())
        # Loaded whole and verified: as clean as a scrub leaves it.
        code, _, err = self.program(FIRST, '--force')
        self.assertEqual(0, code, err)
        self.assertEqual(AFU, self.loaded('compute1', FIRST))
        self.assertEqual({}, record.held())

    def test_a_scrub_takes_a_region_out_of_quarantine(self):
        record = quarantine.Quarantine(self.state_dir)
        record.add(FIRST + '_port0', 'scrub failed: EIO')
        self.host.inject_fault(FIRST, 'reset', errno.EIO)
        self.assertFailure(6, self.scrub_first(), FIRST, 'reset')
        self.assertIn('Scrubbing (reset) FPGA region %s port0 failed' % FIRST,
                      record.held()[FIRST + '_port0'])
        code, _, err = self.scrub_first()
        self.assertEqual(0, code, err)
        self.assertIn('FPGA region %s_port0 leaves quarantine' % FIRST, err)
        self.assertEqual({}, record.held())

    def test_without_placement_holders_are_unknown(self):
        code, out, err = self.nova_fpga('status', '--node', 'elsewhere')
        self.assertEqual(0, code)
        self.assertIn('holders unknown: Placement has no compute node named '
                      'elsewhere', err)
        self.assertIn('unknown', out)
        self.assertFailure(5, self.program(FIRST, '--node', 'elsewhere'),
                           'cannot tell whether an instance holds it')

    def test_cache_list_and_prune(self):
        server, _ = self.boot_on_first()
        code, out, _ = self.nova_fpga('cache', 'list', '--format', 'json')
        self.assertEqual(0, code)
        [entry] = json.loads(out)['bitstreams']
        self.assertEqual(['%s (nlb)' % self.image_id], entry['loaded_as'])
        # A bitstream a server holds stays: a power cycle may need it.
        code, out, _ = self.nova_fpga('cache', 'prune', '--format', 'json')
        self.assertEqual(0, code)
        self.assertEqual([], json.loads(out)['removed'])
        self._delete_server(server)
        code, out, _ = self.nova_fpga('cache', 'prune', '--format', 'json')
        self.assertEqual(0, code)
        self.assertEqual([entry], json.loads(out)['removed'])
        code, out, _ = self.nova_fpga('cache', 'list', '--format', 'json')
        self.assertEqual([], json.loads(out)['bitstreams'])


class PooledOperationsTest(OperationsTest):
    """The same with pooled providers: the region records name holders."""
    LAYOUT = 'pooled'

    def test_a_holder_no_record_names_may_hold_any_region(self):
        server, region = self.boot_on_first()
        os.remove(os.path.join(self.state_dir, region + '_port0.json'))
        found = self.status()
        for name in (FIRST, SECOND):
            entry = found[name + '_port0']['placement']
            self.assertTrue(entry['pool'])
            self.assertEqual([server['id']],
                             [h['consumer'] for h in entry['holders']])
        self.assertIn('maybe %s' % server['id'],
                      self.nova_fpga('status', '--node', 'compute1')[1])
        for name in (FIRST, SECOND):
            self.assertFailure(
                5, self.program(name, '--project', PROJECT),
                'held by a pool of regions (Placement does not say which of '
                'them), by %s' % server['id'])
