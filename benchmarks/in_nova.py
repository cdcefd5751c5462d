"""Measuring inside Nova's functional fixtures, our driver on a simulated host.

Run from the top of a checkout: the fixtures come from tests/functional.
"""

import logging
import sys
import unittest

from tests.functional import libvirt_base


class Measure(libvirt_base.FPGAServersTestBase):
    """``test_measure`` measures and appends lines to ``FIGURES``."""

    FIGURES = []

    def tearDown(self):
        # Measured already; keep the services' shutdown out of the output.
        logging.disable(logging.INFO)
        super().tearDown()


def run(measure):
    """Run ``measure.test_measure``, print its figures; the exit status."""
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=0).run(
        measure('test_measure'))
    print('\n'.join(measure.FIGURES))
    return 0 if result.wasSuccessful() else 1
