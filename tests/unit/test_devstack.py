"""The devstack plugin, run with stand-ins for devstack's functions.

Its configuration functions write a scratch nova.conf; shellcheck checks
it and the other shell scripts.
"""

import configparser
import glob
import os
import shutil
import subprocess
import sys

import fixtures
import testtools

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# devstack's functions, as the plugin uses them; iniset writes for real.
SHIMS = r'''
iniset() {
    python3 - "$@" <<'PY'
import configparser, sys
path, section, option, value = sys.argv[1:5]
conf = configparser.ConfigParser(interpolation=None)
conf.optionxform = str
conf.read(path)
if section != 'DEFAULT' and not conf.has_section(section):
    conf.add_section(section)
conf.set(section, option, value)
with open(path, 'w') as f:
    conf.write(f)
PY
}
iniget() {
    python3 - "$@" <<'PY'
import configparser, sys
path, section, option = sys.argv[1:4]
conf = configparser.ConfigParser(interpolation=None)
conf.read(path)
print(conf.get(section, option, fallback=''))
PY
}
setup_develop() { echo "setup_develop $*" >> "$CALLS"; }
get_or_create_service() { echo "service $*" >> "$CALLS"; }
get_or_create_endpoint() { echo "endpoint $*" >> "$CALLS"; }
is_service_enabled() { [[ " ${ENABLED:-n-cpu} " == *" $1 "* ]]; }
sudo() { "$@"; }
'''


class DevstackPluginTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.conf = os.path.join(self.dir, 'nova-cpu.conf')
        with open(self.conf, 'w') as f:
            f.write('[DEFAULT]\ncompute_driver = libvirt.LibvirtDriver\n'
                    '[libvirt]\nvirt_type = kvm\n')
        self.calls = os.path.join(self.dir, 'calls')
        self.env = dict(
            os.environ, DEST=self.dir, DATA_DIR=os.path.join(self.dir, 'data'),
            NOVA_CPU_CONF=self.conf, NOVA_CONF=self.conf, CALLS=self.calls,
            SYSTEMD_DIR=self.dir, SYSTEMCTL='echo systemctl',
            PATH=os.path.dirname(sys.executable) + os.pathsep +
            os.environ['PATH'])

    def plugin(self, script, **env):
        """Run ``script`` after devstack would have sourced the plugin."""
        result = subprocess.run(
            ['bash', '-c', SHIMS + 'set -eu\nsource devstack/settings\n' +
             script],
            cwd=TOP, env=dict(self.env, **env), capture_output=True,
            text=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stderr)
        return result.stdout

    def nova_conf(self):
        # DEFAULT read as a section of its own, not mixed into the others.
        conf = configparser.ConfigParser(interpolation=None,
                                         default_section='-')
        conf.read(self.conf)
        return conf

    def test_install_puts_the_package_where_nova_compute_runs(self):
        self.plugin('source devstack/plugin.sh stack install')
        with open(self.calls) as f:
            self.assertEqual('setup_develop %s/nova_fpga\n' % self.dir,
                             f.read())

    def test_post_config_sets_the_driver_and_options(self):
        self.plugin('source devstack/plugin.sh stack post-config',
                    NOVA_FPGA_ENABLED_DEVICES='0000:5e:00.0',
                    NOVA_FPGA_PROVIDER_LAYOUT='region',
                    NOVA_FPGA_GPU_PROVIDER_LAYOUT='device')
        conf = self.nova_conf()
        data = os.path.join(self.dir, 'data', 'nova-fpga')
        self.assertEqual('fpga_libvirt.FPGALibvirtDriver',
                         conf['DEFAULT']['compute_driver'])
        self.assertEqual('kvm', conf['libvirt']['virt_type'])
        self.assertEqual({
            'bitstream_cache_dir': data + '/bitstreams',
            'state_dir': data + '/state',
            'lock_path': data + '/locks',
            'scrub_on_release': 'reset',
            'provider_layout': 'region',
            'gpu_provider_layout': 'device',
            'enabled_devices': '0000:5e:00.0',
        }, dict(conf['fpga']))
        for name in ('bitstreams', 'state', 'locks'):
            self.assertTrue(os.path.isdir(os.path.join(data, name)))

    def test_simulated_host_for_a_machine_without_fpgas(self):
        self.plugin('source devstack/plugin.sh\nconfigure_nova_fpga',
                    NOVA_FPGA_SIMULATE='True',
                    NOVA_FPGA_SIMULATED_CARDS='u250 d5005')
        fpga = self.nova_conf()['fpga']
        root = os.path.dirname(fpga['sysfs_root'])
        self.assertEqual(os.path.join(root, 'dev'), fpga['dev_root'])
        self.assertEqual(os.path.dirname(root), fpga['simulator_root'])
        found = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), 'nova-fpga'),
             'discover', '--sysfs-root', fpga['sysfs_root'], '--dev-root',
             fpga['dev_root']], capture_output=True, text=True, timeout=120)
        self.assertEqual(0, found.returncode, found.stderr)
        self.assertIn('u250', found.stdout)
        self.assertIn('d5005', found.stdout)

    def test_extra_runs_the_compute_service_as_nova_fpga_compute(self):
        unit = os.path.join(self.dir, 'devstack@n-cpu.service')
        with open(unit, 'w') as f:
            f.write('[Service]\nExecStart = /opt/stack/bin/nova-compute '
                    '--config-file /etc/nova/nova-cpu.conf\n')
        out = self.plugin('source devstack/plugin.sh stack extra')
        with open(unit) as f:
            self.assertIn('ExecStart = /opt/stack/bin/nova-fpga-compute '
                          '--config-file', f.read())
        self.assertEqual('systemctl daemon-reload\nsystemctl restart '
                         'devstack@n-cpu.service\n', out)

    def test_nothing_happens_without_n_cpu(self):
        self.plugin('is_service_enabled() { false; }\n'
                    'source devstack/plugin.sh stack install')
        self.assertFalse(os.path.exists(self.calls))

    def test_shellcheck(self):
        if not shutil.which('shellcheck'):
            self.skipTest('shellcheck is not installed: Debian package '
                          'shellcheck')
        scripts = sorted(glob.glob(os.path.join(TOP, 'devstack', '*.sh')) +
                         glob.glob(os.path.join(TOP, 'tools', '*.sh')))
        result = subprocess.run(
            ['shellcheck', '-x', os.path.join(TOP, 'devstack', 'settings'),
             *scripts], cwd=TOP, capture_output=True, text=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stdout)

    def test_the_scheduler_gets_the_filter_after_its_own(self):
        self.plugin('iniset "$NOVA_CONF" filter_scheduler enabled_filters '
                    'ComputeFilter,ImagePropertiesFilter\n'
                    'source devstack/plugin.sh stack post-config',
                    ENABLED='n-sch')
        conf = self.nova_conf()
        self.assertEqual(
            ('nova_fpga.scheduler.filters.all_filters',
             'ComputeFilter,ImagePropertiesFilter,FPGACandidateFilter',
             'nova_fpga.scheduler.weights.all_weighers'),
            (conf['filter_scheduler']['available_filters'],
             conf['filter_scheduler']['enabled_filters'],
             conf['filter_scheduler']['weight_classes']))
        # Not a compute: its driver is left alone.
        self.assertEqual('libvirt.LibvirtDriver',
                         conf['DEFAULT']['compute_driver'])

    def test_a_compute_alone_leaves_the_scheduler_alone(self):
        self.plugin('source devstack/plugin.sh stack post-config')
        self.assertFalse(self.nova_conf().has_section('filter_scheduler'))

    def test_nova_api_serves_the_fpga_api_and_the_catalog_has_it(self):
        paste = os.path.join(self.dir, 'api-paste.ini')
        with open(paste, 'w') as f:
            f.write('[composite:osapi_compute]\n'
                    'use = call:nova.api.openstack.urlmap:urlmap_factory\n'
                    '/v2.1: oscomputeversion_v2\n')
        self.plugin('source devstack/plugin.sh stack post-config',
                    ENABLED='n-api', NOVA_API_PASTE_INI=paste,
                    PYTHON=sys.executable, REGION_NAME='RegionOne',
                    NOVA_SERVICE_PROTOCOL='http',
                    NOVA_SERVICE_HOST='controller')
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(paste)
        self.assertEqual('fpga_api', conf['composite:osapi_compute']['/fpga'])
        self.assertEqual('nova_fpga.api.app:app_factory',
                         conf['app:fpga_api_app']['paste.app_factory'])
        self.assertTrue(conf['composite:fpga_api']['keystone'].endswith(
            'authtoken keystonecontext fpga_api_app'))
        with open(self.calls) as f:
            self.assertEqual(
                ['service nova-fpga fpga FPGA regions',
                 'endpoint fpga RegionOne http://controller/compute/fpga'],
                f.read().splitlines())
