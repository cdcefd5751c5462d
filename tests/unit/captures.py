"""Real sysfs captures of FPGA hosts, read from the project's shared data.

They live beside the checkout (../shared/testdata/opae-sysfs-captures, and
the older kernels' in ../shared/testdata/peer-artifacts/sysfs/opae) and
are not copied into the repository; tests that need them skip without them.
"""

import os
import tarfile

import fixtures

CAPTURES = os.environ.get('NOVA_FPGA_CAPTURES') or os.path.join(
    os.path.dirname(__file__), '..', '..', '..', 'shared', 'testdata',
    'opae-sysfs-captures')
OLDER_KERNELS = os.path.join(CAPTURES, '..', 'peer-artifacts', 'sysfs',
                             'opae')


def use(test, name, folder=CAPTURES):
    """Unpack capture ``name`` for ``test``, or skip it saying why."""
    path = os.path.join(folder, name + '.tar.gz')
    if not os.path.exists(path):
        test.skipTest(
            'sysfs capture %s not found: the shared test data is not '
            'beside this checkout (set NOVA_FPGA_CAPTURES to its folder)'
            % path)
    return test.useFixture(Capture(path))


class Capture(fixtures.Fixture):
    """Unpacks one capture; ``sysfs_root`` and ``dev_root`` point into it."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def _setUp(self):
        root = self.useFixture(fixtures.TempDir()).path
        with tarfile.open(self.path) as tar:
            tar.extractall(root, filter='tar')
        # The capture tool prefixes every path with tmp/.
        self.sysfs_root = os.path.join(root, 'tmp', 'sys')
        self.dev_root = os.path.join(root, 'tmp', 'dev')
