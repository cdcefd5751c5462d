"""nova-fpga-compute with Nova's fakelibvirt for a hypervisor: demo only.

This machine cannot run guests, so the demo cloud's computes run our
driver against Nova's fakelibvirt (``nova.tests.fixtures.libvirt``)
with the stand-ins Nova's own libvirt functional tests use for what a
fake hypervisor lacks (image backend, cgroups, os-brick, local disk):
no disks are made or moved, but each instance gets its directory with an
empty file for each disk its domain names, and a resize or migration
stops the guest on its source, as the real ones do.
The FPGA side is a simulated host (``[fpga] simulator_root``); nothing
privileged runs. There is no Neutron in the demo cloud
(demo.no_neutron).

Each domain's XML, as the driver defined it, is also written to
``NOVA_FPGA_DOMAIN_DIR``/<uuid>.xml, where libvirt would keep it, so the
demo can show a guest's ``<hostdev>`` from outside this process.

Usage: ``python -m demo.fake_hypervisor_compute --config-file
...`` (the arguments nova-compute takes).
"""

import os

# Nova's test fixtures package imports its tests' package, which asks for
# eventlet unless told otherwise; nova-compute's own default is native
# threads, so say it here, before anything of Nova is imported (its
# compute command module chooses the mode on import). An operator's
# explicit choice still wins.
os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', 'true')
from nova_fpga.cmd import compute  # noqa: E402,I100

import io  # noqa: E402,I100
import sys  # noqa: E402

import fixtures  # noqa: E402
from lxml import etree  # noqa: E402
import nova.conf  # noqa: E402
from nova.tests import fixtures as nova_fixtures  # noqa: E402
from nova.tests.fixtures import libvirt as fakelibvirt  # noqa: E402
from nova import utils  # noqa: E402
from nova.virt.libvirt import utils as libvirt_utils  # noqa: E402

from demo import no_neutron  # noqa: E402
from nova_fpga import privsep  # noqa: E402

CONF = nova.conf.CONF
DOMAIN_DIR = 'NOVA_FPGA_DOMAIN_DIR'


def _keep_domain_xml(connection, directory):
    os.makedirs(directory, exist_ok=True)
    define = connection.defineXML

    def define_and_keep(xml):
        domain = define(xml)
        path = os.path.join(directory, domain.UUIDString() + '.xml')
        with open(path, 'w') as f:
            f.write(domain.XMLDesc(0))
        _touch_disks(xml)
        return domain
    connection.defineXML = define_and_keep


def _connection():
    """The one fake libvirt connection of this compute, made on first use."""
    if _connection.made is None:
        connection = fakelibvirt.Connection(
            'qemu:///system', version=fakelibvirt.FAKE_LIBVIRT_VERSION,
            hv_version=fakelibvirt.FAKE_QEMU_VERSION,
            host_info=fakelibvirt.HostInfo(cpu_nodes=2, cpu_sockets=1,
                                           cpu_cores=2, cpu_threads=2),
            hostname=CONF.host)
        _connection.made = connection
        _keep_domain_xml(connection, os.environ[DOMAIN_DIR])
    return _connection.made


_connection.made = None


def _touch_disks(xml):
    """Each file disk of the domain, empty, where the image backend puts it.

    Nova reads their sizes (periodic update, hard reboot); raw files of
    size 0 tell it there is nothing to copy or grow.
    """
    for source in etree.fromstring(xml).iterfind(
            "./devices/disk[@type='file']/source"):
        path = source.get('file')
        if path and not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, 'ab').close()


def _create_image(driver, context, instance, *args, **kwargs):
    """No disks to make; the instance's directory, as the real one makes."""
    os.makedirs(libvirt_utils.get_instance_path(instance), exist_ok=True)
    return False, False


def _migrate_disk_and_power_off(driver, context, instance, dest, flavor,
                                network_info, block_device_info=None,
                                timeout=0, retry_interval=0):
    """A resize's or cold migration's source: the guest stops; no disks."""
    driver.power_off(instance, timeout, retry_interval)
    return '{}'


def fake_hypervisor():
    """Nova's libvirt functional-test stand-ins, for the process's life."""
    # Set up for good: the process ends with them.
    for fixture in (nova_fixtures.LibvirtImageBackendFixture(),
                    nova_fixtures.CGroupsFixture(),
                    nova_fixtures.LibvirtFixture(),
                    nova_fixtures.OSBrickFixture(),
                    nova_fixtures.PrivsepFixture()):
        fixture.setUp()
    for target, kwargs in (
            ('nova.virt.libvirt.LibvirtDriver._create_image',
             {'side_effect': _create_image, 'autospec': True}),
            ('nova.virt.libvirt.LibvirtDriver.migrate_disk_and_power_off',
             {'side_effect': _migrate_disk_and_power_off, 'autospec': True}),
            ('nova.virt.libvirt.LibvirtDriver._get_local_gb_info',
             {'return_value': {'total': 128, 'used': 44, 'free': 84}}),
            ('nova.virt.libvirt.driver.libvirt_utils.is_valid_hostname',
             {'return_value': True}),
            ('nova.virt.libvirt.driver.libvirt_utils.file_open',
             {'side_effect': lambda *a, **k: io.BytesIO(b'')}),
            ('nova.privsep.utils.supports_direct_io',
             {'return_value': True}),
            ('nova.virt.libvirt.host.Host.get_online_cpus',
             {'return_value': set(range(16))}),
            ('nova.virt.libvirt.host.Host.get_connection',
             {'side_effect': _connection})):
        fixtures.MockPatch(target, **kwargs).setUp()
    # Nothing privileged happens on a simulated host.
    privsep.sys_admin_pctxt.set_client_mode(False)
    no_neutron.install()


def concurrency():
    """The concurrency mode nova-compute runs in, as the log shows it."""
    if utils.concurrency_mode_threading():
        return 'native threads'
    return 'eventlet'


def main():
    fake_hypervisor()
    # Before Nova's logging is set up: straight to the compute's log.
    sys.stderr.write('nova-compute concurrency: %s\n' % concurrency())
    compute.main()


if __name__ == '__main__':
    main()
