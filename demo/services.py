"""A small FPGA cloud on this machine: every service its own OS process.

On 127.0.0.1, each in a process group of its own with its log in the work
directory (``logs/<name>.log``):

- mariadbd (Debian's MariaDB);
- epmd and rabbitmq-server (Debian's), a node of the demo's own, its
  mnesia and logs in ``rabbitmq/``; Nova's RPC goes over it (rabbit://);
- keystone, Placement, glance-api and nova-api, each under gunicorn;
- nova-conductor (through demo.conductor: no Neutron) and nova-scheduler
  (Nova's command);
- one nova-fpga-compute per simulated FPGA host, through
  demo.fake_hypervisor_compute (fakelibvirt as the hypervisor).

Nova's databases (API, cell0, cell1), Placement's and keystone's are in a
MariaDB (Debian's) of the demo's own, on a socket in the work directory;
Glance's, written by one process and seldom, is a sqlite file.
Stopping the cloud stops every process group it started, in the reverse
order.
"""

import concurrent.futures
import os
import pwd
import shutil
import signal
import sys
import time

from cryptography import fernet
from keystoneauth1 import adapter
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import yaml

from demo import glance
from demo import processes
from nova_fpga.api import paste as fpga_paste
from nova_fpga import simulator

HOST = processes.HOST
REGION = 'RegionOne'
PASSWORD = 'demo-password'
ADMIN = 'admin'
ADMIN_PROJECT = 'ops'
DATABASES = ('nova_api', 'nova_cell0', 'nova_cell1', 'placement',
             'keystone')
# Seconds between a compute's periodic resource updates (Nova: 60).
UPDATE_INTERVAL = 2
# Seconds the FPGA API waits for a compute ([fpga] api_timeout: 300).
API_TIMEOUT = 15
# Nova's default [filter_scheduler] enabled_filters.
NOVA_FILTERS = ('ComputeFilter', 'ComputeCapabilitiesFilter',
                'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
                'ServerGroupAffinityFilter')
COMPUTE_TIMEOUT = 90
# gunicorn closes an idle connection after 2 s, the interval at which the
# client polls (``--wait``): a poll then meets "Remote end closed
# connection". Each answer closes its connection instead.
NO_KEEP_ALIVE = ('--keep-alive', '0')


def _bin(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def _bin_mariadb(name):
    """Debian's MariaDB commands, wherever this machine keeps them."""
    return shutil.which(name) or os.path.join('/usr/sbin', name)


def _user():
    return pwd.getpwuid(os.getuid()).pw_name


def _fernet_keys(directory):
    """A key repository as keystone-manage fernet_setup leaves it.

    A primary key (the highest number) and a staged one (0), each a
    Fernet key alone in a file; written here, it saves two runs of
    keystone-manage, a dozen seconds each on a busy machine.
    """
    for index in (0, 1):
        path = os.path.join(directory, str(index))
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), 'wb') as f:
            f.write(fernet.Fernet.generate_key())


def mariadb(directory, log_path, setup_log_path):
    """A MariaDB server of its own in ``directory``, not yet started.

    Returns (Process, the socket it listens on, the only way in: root
    connects there without a password). Its data directory is made now.
    """
    data = os.path.join(directory, 'data')
    # Its temporary tables here, not in /tmp: two servers started at once
    # (two clouds, a benchmark beside the tests) would collide there.
    tmp = os.path.join(directory, 'tmp')
    os.makedirs(tmp, exist_ok=True)
    socket_path = os.path.join(directory, 'mariadb.sock')
    processes.run([_bin_mariadb('mariadb-install-db'), '--no-defaults',
                   '--datadir=' + data, '--user=' + _user(),
                   '--auth-root-authentication-method=normal',
                   '--skip-test-db', '--tmpdir=' + tmp],
                  setup_log_path, directory, what='mariadb-install-db')
    # Throwaway data: no flush at each commit, a small buffer pool.
    process = processes.Process('mariadb', [
        _bin_mariadb('mariadbd'), '--no-defaults', '--datadir=' + data,
        '--tmpdir=' + tmp, '--socket=' + socket_path, '--skip-networking',
        '--user=' + _user(), '--skip-log-bin',
        '--pid-file=' + os.path.join(directory, 'mariadbd.pid'),
        '--innodb-buffer-pool-size=64M',
        '--innodb-flush-log-at-trx-commit=0'], log_path, directory,
        ready=processes.accepts_unix_connections(socket_path))
    return process, socket_path


