"""Nova's own libvirt driver tests, run against FPGALibvirtDriver.

``load_tests`` puts our class where Nova's tests look for theirs, then
collects Nova's libvirt driver tests and the libvirt case of Nova's
generic virt driver tests. The guard tests here fail when that swap did
not happen.
"""

import inspect
import unittest

from nova.virt import libvirt as nova_libvirt
from nova.virt.libvirt import driver as libvirt_driver
from oslo_utils import importutils
import testtools

from nova_fpga.virt import driver

NOVA_CLASS = libvirt_driver.LibvirtDriver


def _copy_inherited_descriptors(cls):
    """Give ``cls`` its own copy of every inherited static/classmethod.

    fixtures.MonkeyPatch (Nova's stub_out) restores an inherited
    staticmethod as a plain function, and an inherited classmethod bound to
    the parent, onto the class it patched; owning them avoids both.
    """
    for base in reversed(cls.__mro__[1:]):
        for name, value in vars(base).items():
            if (isinstance(value, (staticmethod, classmethod))
                    and name not in vars(cls)):
                setattr(cls, name, value)


def swap():
    """Make Nova's names of its libvirt driver class name ours.

    Nova's tests call ``init_host`` with no compute service around it, and
    fail a test that leaves an RPC server running: ours is not started.
    """
    driver.FPGALibvirtDriver.serves_api = False
    _copy_inherited_descriptors(driver.FPGALibvirtDriver)
    libvirt_driver.LibvirtDriver = driver.FPGALibvirtDriver
    nova_libvirt.LibvirtDriver = driver.FPGALibvirtDriver


def load_tests(loader, tests, pattern):
    swap()
    from nova.tests.unit.virt.libvirt import test_driver
    from nova.tests.unit.virt import test_virt_drivers
    tests.addTests(loader.loadTestsFromModule(test_driver))
    tests.addTests(loader.loadTestsFromTestCase(
        test_virt_drivers.LibvirtConnTestCase))
    return tests


class SwapTest(testtools.TestCase):
    """Nova's tests below build FPGALibvirtDriver, not Nova's class."""

    def test_both_names_are_swapped(self):
        self.assertIs(driver.FPGALibvirtDriver, libvirt_driver.LibvirtDriver)
        self.assertIs(driver.FPGALibvirtDriver, nova_libvirt.LibvirtDriver)
        self.assertIs(driver.FPGALibvirtDriver, importutils.import_class(
            'nova.virt.libvirt.LibvirtDriver'))

    def test_nova_driver_is_still_the_parent(self):
        self.assertIn(NOVA_CLASS, driver.FPGALibvirtDriver.__mro__)
        self.assertIsNot(NOVA_CLASS, driver.FPGALibvirtDriver)

    def classes_built_by(self, case):
        """Run one of Nova's tests; the classes of the drivers it built."""
        built = []
        init = driver.FPGADriverMixin.__init__

        def record(drv, virtapi, read_only=False):
            built.append(type(drv))
            init(drv, virtapi, read_only=read_only)

        self.patch(driver.FPGADriverMixin, '__init__', record)
        result = unittest.TestResult()
        case.run(result)
        self.assertEqual([], result.errors + result.failures)
        return built

    def test_nova_libvirt_driver_tests_build_our_class(self):
        from nova.tests.unit.virt.libvirt import test_driver
        self.assertEqual(
            [driver.FPGALibvirtDriver],
            self.classes_built_by(test_driver.LibvirtConnTestCase(
                'test_public_api_signatures')))

    def test_nova_virt_driver_tests_build_our_class(self):
        from nova.tests.unit.virt import test_virt_drivers
        self.assertEqual(
            [driver.FPGALibvirtDriver],
            self.classes_built_by(test_virt_drivers.LibvirtConnTestCase(
                'test_init_host_image_type_non_rbd')))

    def test_inherited_descriptors_are_our_own(self):
        static = inspect.getattr_static(
            driver.FPGALibvirtDriver, '_get_io_devices')
        self.assertIsInstance(static, staticmethod)
        self.assertIn('_get_io_devices', vars(driver.FPGALibvirtDriver))
