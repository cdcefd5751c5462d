"""GET /fpga/regions at cloud scale, next to the database read it makes.

Real Nova databases (an API database and one cell, schema by Nova's own
migrations, cell0 mapped too) on a sqlite file and, where Debian's
mariadb-server is installed, MariaDB, hold 1,000 and 5,000 compute nodes,
each listing 16 FPGA regions in its stats as nova-compute publishes them
(``regions.operations.summary``; free, held by servers of 20 projects,
and a few quarantined). Rows are written by bulk SQL, with what a libvirt
compute writes beside them (CPU info, NUMA topology, supported instances,
the resource tracker's stats), so the database read is a real one.

It times ``nova_fpga.api.app.API`` in process as an admin (policy,
listing, paging, JSON) for the first page (Nova's ``[api] max_limit``,
1,000), for the whole list in one page (``max_limit`` raised: the API
caps ``limit`` there) and for a client walking every page by
``regions_links``, next to the database work alone:
``scatter_gather_skip_cell0(ctx, ComputeNodeList.get_all)``. Goals, at
1,000 hosts: at most 1.2 times the database read, and at most a second.

For comparison, real Placement (as ``benchmarks.placement_scale`` sets it
up, region layout) times the requests a list served from Placement would
need at the least: the FPGA providers (``required=in:`` the vendor
traits), one request per board, interface and function trait to give each
provider its traits, and the providers with a free FPGA. Each
configuration runs in its own process on fresh databases. Prints
figures; asserts nothing.

Run from the top of a checkout: ``python -m benchmarks.api_list``
(``--hosts 100`` for a quick run).
"""

from nova import monkey_patch; monkey_patch.patch(backend='threading')  # noqa

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from urllib import parse  # noqa: E402
import uuid  # noqa: E402

from benchmarks import placement_scale  # noqa: E402
from nova_fpga import placement  # noqa: E402
from nova_fpga.regions import operations  # noqa: E402
from nova_fpga.regions import records  # noqa: E402
from nova_fpga.virt import reporting  # noqa: E402

GOAL_SECONDS = 1.0
GOAL_RATIO = 1.2
GOAL_HOSTS = 1000
REGIONS_PER_HOST = placement_scale.REGIONS_PER_HOST
PROJECTS = ['%032x' % (0xa000 + i) for i in range(20)]
NAMESPACE = uuid.UUID('5b0e3c52-6a43-4c1e-9c0e-2f1d6a1b7c00')
ADMIN = dict(user_id='%032x' % 1, project_id='%032x' % 2,
             roles=['admin', 'member', 'reader'])


def node_name(index):
    return 'compute%05d' % index


def region_summaries(index):
    """What host ``index`` publishes: about a third held, a few quarantined.

    The cards are placement_scale's (two vendors, a function loaded in
    half the regions).
    """
    summaries = []
    slots = [(device, region) for device in
             placement_scale.host_inventory().devices
             for region in device.regions]
    for slot, (device, region) in enumerate(slots):
        record = records.empty_record()
        if region.function_id:
            record['loaded'] = {
                'function_id': region.function_id,
                'image_id': str(uuid.uuid5(NAMESPACE, region.function_id)),
                'image_name': 'function-%s' % region.function_id[:4],
                'outcome': 'programmed', 'at': '2025-01-01T00:00:00Z'}
        if (index + slot) % 3 == 0:
            project = PROJECTS[(index + slot) % len(PROJECTS)]
            server = uuid.uuid5(NAMESPACE, '%d/%d' % (index, slot))
            record['held'] = {
                'instance': str(server),
                'project_id': project, 'user_id': project,
                'provider': None, 'at': '2025-01-01T00:00:00Z'}
        reason = ('scrub failed' if slot == REGIONS_PER_HOST - 1 and
                  index % 50 == 0 else None)
        summaries.append(operations.summary(device, region, record, reason))
    return summaries


def host_stats(index, summaries):
    """The compute node's stats: the resource tracker's, and ours."""
    held = [s for s in summaries if s['holder']]
    stats = {'num_instances': str(len(held)),
             'num_vm_active': str(len(held)),
             'num_task_None': str(len(held)),
             'num_os_type_None': str(len(held)),
             'io_workload': '0', 'failed_builds': '0',
             reporting.STATS_KEY: json.dumps(summaries)}
    for s in held:
        key = 'num_proj_%s' % s['holder']['project_id']
        stats[key] = str(int(stats.get(key, 0)) + 1)
    return json.dumps(stats)


