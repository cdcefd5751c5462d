"""Which providers hold what a request asks for; the weigher of warm hosts."""

from unittest import mock

from nova import context as nova_context
from nova import objects
from nova.scheduler import host_manager
from nova import test
from oslo_utils.fixture import uuidsentinel as uuids

from nova_fpga.scheduler import warm
from nova_fpga.scheduler import weights
from tests.unit.bitstream import fakes

NLB = '0123456789abcdef0123456789abcdef'
NLB_OTHER_SHELL = 'fedcba9876543210fedcba9876543210'


def bitstream(image_id, function, function_id, **properties):
    return fakes.Image(image_id, b'', properties=dict(
        properties, fpga_function=function, fpga_function_id=function_id))


def spec(extra_specs=None, image_id=None, context=True):
    spec_obj = objects.RequestSpec(
        instance_uuid=uuids.instance,
        flavor=objects.Flavor(extra_specs=extra_specs or {}),
        image=objects.ImageMeta(id=image_id) if image_id else
        objects.ImageMeta())
    if context:
        spec_obj._context = nova_context.RequestContext('user', 'project')
    return spec_obj


class WarmProvidersTest(test.NoDBTestCase):

    def setUp(self):
        super().setUp()
        self.images = fakes.FakeImageAPI(
            bitstream(uuids.nlb, 'nlb', NLB),
            bitstream(uuids.nlb2, 'nlb', NLB_OTHER_SHELL),
            bitstream(uuids.dma, 'dma', None),
            fakes.Image(uuids.vm, b'', tags=(), properties={
                'fpga_function': 'nlb'}))
        self.placement = mock.Mock()
        self.placement.get.return_value = mock.Mock(
            status_code=200, json=lambda: {'resource_providers': [
                {'uuid': uuids.warm}]})
        self.lookup = warm.WarmProviders(self.images, self.placement)

    def asked(self):
        (call,) = self.placement.get.call_args_list
        return call.args[0], call.kwargs['version']

    def test_a_bitstream_by_id(self):
        self.assertEqual({uuids.warm}, self.lookup.of(spec(
            {'fpga:bitstream': uuids.nlb})))
        self.assertEqual(('/resource_providers?required=in:'
                          'CUSTOM_FPGA_FUNCTION_%s' % NLB.upper(), '1.39'),
                         self.asked())

    def test_a_function_on_the_vm_image_names_every_shell_s_build(self):
        self.lookup.of(spec(image_id=uuids.vm))
        self.assertEqual(
            '/resource_providers?required=in:CUSTOM_FPGA_FUNCTION_%s,'
            'CUSTOM_FPGA_FUNCTION_%s' % (NLB.upper(),
                                         NLB_OTHER_SHELL.upper()),
            self.asked()[0])

    def test_nothing_asked_or_nothing_known_asks_placement_nothing(self):
        for spec_obj in (spec(), spec({'resources:FPGA': '1'}),
                         spec({'fpga:function': 'dma'}),
                         spec({'fpga:function': 'nothing'}),
                         spec({'fpga:bitstream': uuids.nlb}, context=False)):
            self.assertEqual(frozenset(), self.lookup.of(spec_obj))
        self.placement.get.assert_not_called()

    def test_a_function_no_region_ever_showed_is_nowhere(self):
        self.placement.get.return_value = mock.Mock(
            status_code=400, text='Invalid trait(s) in "required" '
            'parameter: No such trait(s): CUSTOM_FPGA_FUNCTION_X')
        self.assertEqual(frozenset(), self.lookup.of(spec(
            {'fpga:bitstream': uuids.nlb})))
        self.assertNotIn('none is preferred', self.stdlog.logger.output)

    def test_failures_prefer_nothing(self):
        self.placement.get.return_value = mock.Mock(status_code=503,
                                                    text='down')
        self.assertEqual(frozenset(), self.lookup.of(spec(
            {'fpga:bitstream': uuids.nlb})))
        self.assertIn('none is preferred: Placement answered 503',
                      self.stdlog.logger.output)
        self.assertEqual(frozenset(), self.lookup.of(spec(
            {'fpga:function': ' bad'})))


class WeigherTest(test.NoDBTestCase):

    def weigh(self, *hosts):
        handler = weights.weights.HostWeightHandler()
        return [w.obj.host for w in handler.get_weighed_objects(
            [weights.FPGAWarmWeigher()], list(hosts), None)]

    def host(self, name, warm_host):
        state = host_manager.HostState(name, name, 'cell')
        state.fpga_warm = warm_host
        return state

    def test_warm_hosts_first(self):
        self.assertEqual(['b', 'a'], self.weigh(self.host('a', False),
                                                self.host('b', True)))
        self.assertIn(weights.FPGAWarmWeigher, weights.all_weighers())

    def test_the_multiplier(self):
        self.flags(warm_weight_multiplier=2.5, group='fpga')
        self.assertEqual(2.5, weights.FPGAWarmWeigher().weight_multiplier(
            self.host('a', True)))