def _gunicorn(loader, fd, threads=4):
    """gunicorn serving demo.wsgi's ``loader`` on ``fd``."""
    # Without --no-control-socket gunicorn opens a socket in $HOME.
    return [sys.executable, '-m', 'gunicorn', '--bind', 'fd://%d' % fd,
            '--workers', '1', '--threads', str(threads),
            '--graceful-timeout', '5', '--no-control-socket',
            *NO_KEEP_ALIVE, 'demo.wsgi:' + loader]


class Cloud:
    """The cloud in ``workdir``: start(), start_fpga_compute(), stop().

    ``say(text)`` is told what starts, as it starts.
    """

    def __init__(self, workdir, say=lambda text: None):
        self.workdir = os.path.abspath(workdir)
        self.say = say
        self.processes = []
        self.fpga_hosts = {}
        self.computes = {}
        self.sockets = {}
        self.urls = {}
        self.fpga_options = {}
        self.people = {}
        self._admin = None
        self.placement = None

    def path(self, *names):
        path = os.path.join(self.workdir, *names)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def log(self, name):
        return self.path('logs', name + '.log')

    # Start and stop.

    def start(self):
        """The control plane, each part as soon as what it needs is up."""
        for name in ('keystone', 'placement', 'nova-api'):
            self.sockets[name] = processes.listening_socket()
            self.urls[name] = 'http://%s:%d' % (
                HOST, self.sockets[name].getsockname()[1])
        self.urls['keystone'] += '/v3'
        self.urls['fpga'] = self.urls['nova-api'] + fpga_paste.MOUNT
        self.urls['nova-api'] += '/v2.1'
        self.rabbit_port = processes.free_port()
        self.transport_url = 'rabbit://guest:guest@%s:%d/' % (
            HOST, self.rabbit_port)
        try:
            self._start_all()
        finally:
            for sock in self.sockets.values():
                sock.close()
            self.sockets.clear()

    def _start_all(self):
        rabbit = self._spawn_rabbit()
        self._spawn_mariadb()
        self._create_databases()
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            keystone = pool.submit(self._setup_keystone)
            nova_dbs = pool.submit(self._setup_nova_databases)
            glance_db = pool.submit(self._setup_glance)
            glance_api = glance_db.result()
            glance_api.spawn()
            self.processes.append(glance_api)
            self._wait(keystone.result())
            self._register()
            nova_dbs.result()
        placement = self._spawn_placement()
        nova_api = self._spawn('nova-api', _gunicorn(
            'load_nova_api()',
            self.sockets['nova-api'].fileno()),
            ready=processes.answers_http(self.urls['nova-api']),
            env=self._nova_env(), pass_fds=(
                self.sockets['nova-api'].fileno(),))
        for process in (placement, glance_api, nova_api):
            self._wait(process)
        self._wait(rabbit)
        self._spawn('nova-conductor', [
            sys.executable, '-m', 'demo.conductor', '--config-file',
            self.nova_conf])
        self._spawn('nova-scheduler', [_bin('nova-scheduler'),
                                       '--config-file', self.nova_conf])

    def _spawn(self, name, command, env=None, ready=None, pass_fds=()):
        process = processes.Process(
            name, command, self.log(name), self.workdir, env=env,
            ready=ready, pass_fds=pass_fds)
        process.spawn()
        self.processes.append(process)
        return process

    def _wait(self, process):
        process.wait_until_ready()
        self.say('%s up' % process.name)

    def stop(self):
        """Stop every process started, the last started first."""
        errors = []
        while self.processes:
            process = self.processes.pop()
            try:
                process.stop()
            except Exception as e:
                errors.append('%s: %s' % (process.name, e))
        return errors

    def _service(self, name):
        return next(p for p in self.processes if p.name == name)

    def stop_service(self, name):
        """Stop a service of the control plane (``placement``, ...).

        Its port then refuses connections, as a service that is down does.
        """
        self._service(name).stop()

    def start_service(self, name):
        """Start a service stopped by stop_service again, on its port."""
        process = self._service(name)
        bind = next((i for i, part in enumerate(process.command)
                     if part.startswith('fd://')), None)
        if bind is None:
            # It binds its port itself.
            process.start()
            self.say('%s up' % name)
            return
        port = (self.glance.port if name == 'glance-api' else
                int(self.urls[name].split(':')[2].split('/')[0]))
        sock = processes.listening_socket(port)
        try:
            process.command[bind] = 'fd://%d' % sock.fileno()
            process.pass_fds = (sock.fileno(),)
            process.start()
        finally:
            sock.close()
        self.say('%s up' % name)

    def check_running(self):
        """ProcessError when a service has exited."""
        for process in self.processes:
            process.check_running()

    # RabbitMQ.

    def _spawn_rabbit(self):
        home = self.path('rabbitmq', 'home')
        os.makedirs(home, exist_ok=True)
        epmd_port = processes.free_port()
        # An epmd of its own, in the foreground: stopped with the cloud.
        self._spawn('epmd', ['epmd', '-port', str(epmd_port)])
        env = dict(
            os.environ, HOME=home, ERL_EPMD_PORT=str(epmd_port),
            RABBITMQ_NODENAME='nova-fpga-demo-%d@localhost' % os.getpid(),
            RABBITMQ_NODE_IP_ADDRESS=HOST,
            RABBITMQ_NODE_PORT=str(self.rabbit_port),
            RABBITMQ_DIST_PORT=str(processes.free_port()),
            RABBITMQ_MNESIA_BASE=self.path('rabbitmq', 'mnesia'),
            RABBITMQ_LOG_BASE=self.path('rabbitmq', 'log'),
            RABBITMQ_ENABLED_PLUGINS_FILE=self.path('rabbitmq', 'plugins'),
            RABBITMQ_CONFIG_FILE=self.path('rabbitmq', 'rabbitmq'),
            RABBITMQ_ADVANCED_CONFIG_FILE=self.path('rabbitmq',
                                                    'advanced.config'),
            RABBITMQ_CONF_ENV_FILE=self.path('rabbitmq', 'env.conf'))
        # Debian's /usr/sbin wrapper would switch to its rabbitmq user.
        return self._spawn(
            'rabbitmq', ['/usr/lib/rabbitmq/bin/rabbitmq-server'], env=env,
            ready=processes.accepts_connections(self.rabbit_port))

    # Keystone.

    def _auth_options(self):
        """How a service authenticates to keystone: as the admin."""
        return {'auth_url': self.urls['keystone'], 'auth_type': 'password',
                'username': ADMIN, 'password': PASSWORD,
                'project_name': ADMIN_PROJECT, 'user_domain_name': 'Default',
                'project_domain_name': 'Default', 'region_name': REGION}

    def _authtoken_options(self):
        # The catalog has public endpoints only.
        return dict(self._auth_options(), interface='public',
                    www_authenticate_uri=self.urls['keystone'])

    def _setup_keystone(self):
        conf = self.path('keystone', 'keystone.conf')
        glance.write_ini(conf, {
            # Not sqlite: two logins at once fail there ("database is
            # locked"), whatever its timeout.
            'database': {'connection': self._mysql('keystone')},
            'token': {'provider': 'fernet'},
            'fernet_tokens': {'key_repository': self.path(
                'keystone', 'fernet-keys', '')},
            'credential': {'key_repository': self.path(
                'keystone', 'credential-keys', '')},
            # keystone-manage bootstrap needs this one too (its default
            # is under /etc/keystone).
            'fernet_receipts': {'key_repository': self.path(
                'keystone', 'receipt-keys', '')},
        })
        for name in ('fernet-keys', 'credential-keys', 'receipt-keys'):
            _fernet_keys(self.path('keystone', name, ''))
        log = self.log('keystone-manage')
        manage = [_bin('keystone-manage'), '--config-file', conf]
        for args in (['db_sync'],
                     ['bootstrap', '--bootstrap-password', PASSWORD,
                      '--bootstrap-username', ADMIN,
                      '--bootstrap-project-name', ADMIN_PROJECT,
                      '--bootstrap-region-id', REGION,
                      '--bootstrap-public-url', self.urls['keystone']]):
            processes.run(manage + args, log, self.workdir,
                          what='keystone-manage %s' % args[0])
        fd = self.sockets['keystone'].fileno()
        return self._spawn(
            'keystone', _gunicorn("load('keystone.wsgi.api')", fd),
            env=dict(os.environ, OS_KEYSTONE_CONFIG_FILES=conf),
            ready=processes.answers_http(self.urls['keystone']),
            pass_fds=(fd,))

    def session(self, user=ADMIN, project=ADMIN_PROJECT):
        auth = v3.Password(
            auth_url=self.urls['keystone'], username=user,
            password=PASSWORD, project_name=project,
            user_domain_name='Default', project_domain_name='Default')
        return ks_session.Session(auth=auth)

    def _register(self):
        """The catalog, and the demo's people in clouds.yaml."""
        admin = adapter.Adapter(self.session(), service_type='identity',
                                interface='public')
        for kind, name, url in (
                ('compute', 'nova', self.urls['nova-api']),
                ('fpga', 'nova-fpga', self.urls['fpga']),
                ('image', 'glance', self.glance.url),
                ('placement', 'placement', self.urls['placement'])):
            service = admin.post('/services', json={'service': {
                'type': kind, 'name': name}}).json()['service']
            admin.post('/endpoints', json={'endpoint': {
                'service_id': service['id'], 'interface': 'public',
                'region_id': REGION, 'url': url}})
        # A token of after the catalog was made, to find Placement in it.
        session = self.session()
        self._admin = adapter.Adapter(session, service_type='identity',
                                      interface='public')
        self.placement = adapter.Adapter(session, service_type='placement',
                                         interface='public')
        self.people[ADMIN] = ADMIN_PROJECT
        self._write_clouds_yaml()

    def _role_id(self, name):
        return self._admin.get('/roles', params={'name': name}).json()[
            'roles'][0]['id']

    def add_person(self, user, project, roles=('member', 'reader')):
        """A user with ``roles`` in ``project`` (both made when new)."""
        found = self._admin.get('/projects', params={'name': project}).json()
        if found['projects']:
            project_id = found['projects'][0]['id']
        else:
            project_id = self._admin.post('/projects', json={'project': {
                'name': project, 'domain_id': 'default'}}).json()[
                'project']['id']
        user_id = self._admin.post('/users', json={'user': {
            'name': user, 'password': PASSWORD, 'domain_id': 'default',
            'default_project_id': project_id}}).json()['user']['id']
        for role in roles:
            self._admin.put('/projects/%s/users/%s/roles/%s' % (
                project_id, user_id, self._role_id(role)))
        self.people[user] = project
        self._write_clouds_yaml()
        return project_id

    @property
    def clouds_yaml(self):
        return os.path.join(self.workdir, 'clouds.yaml')

    def _write_clouds_yaml(self):
        clouds = {user: {
            'auth': {'auth_url': self.urls['keystone'], 'username': user,
                     'password': PASSWORD, 'project_name': project,
                     'user_domain_name': 'Default',
                     'project_domain_name': 'Default'},
            'region_name': REGION, 'identity_api_version': 3}
            for user, project in self.people.items()}
        with open(self.clouds_yaml, 'w') as f:
            yaml.safe_dump({'clouds': clouds}, f)

    def project_id(self, name):
        return self._admin.get('/projects', params={'name': name}).json()[
            'projects'][0]['id']

    # Placement and Glance.

    def _spawn_placement(self):
        directory = self.path('placement', '')
        glance.write_ini(os.path.join(directory, 'placement.conf'), {
            'placement_database': {
                'connection': self._mysql('placement'),
                'sync_on_startup': 'true'},
            # Placement's own retry over-allocates on MariaDB; Nova's
            # client retries each conflict in a new request (README:
            # "Concurrent boots").
            'placement': {'allocation_conflict_retry_count': '1'},
            'api': {'auth_strategy': 'keystone'},
            'keystone_authtoken': self._authtoken_options(),
        })
        fd = self.sockets['placement'].fileno()
        return self._spawn(
            'placement', _gunicorn("load('placement.wsgi.api')", fd),
            env=dict(os.environ, OS_PLACEMENT_CONFIG_DIR=directory),
            ready=processes.answers_http(self.urls['placement']),
            pass_fds=(fd,))

    def _setup_glance(self):
        self.glance = glance.GlanceServer(
            self.path('glance', ''), keystone=self._authtoken_options())
        process = self.glance.prepare()
        self.sockets['glance'] = self.glance._socket
        return process

    # Nova.

    def _nova_sections(self):
        nova = self.path('nova', '')
        return {
            'DEFAULT': {'transport_url': self.transport_url,
                        'state_path': nova, 'my_ip': HOST,
                        'compute_driver': 'fpga_libvirt.FPGALibvirtDriver',
                        'update_resources_interval': str(UPDATE_INTERVAL),
                        # A resize may stay on its host, as on one-node
                        # clouds; a cold migration never does (libvirt).
                        'allow_resize_to_same_host': 'true',
                        # A compute started later updates at once, not
                        # after up to a minute (Nova's default).
                        'periodic_fuzzy_delay': '0'},
            'api_database': {'connection': self._mysql('nova_api')},
            'database': {'connection': self._mysql('nova_cell1')},
            'api': {'auth_strategy': 'keystone'},
            'wsgi': {'api_paste_config': nova + 'api-paste.ini'},
            'keystone_authtoken': self._authtoken_options(),
            'placement': self._auth_options(),
            'glance': {'region_name': REGION},
            'oslo_concurrency': {'lock_path': self.path('nova', 'locks', '')},
            'conductor': {'workers': '1'},
            # A build that fails is not tried on another host: its fault
            # is then the driver's own message (why the region could not
            # be loaded), not Nova's "Exhausted all hosts".
            'scheduler': {'workers': '1', 'max_attempts': '1'},
            # Concurrent boots spread over free regions (README: "The
            # scheduler filter").
            'filter_scheduler': {
                'available_filters': 'nova_fpga.scheduler.filters.all_filters',
                'enabled_filters': ','.join(
                    NOVA_FILTERS + ('FPGACandidateFilter',)),
                'weight_classes': 'nova_fpga.scheduler.weights.all_weighers'},
            # Who keeps warm regions loaded ([fpga] warm_bitstreams): the
            # demo's services are all its admin.
            'service_user': self._auth_options(),
            'os_vif_ovs': {'ovsdb_connection': ''},
            # The FPGA API's wait for a compute is short for a demo.
            'fpga': dict(self.fpga_options, api_timeout=str(API_TIMEOUT)),
        }

    def _mysql(self, database):
        return ('mysql+pymysql://root@localhost/%s?unix_socket=%s'
                '&charset=utf8' % (database, self.mariadb_socket))

    def _spawn_mariadb(self):
        """MariaDB for Nova's databases, on a socket in the work directory.

        Nova's conductor, scheduler and API write the same databases at
        once (Placement's threads too); sqlite, as oslo.db uses it, fails
        such writers at once ("database is locked"), whatever its busy
        timeout: oslo.db begins every transaction, reads too, and one
        that then writes cannot wait for another writer.
        """
        self.mariadb, self.mariadb_socket = mariadb(
            self.path('mariadb', ''), self.log('mariadb'),
            self.log('mariadb-setup'))
        self.mariadb.spawn()
        self.processes.append(self.mariadb)

    def start_fpga_api(self):
        """The FPGA API on its own (nova_fpga.api.wsgi); its URL."""
        sock = processes.listening_socket()
        url = 'http://%s:%d%s' % (HOST, sock.getsockname()[1],
                                  fpga_paste.MOUNT)
        self._wait(self._spawn(
            'fpga-api', _gunicorn("load('nova_fpga.api.wsgi')",
                                  sock.fileno()),
            env=self._nova_env(), ready=processes.answers_http(url),
            pass_fds=(sock.fileno(),)))
        sock.close()
        return url

    def _nova_env(self):
        return dict(os.environ, OS_NOVA_CONFIG_DIR=self.path('nova', ''))

    def _create_databases(self):
        self._wait(self.mariadb)
        processes.run([_bin_mariadb('mariadb'), '--no-defaults', '-S',
                       self.mariadb_socket, '-uroot', '-e', ' '.join(
                           'CREATE DATABASE %s;' % name
                           for name in DATABASES)],
                      self.log('mariadb-setup'), self.workdir,
                      what='creating the databases')

    def _setup_nova_databases(self):
        self.nova_conf = self.path('nova', 'nova.conf')
        # The nova wheel installs it under sys.prefix.
        with open(os.path.join(sys.prefix, 'etc', 'nova',
                               'api-paste.ini')) as f:
            nova_paste = f.read()
        # The FPGA API in nova-api's pipeline, at /fpga.
        with open(self.path('nova', 'api-paste.ini'), 'w') as f:
            f.write(fpga_paste.mounted(nova_paste))
        glance.write_ini(self.nova_conf, self._nova_sections())
        log = self.log('nova-manage')
        manage = [_bin('nova-manage'), '--config-file', self.nova_conf]
        for args in (['api_db', 'sync'],
                     ['cell_v2', 'map_cell0', '--database_connection',
                      self._mysql('nova_cell0')],
                     ['cell_v2', 'create_cell', '--name', 'cell1'],
                     ['db', 'sync']):
            processes.run(manage + args, log, self.workdir,
                          what='nova-manage %s' % ' '.join(args[:2]))

    def start_fpga_compute(self, hostname, *cards, **fpga_options):
        """nova-fpga-compute on a new simulated host with ``cards``.

        ``fpga_options`` are its own ``[fpga]`` options, over the cloud's.
        """
        root = self.path('hosts', hostname, '')
        host = simulator.build(
            os.path.join(root, 'fpga'),
            [spec for text in cards for spec in simulator.parse_card(text)])
        conf = self.compute_conf(hostname)
        glance.write_ini(conf, {
            'DEFAULT': {'host': hostname, 'state_path': root,
                        'instances_path': root + 'instances'},
            'fpga': dict(self.fpga_options, **fpga_options,
                         simulator_root=host.root,
                         sysfs_root=host.sysfs_root,
                         dev_root=host.dev_root,
                         bitstream_cache_dir=root + 'bitstream-cache',
                         state_dir=self.state_dir(hostname),
                         lock_path=root + 'locks'),
        })
        # The compute's options after the cloud's: they win.
        self.computes[hostname] = self._spawn(
            hostname,
            [sys.executable, '-m', 'demo.fake_hypervisor_compute',
             '--config-file', self.nova_conf, '--config-file', conf],
            env=dict(os.environ, NOVA_FPGA_DOMAIN_DIR=root + 'domains'))
        self.fpga_hosts[hostname] = host
        try:
            self._wait_for_provider(hostname)
        except BaseException:
            # The rest of the cloud goes on without it; its log stays.
            self.stop_compute(hostname)
            raise
        processes.run([_bin('nova-manage'), '--config-file', self.nova_conf,
                       'cell_v2', 'discover_hosts'],
                      self.log('nova-manage'), self.workdir,
                      what='nova-manage cell_v2 discover_hosts')
        return host

    def stop_compute(self, hostname):
        """Stop ``hostname``'s compute; the cloud forgets it."""
        process = self.computes.pop(hostname)
        self.processes.remove(process)
        process.stop()

    def kill_compute(self, hostname):
        """SIGKILL ``hostname``'s compute, as a crash would, and start it.

        Returns once it is running again; its work in progress is lost.
        """
        process = self.computes[hostname]
        os.killpg(process.pid, signal.SIGKILL)
        process.stop()
        process.spawn()

    def pause_compute(self, hostname):
        """SIGSTOP ``hostname``'s compute, as a hung host.

        Up, as far as Nova knows, but silent; ``resume_compute`` lets it
        go on.
        """
        os.killpg(self.computes[hostname].pid, signal.SIGSTOP)

    def resume_compute(self, hostname):
        os.killpg(self.computes[hostname].pid, signal.SIGCONT)

    def state_dir(self, hostname):
        """``[fpga] state_dir`` of ``hostname``'s compute."""
        return self.path('hosts', hostname, 'state')

    def compute_conf(self, hostname):
        """The options of ``hostname``'s compute over the cloud's."""
        return self.path('hosts', hostname, 'nova-compute.conf')

    def _wait_for_provider(self, hostname):
        placement = self.placement
        deadline = time.monotonic() + COMPUTE_TIMEOUT
        while not placement.get('/resource_providers', params={
                'name': hostname}).json()['resource_providers']:
            self.computes[hostname].check_running()
            if time.monotonic() > deadline:
                raise processes.ProcessError(
                    '%s did not report to Placement within %d s%s' % (
                        hostname, COMPUTE_TIMEOUT, processes.log_tail(
                            self.log(hostname))))
            time.sleep(0.5)

    def domain_xml(self, hostname, server_id):
        """The domain XML the driver defined for the server on ``host``."""
        with open(self.path('hosts', hostname, 'domains',
                            server_id + '.xml')) as f:
            return f.read()