def libvirt_columns():
    """The columns a libvirt compute of 64 threads on 2 sockets writes."""
    from nova import objects
    from oslo_serialization import jsonutils

    cpu_info = {
        'arch': 'x86_64', 'model': 'Cascadelake-Server-noTSX',
        'vendor': 'Intel', 'topology': {'cells': 2, 'sockets': 1,
                                        'cores': 16, 'threads': 2},
        'features': sorted(
            'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov '
            'pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb '
            'rdtscp lm pni pclmuldq vmx ssse3 fma cx16 pcid sse4.1 sse4.2 '
            'x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor '
            'lahf_lm abm 3dnowprefetch fsgsbase bmi1 hle avx2 smep bmi2 '
            'erms invpcid rtm mpx avx512f avx512dq rdseed adx smap '
            'clflushopt clwb avx512cd avx512bw avx512vl xsaveopt xsavec '
            'xgetbv1 arat pku ospke avx512vnni md-clear arch-capabilities '
            'ssbd'.split()),
        'maxphysaddr': {'mode': 'passthrough', 'bits': 46}}
    cells = []
    for cell in range(2):
        cpus = set(range(cell * 32, cell * 32 + 32))
        cells.append(objects.NUMACell(
            id=cell, socket=cell, cpuset=cpus, pcpuset=set(),
            memory=131072, cpu_usage=0, memory_usage=0, pinned_cpus=set(),
            siblings=[{c, c + 16} for c in range(cell * 32, cell * 32 + 16)],
            mempages=[objects.NUMAPagesTopology(size_kb=size, total=total,
                                                used=0, reserved=0)
                      for size, total in ((4, 33554432), (2048, 0),
                                          (1048576, 0))],
            network_metadata=objects.NetworkMetadata(physnets=set(),
                                                     tunneled=False)))
    return {
        'vcpus': 64, 'memory_mb': 262144, 'local_gb': 2048,
        'hypervisor_type': 'QEMU', 'hypervisor_version': 8002002,
        'cpu_info': jsonutils.dumps(cpu_info),
        'numa_topology': objects.NUMATopology(cells=cells)._to_json(),
        'supported_instances': jsonutils.dumps(
            [[arch, 'kvm', 'hvm'] for arch in ('i686', 'x86_64')]),
        'pci_stats': jsonutils.dumps(
            objects.PciDevicePoolList(objects=[]).obj_to_primitive()),
        'metrics': '[]', 'cpu_allocation_ratio': 4.0,
        'ram_allocation_ratio': 1.0, 'disk_allocation_ratio': 1.0,
        'mapped': 1, 'deleted': 0,
    }


def populate(connection, start, stop):
    """Write compute nodes ``start`` to ``stop`` - 1 by bulk SQL."""
    from oslo_utils import timeutils
    import sqlalchemy as sa

    engine = sa.create_engine(connection)
    meta = sa.MetaData()
    meta.reflect(engine, only=['compute_nodes'])
    common = libvirt_columns()
    now = timeutils.utcnow().replace(microsecond=0)
    rows = []
    for index in range(start, stop):
        summaries = region_summaries(index)
        held = sum(1 for s in summaries if s['holder'])
        rows.append(dict(
            common, created_at=now, updated_at=now,
            uuid=str(uuid.uuid5(NAMESPACE, node_name(index))),
            host=node_name(index), hypervisor_hostname=node_name(index),
            host_ip='10.%d.%d.%d' % (index >> 16, (index >> 8) & 255,
                                     index & 255),
            vcpus_used=4 * held, memory_mb_used=8192 * held,
            local_gb_used=20 * held, free_ram_mb=262144 - 8192 * held,
            free_disk_gb=2048 - 20 * held, disk_available_least=1900,
            current_workload=0, running_vms=held,
            stats=host_stats(index, summaries)))
    with engine.begin() as conn:
        for first in range(0, len(rows), 500):
            conn.execute(meta.tables['compute_nodes'].insert(),
                         rows[first:first + 500])
    engine.dispose()


