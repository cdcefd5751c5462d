"""Boots that cannot load their bitstream: the fault says why, Nova moves on.

With ``[scheduler] max_attempts = 1`` Nova does not reschedule, and the
instance fault is our message (cut at 255 characters, as Nova stores it).
Otherwise the build moves to another host; once none is left the fault is
Nova's "Exhausted all hosts", and the instance action event
``compute_fpga_load_regions`` keeps our message.
"""

import errno
import hashlib

import fixtures
from nova import exception as nova_exception
from nova.tests import fixtures as nova_fixtures

from nova_fpga.simulator import ioctls
from tests.functional import libvirt_base
from tests.unit.backends import base as programming_base
from tests.unit.bitstream import fakes

FIRST, SECOND, AFU = libvirt_base.FIRST, libvirt_base.SECOND, libvirt_base.AFU


class FailureTest(libvirt_base.FPGAServersTestBase):

    def setUp(self):
        super().setUp()
        self.flags(max_attempts=1, group='scheduler')
        self.host = self.start_fpga_compute('compute1', 'n6000',
                                            scrub_on_release='reset')
        self.data = self.gbs('n6000', AFU)

    def assertRefused(self, image_id, cause, cached=(), programmed=False):
        """The boot fails naming the region, the image and the cause.

        Nothing is left in the cache but ``cached`` (verified files), and
        the region is free in Placement. Unless the failure was in
        ``programmed``, nothing reached the card: a region the failed build
        never programmed is not scrubbed either.
        """
        calls = programming_base.spy(self)
        server = self.boot(self.fpga_flavor(**{'fpga:bitstream': image_id}),
                           expected_state='ERROR')
        message = server['fault']['message']
        self.assertIn('FPGA region %s port0, bitstream image %s' % (
            FIRST, image_id), message)
        self.assertIn(cause, message)
        self.assertEqual(sorted(cached),
                         fakes.cache_files(self.bitstream_cache))
        self.assertEqual(0, self.region_usage('compute1', FIRST))
        reset = ('ioctl', 'dfl-port.0', ioctls.DFL_FPGA_PORT_RESET)
        if programmed:
            self.assertIn(reset, calls)
        else:
            self.assertEqual([], calls)
        return message

    def test_incompatible_bitstream(self):
        image_id = self.add_bitstream(self.gbs('pac_a10', AFU),
                                      fpga_function='nlb')
        self.assertRefused(image_id, 'does not fit region port0',
                           cached=['sha512/' + hashlib.sha512(
                               self.gbs('pac_a10', AFU)).hexdigest()])

    def test_missing_hash(self):
        image_id = self.add_bitstream(self.data, fpga_function='nlb',
                                      meta={'os_hash_value': None})
        self.assertRefused(image_id, 'Glance recorded no os_hash_value')

    def test_hash_mismatch(self):
        image_id = self.add_bitstream(
            self.data, fpga_function='nlb',
            meta={'os_hash_value': hashlib.sha512(b'other').hexdigest()})
        self.assertRefused(image_id, 'data fetched has sha512')

    def test_glance_unreachable(self):
        image_id = self.add_bitstream(self.data, fpga_function='nlb')
        real_show, real_detail = self.glance.show, self.glance.detail
        refused = nova_exception.GlanceConnectionFailed(
            server='glance:9292', reason='connection refused')

        def show(context, wanted, **kwargs):
            if wanted == image_id:
                raise refused
            return real_show(context, wanted, **kwargs)

        def detail(context, **kwargs):
            # The listing that finds a bitstream by id and tag.
            if kwargs.get('filters', {}).get('id') == image_id:
                raise refused
            return real_detail(context, **kwargs)
        self.useFixture(fixtures.MockPatchObject(self.glance, 'show', show))
        self.useFixture(fixtures.MockPatchObject(self.glance, 'detail',
                                                 detail))
        self.assertRefused(image_id, 'looking it up in Glance failed: '
                           'Connection to glance host glance:9292 failed: '
                           'connection refused')

    def test_download_cut(self):
        image_id = self.add_bitstream(self.data, fpga_function='nlb')

        def download(context, image_id, data=None, **kwargs):
            data.write(self.data[:len(self.data) // 2])
            raise IOError('connection reset by peer')
        self.useFixture(fixtures.MockPatchObject(
            self.glance, 'download', download))
        self.assertRefused(image_id,
                           'download failed: connection reset by peer')

    def program_failing(self, err, cause):
        image_id = self.add_bitstream(self.data, fpga_function='nlb')
        self.host.inject_fault(FIRST, 'pr', err)
        message = self.assertRefused(
            image_id, cause,
            cached=['sha512/' + hashlib.sha512(self.data).hexdigest()],
            programmed=True)
        self.assertIn('partial reconfiguration of port 0', message)

    def test_programming_error(self):
        self.program_failing(errno.EIO, 'Input/output error')

    def test_programming_timeout(self):
        self.program_failing(errno.ETIMEDOUT, 'Connection timed out')

    def test_the_event_says_why_once_nova_runs_out_of_hosts(self):
        self.flags(max_attempts=3, group='scheduler')
        image_id = self.add_bitstream(self.data, fpga_function='nlb')
        self.host.inject_fault(FIRST, 'pr', errno.EIO)
        server = self.boot(self.fpga_flavor(**{'fpga:bitstream': image_id}),
                           expected_state='ERROR')
        self.assertIn('Exhausted all hosts', server['fault']['message'])
        details = self._wait_for_action_fail_completion(
            server, 'create', 'compute_fpga_load_regions')['details']
        self.assertIn('FPGA region %s port0, bitstream image %s' % (
            FIRST, image_id), details)


class RescheduleTest(libvirt_base.FPGAServersTestBase):

    def setUp(self):
        # host1 is tried first.
        self.useFixture(nova_fixtures.HostNameWeigherFixture())
        super().setUp()
        self.host = self.simulate('n6000:2')
        self.start_compute_on(self.host, 'host1', enabled_devices=[FIRST])
        self.start_compute_on(self.host, 'host2', enabled_devices=[SECOND])

    def test_failure_on_the_first_host_moves_the_build(self):
        image_id = self.add_bitstream(self.gbs('n6000', AFU),
                                      fpga_function='nlb')
        self.host.inject_fault(FIRST, 'pr', errno.EIO)
        server = self.boot(self.fpga_flavor(**{'fpga:bitstream': image_id}))
        self.assertEqual('host2', server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual([SECOND], self.hostdevs(server))
        self.assertEqual(0, self.region_usage('host1', FIRST))
        self.assertEqual(1, self.region_usage('host2', SECOND))
        inventory = self.host.expected()
        self.assertEqual(AFU, inventory.device(SECOND).regions[0].function_id)
        # Why host1 failed stays in the details of the server's events.
        (create,) = self.api.get_instance_actions(server['id'])
        details = [event['details'] for event in
                   self.api.get_instance_action_details(
                       server['id'], create['request_id'])['events']
                   if event['event'] == 'compute_fpga_load_regions']
        self.assertIn('FPGA region %s port0, bitstream image %s (bitstream): '
                      'partial reconfiguration of port 0' % (
                          FIRST, image_id), ''.join(filter(None, details)))
