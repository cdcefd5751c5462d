"""What each part of nova_fpga may import.

The simulator stands in for hardware: on a real host nothing loads it, so
it is imported only by the two places that act on a simulated host, inside
the function that does (README's "Code map"). The inventory model, the
hardware catalog, the backends and the bitstream package know nothing of
Nova's driver, its resource tracking or Placement.
"""

import ast
import os
import subprocess
import sys

import testtools

import nova_fpga

TOP = os.path.dirname(nova_fpga.__file__)
SIMULATOR = 'nova_fpga.simulator'
# Where the simulator may be imported, in a function: the privileged
# kernel I/O when [fpga] simulator_root is set, and `nova-fpga simulate`.
SIMULATOR_USERS = {
    ('privsep/kernel.py', 'kernel_of'),
    ('cmd/manage.py', 'simulate'),
}
# Parts that stay clear of Nova's driver, resource tracking and Placement.
PLAIN = ('model.py', 'sysfs.py', 'catalog/', 'backends/', 'bitstream/',
         'privsep/')
DRIVER_OR_PLACEMENT = ('nova.virt', 'nova.compute', 'nova.scheduler',
                       'placement', 'os_traits', 'nova_fpga.placement',
                       'nova_fpga.virt', 'nova_fpga.regions')


def paths():
    """The path below nova_fpga/ of each module."""
    for directory, _, files in sorted(os.walk(TOP)):
        for name in sorted(files):
            if name.endswith('.py'):
                yield os.path.relpath(os.path.join(directory, name), TOP)


def sources():
    """``(path below nova_fpga/, parsed module)`` of each module."""
    for path in paths():
        with open(os.path.join(TOP, path)) as f:
            yield path, ast.parse(f.read())


def module_name(path):
    parts = ['nova_fpga'] + path[:-len('.py')].split(os.sep)
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def imported(node):
    """The module names an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module] + ['%s.%s' % (node.module, alias.name)
                                for alias in node.names]
    return []


def imports(tree):
    """``(function name or None, module name)`` of every import."""
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
            else:
                found.extend((function, name) for name in imported(child))
                visit(child, function)
    visit(tree, None)
    return found


class ImportsTest(testtools.TestCase):

    def test_the_simulator_is_imported_only_where_a_host_is_simulated(self):
        users = set()
        for path, tree in sources():
            if path.startswith('simulator/'):
                continue
            for function, module in imports(tree):
                if module == SIMULATOR or module.startswith(SIMULATOR + '.'):
                    users.add((path, function))
        self.assertEqual(SIMULATOR_USERS, users)

    def test_plain_parts_import_no_driver_nor_placement_code(self):
        found = [(path, module) for path, tree in sources()
                 if path.startswith(PLAIN)
                 for _, module in imports(tree)
                 if module.startswith(DRIVER_OR_PLACEMENT)]
        self.assertEqual([], found)

    def test_importing_the_product_loads_neither_simulator_nor_driver(self):
        """Every module but the simulator's, each in a fresh interpreter.

        What the plain parts load, even through other modules, stays clear
        of the driver; and nothing at all loads the simulator.
        """
        plain = [module_name(path) for path in paths()
                 if path.startswith(PLAIN)]
        # A WSGI entry point reads nova.conf when imported, as Nova's own.
        others = [module_name(path) for path in paths()
                  if not path.startswith(('simulator/',) + PLAIN) and
                  path != 'api/wsgi.py']
        # Nova's concurrency mode first, as in every Nova process.
        script = """
import importlib, sys
from nova import monkey_patch
monkey_patch.patch()
for name in %(plain)r:
    importlib.import_module(name)
driver = sorted(m for m in sys.modules if m.startswith(%(driver)r))
for name in %(others)r:
    importlib.import_module(name)
print(driver, sorted(m for m in sys.modules if m.startswith(%(simulator)r)))
""" % {'plain': plain, 'others': others, 'simulator': SIMULATOR,
            'driver': ('nova.virt.libvirt', 'nova.scheduler', 'placement',
                       'nova_fpga.placement', 'nova_fpga.virt')}
        run = subprocess.run([sys.executable, '-c', script],
                             capture_output=True, text=True,
                             cwd=os.path.dirname(TOP))
        self.assertEqual(0, run.returncode, run.stderr)
        self.assertEqual('[] []\n', run.stdout.splitlines(True)[-1])