def median(func, repeat):
    """(median seconds, what the last call returned)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure_nova(hosts_list, walk_hosts, repeat, api_url, cell_url,
                 cell0_url):
    """In this process: {hosts: figures}, growing one cell's compute nodes.

    A client walking every page is timed at ``walk_hosts`` only.
    """
    import nova.conf
    from nova import config as nova_config
    from nova import context as nova_context
    from nova.db.api import api as api_db_api
    from nova.db.main import api as main_db_api
    from nova.db import migration
    from nova import objects
    import webob

    from nova_fpga.api import app
    from nova_fpga.api import listing

    conf = nova.conf.CONF
    nova_config.parse_args(['api_list'], configure_db=False)
    conf.set_override('connection', api_url, 'api_database')
    conf.set_override('connection', cell_url, 'database')
    main_db_api.configure(conf)
    api_db_api.configure(conf)
    objects.register_all()
    migration.db_sync(database='api')
    migration.db_sync(database='main')
    admin = nova_context.RequestContext(**ADMIN)
    for name, cell_uuid, connection in (
            ('cell0', objects.CellMapping.CELL0_UUID, cell0_url),
            ('cell1', str(uuid.uuid4()), cell_url)):
        objects.CellMapping(admin, uuid=cell_uuid, name=name,
                            transport_url='none:///',
                            database_connection=connection).create()

    def get(api, path):
        request = webob.Request.blank(path)
        request.environ[app.CONTEXT_KEY] = admin
        response = request.get_response(api)
        assert response.status_int == 200, response.text
        return response

    def database():
        nodes = nova_context.scatter_gather_skip_cell0(
            admin.elevated(), objects.ComputeNodeList.get_all)
        return sum(len(result) for result in nodes.values())

    def walk(api):
        """Every page, as a client follows ``regions_links``."""
        path, listed, pages = '/regions', [], 0
        while path:
            body = get(api, path).json
            pages += 1
            listed.extend(r['uuid'] for r in body['regions'])
            links = body.get('regions_links') or []
            path = None
            if links:
                href = parse.urlsplit(links[0]['href'])
                path = '%s?%s' % (href.path, href.query)
        return len(set(listed)), pages

    figures = {}
    done = 0
    for hosts in sorted(hosts_list):
        populate(cell_url, done, hosts)
        done = hosts
        regions = hosts * REGIONS_PER_HOST
        conf.clear_override('max_limit', 'api')
        paged = app.API()
        conf.set_override('max_limit', regions, 'api')
        whole = app.API()
        get(paged, '/regions')  # Warm: first imports, engines, policy.
        db, nodes = median(database, repeat)
        listing_s, listed = median(
            lambda: sum(1 for _ in listing.all_regions(admin)), repeat)
        first, response = median(lambda: get(paged, '/regions'), repeat)
        first_count = len(response.json['regions'])
        all_s, response = median(lambda: get(whole, '/regions'), repeat)
        all_count = len(response.json['regions'])
        figures[hosts] = {
            'nodes': nodes, 'regions': regions, 'db': db,
            'listing': (listing_s, listed),
            'first': (first, first_count),
            'whole': (all_s, all_count, len(response.body))}
        if hosts == walk_hosts:
            figures[hosts]['walk'] = median(lambda: walk(paged), 1)
    return figures


def placement_requests():
    """[(label, query)]: the least a list from Placement would ask."""
    vendors = sorted({v for v, _, _, _ in placement_scale.CARDS})
    traits = sorted(
        {placement.trait_name(v, b) for v, b, _, _ in placement_scale.CARDS} |
        {placement.trait_name('interface', i)
         for _, _, i, _ in placement_scale.CARDS} |
        {placement.trait_name('function', f)
         for _, _, _, f in placement_scale.CARDS if f})
    known = {t for _, _, names in placement_scale.children('region')
             for t in names}
    assert set(traits) <= known, set(traits) - known
    return ([('required=in:<vendors>', {'required': 'in:' + ','.join(
        placement.trait_name(v) for v in vendors)})] +
        [('required=%s' % t[len('CUSTOM_FPGA_'):].lower()[:20],
          {'required': t}) for t in traits] +
        [('resources=FPGA:1', {'resources': 'FPGA:1'})])


def measure_placement(hosts, repeat, connection):
    """In this process: [(label, seconds, providers)]."""
    figures = []
    with placement_scale.populated(placement_scale.children('region'),
                                   hosts, 'defaults', connection) as client:
        for label, params in placement_requests():
            def get(params=params):
                resp = client.get('/resource_providers', params=params)
                assert resp.status_code == 200, resp.text
                return len(resp.json()['resource_providers'])
            get()
            seconds, count = median(get, repeat)
            figures.append((label, seconds, count))
    return figures


def run_child(*args):
    out = subprocess.run(
        [sys.executable, '-m', 'benchmarks.api_list', '--child', *args],
        check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=int, action='append',
                        help='compute nodes (repeatable; 1000 and 5000; '
                             'Placement is timed at the fewest)')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--child', nargs='+', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        what, *rest = args.child
        if what == 'nova':
            api_url, cell_url, cell0_url, walk_hosts, *hosts = rest
            result = measure_nova([int(h) for h in hosts], int(walk_hosts),
                                  args.repeat, api_url, cell_url, cell0_url)
        else:
            connection, hosts = rest
            result = measure_placement(int(hosts), args.repeat, connection)
        print(json.dumps(result))
        return 0
    with tempfile.TemporaryDirectory(prefix='api-list-') as workdir:
        databases = placement_scale.Databases(workdir)
        try:
            return run_all(args, databases)
        finally:
            databases.stop()


def _goal(value, goal, applies):
    return '%6.2fx' % (value / goal) if applies else '%7s' % '-'


def run_all(args, databases):
    hosts_list = sorted(args.hosts or [GOAL_HOSTS, 5000])
    goal_hosts = GOAL_HOSTS if GOAL_HOSTS in hosts_list else hosts_list[0]
    print('GET /fpga/regions (nova_fpga.api.app.API in process, admin) next '
          'to the database read it makes (scatter_gather_skip_cell0, '
          'ComputeNodeList.get_all), real Nova databases on %s, one cell, '
          '%d regions per host, median of %d; goals at %d hosts: API <= '
          '%.1fx the database read and <= %.1f s'
          % (' and '.join(databases.kinds), REGIONS_PER_HOST, args.repeat,
             goal_hosts, GOAL_RATIO, GOAL_SECONDS))
    print('%-7s %5s %7s %-24s %7s %7s %7s %7s %7s' % (
        'db', 'hosts', 'regions', 'request', 'API s', 'DB s', 'API/DB',
        '/1.2x', '/1 s'))
    status = 0
    for kind in databases.kinds:
        urls = [databases.new(kind, prefix) for prefix in
                ('nova_api', 'nova_cell1', 'nova_cell0')]
        figures = run_child('nova', *urls, str(goal_hosts),
                            *map(str, hosts_list),
                            '--repeat', str(args.repeat))
        for hosts in hosts_list:
            f = figures[str(hosts)]
            db, regions = f['db'], f['regions']
            page = min(regions, 1000)
            rows = [
                ('all_regions() alone', f['listing'][0], f['listing'][1],
                 False),
                ('first page (%d)' % page, f['first'][0], f['first'][1],
                 hosts == goal_hosts),
                ('whole list (%.1f MB)' % (f['whole'][2] / 1e6),
                 f['whole'][0], f['whole'][1], hosts == goal_hosts),
            ]
            if 'walk' in f:
                seconds, (walked, pages) = f['walk']
                rows.append(('every page (%d, once)' % pages, seconds,
                             walked, False))
            for label, seconds, count, goal in rows:
                want = page if label.startswith('first') else regions
                note = '' if count == want else '  (%d, expected %d)' % (
                    count, want)
                status |= count != want
                print('%-7s %5d %7d %-24s %7.3f %7.3f %6.2fx %s %s%s' % (
                    kind, hosts, regions, label, seconds, db, seconds / db,
                    _goal(seconds / db, GOAL_RATIO, goal),
                    _goal(seconds, GOAL_SECONDS, goal), note))
            if f['nodes'] != hosts:
                print('%-7s %5d compute nodes read: %d'
                      % (kind, hosts, f['nodes']))
                status = 1
            sys.stdout.flush()
    print()
    print('The list from Placement instead (placement.direct in process, no '
          'HTTP; region layout, as benchmarks.placement_scale lays it out, '
          'no allocations): the least it would ask, GET '
          '/resource_providers?..., median of %d; goal <= %.1f s in all'
          % (args.repeat, GOAL_SECONDS))
    print('%-7s %5s %-32s %7s %9s' % ('db', 'hosts', 'request', 'seconds',
                                      'providers'))
    for kind in databases.kinds:
        figures = run_child('placement', databases.new(kind),
                            str(goal_hosts), '--repeat', str(args.repeat))
        for label, seconds, count in figures:
            print('%-7s %5d %-32s %7.3f %9d' % (kind, goal_hosts, label,
                                                seconds, count))
        total = sum(seconds for _, seconds, _ in figures)
        print('%-7s %5d %-32s %7.3f %8.2fx' % (
            kind, goal_hosts, 'all %d requests (/1 s)' % len(figures),
            total, total / GOAL_SECONDS))
        sys.stdout.flush()
    return status


if __name__ == '__main__':
    sys.exit(main())
