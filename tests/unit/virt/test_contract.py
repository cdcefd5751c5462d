"""Where no FPGA is involved, the driver is Nova's libvirt driver.

Every method the mixin overrides takes the arguments Nova's takes and,
for an instance holding no FPGA region, hands them on unchanged.
"""

import inspect
from unittest import mock

import fixtures
from nova.compute import provider_tree
from nova import objects
from nova import test
from nova.tests import fixtures as nova_fixtures
from nova.virt import fake
from nova.virt.libvirt import driver as libvirt_driver
from oslo_utils.fixture import uuidsentinel as uuids

from nova_fpga import discovery
from nova_fpga import model
from nova_fpga.virt import driver

NOVA_DRIVER = libvirt_driver.LibvirtDriver
OVERRIDES = sorted(
    name for name, value in vars(driver.FPGADriverMixin).items()
    if callable(value) and hasattr(NOVA_DRIVER, name))
NODE = 'compute1'
# Nova's methods that return something to the compute manager.
RETURNING = {'_get_guest_config', '_hard_reboot',
             'check_can_live_migrate_destination',
             'check_can_live_migrate_source', 'suspend'}


def signature(name):
    return inspect.signature(getattr(NOVA_DRIVER, name))


class SignatureTest(test.NoDBTestCase):

    def test_every_override_has_nova_signature(self):
        for name in OVERRIDES:
            self.assertEqual(signature(name), inspect.signature(
                getattr(driver.FPGALibvirtDriver, name)), name)

    def test_the_overrides_are_those_with_a_pass_through_test(self):
        self.assertEqual(sorted(PassThroughTest.SPECIAL_ARGUMENTS), OVERRIDES)


class PassThroughTest(test.NoDBTestCase):
    """Each override, given distinct values, calls Nova's with them."""

    # The arguments an override reads itself; every other one is a sentinel.
    SPECIAL_ARGUMENTS = {
        '__init__': ('virtapi',),
        'update_provider_tree': ('provider_tree', 'nodename', 'allocations'),
        'spawn': ('context', 'instance'),
        '_get_guest_config': ('instance',),
        '_hard_reboot': ('instance',),
        'destroy': ('instance',),
        'check_can_live_migrate_destination': ('instance',),
        'check_can_live_migrate_source': ('instance',),
        'suspend': ('instance',),
        'finish_migration': ('context', 'instance'),
        'confirm_migration': ('instance',),
        'finish_revert_migration': ('context', 'instance'),
        'init_host': (),
        'cleanup_host': (),
        'get_available_resource': (),
    }

    def setUp(self):
        super().setUp()
        self.useFixture(nova_fixtures.LibvirtFixture())
        self.useFixture(fixtures.MockPatchObject(
            discovery, 'discover', return_value=model.Inventory()))
        self.virtapi = fake.FakeVirtAPI()
        self.drv = driver.FPGALibvirtDriver(self.virtapi, False)
        # No compute service here to stop an RPC server.
        self.drv.serves_api = False
        self.tree = provider_tree.ProviderTree()
        self.tree.new_root(NODE, uuids.root)
        self.special = {
            'virtapi': self.virtapi, 'provider_tree': self.tree,
            'nodename': NODE, 'allocations': {},
            'context': mock.sentinel.context,
            'instance': objects.Instance(
                uuid=uuids.instance, host=NODE, node=NODE, task_state=None,
                flavor=objects.Flavor(extra_specs={}), system_metadata={},
                resources=None, migration_context=None)}

    def arguments(self, name):
        """A distinct value for every parameter of Nova's ``name``."""
        return {p: self.special.get(p, getattr(mock.sentinel, p))
                for p in list(signature(name).parameters)[1:]}

    def assert_passed(self, name, arguments, parent):
        parent.assert_called_once()
        # However they were spelt, positionally or by keyword.
        passed = signature(name).bind(
            None, *parent.call_args.args, **parent.call_args.kwargs)
        self.assertEqual(arguments, dict(list(passed.arguments.items())[1:]),
                         name)

    def test_init(self):
        arguments = self.arguments('__init__')
        with mock.patch.object(NOVA_DRIVER, '__init__', autospec=True,
                               return_value=None) as parent:
            driver.FPGALibvirtDriver(*arguments.values())
        self.assert_passed('__init__', arguments, parent)

    def test_methods(self):
        for name in OVERRIDES:
            if name == '__init__':
                continue
            arguments = self.arguments(name)
            with mock.patch.object(NOVA_DRIVER, name,
                                   autospec=True) as parent:
                parent.return_value = {'vcpus': 4}
                result = getattr(self.drv, name)(*arguments.values())
            self.assert_passed(name, arguments, parent)
            if name in RETURNING:
                self.assertIs(parent.return_value, result, name)
            elif name == 'get_available_resource':
                # Nova's, with no stats of regions before an update.
                self.assertEqual({'vcpus': 4, 'stats': {}}, result)
