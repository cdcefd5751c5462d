"""The tests run in the concurrency mode their tox env asks for."""

import os
import sys

from nova import utils as nova_utils
import testtools


class ConcurrencyModeTest(testtools.TestCase):

    def test_mode_follows_the_environment(self):
        native = os.environ.get(
            'OS_NOVA_DISABLE_EVENTLET_PATCHING', '').lower() == 'true'
        self.assertEqual(native, nova_utils.concurrency_mode_threading())
        self.assertEqual(native, 'eventlet' not in sys.modules)
