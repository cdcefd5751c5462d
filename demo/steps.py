"""The demo's steps: what an operator and a user do, each result checked.

A step takes the Demo, acts with the ``openstack`` command
(demo.osc) as the operator or the user would, checks what came
of it (Placement's API, the simulated hosts, the domain XML) and returns
a Result: a line and the tables to show. StepFailed says what did not
happen.
"""

import json
import os
import re
import subprocess
import sys
import time

from demo import bitstreams
from demo import images
from demo import inspection
from demo import osc
from demo import output
from demo import scenario
from nova_fpga import placement
from nova_fpga.regions import records
from nova_fpga import simulator

# A region's function trait follows programming at the compute's next
# periodic resource update.
UPDATE_TIMEOUT = 30
STATUS_TIMEOUT = 120
# osc-placement's ``--required`` wants Placement 1.18.
GPU_PLACEMENT_VERSION = '1.18'
_MEMORY_BAND = re.compile(placement.gpu_trait_name('memory_ge_') + r'(\d+)G$')
_POLL = 0.5


class StepFailed(Exception):
    """A step did not do what it should; the message says what."""


def check(condition, message, *args):
    if not condition:
        raise StepFailed(message % args)


def eventually(function, timeout=UPDATE_TIMEOUT):
    """``function()``, called again on StepFailed until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return function()
        except StepFailed:
            if time.monotonic() > deadline:
                raise
        time.sleep(_POLL)


class Result:
    """What a step did, in a line, and the tables that show it."""

    def __init__(self, line, *tables):
        self.line = line
        self.tables = tables


class Demo:
    """What the steps share: the cloud, who acts in it, what they made."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.operator = osc.Client(cloud.clouds_yaml, scenario.OPERATOR.user)
        self.user = osc.Client(cloud.clouds_yaml, scenario.USER.user)
        self.images = {}
        self.flavors = {}
        self.servers = {}
        # The spec of each server's last move.
        self.moved = {}
        self.first_active = None
        # The UUID of the region alice loads her own build on.
        self.dev_region = None

    def fill_in(self, template):
        """``{name}`` in ``template`` replaced by that bitstream's id."""
        return template.format(**{b.name: self.images[b.name]['id']
                                  for b in scenario.BITSTREAMS})

    def write(self, name, data):
        path = os.path.join(self.cloud.workdir, name)
        with open(path, 'wb') as f:
            f.write(data)
        return path


def titled(title):
    """Give a step the title its progress line shows."""
    def mark(step):
        step.title = title
        return step
    return mark


def _function_trait(function_id):
    return placement.trait_name('function', function_id)


def _short(text, keep=8):
    """The start of a long id or trait, enough to tell them apart here."""
    return text[:keep] + '...' if text else '-'


def _region_name(provider):
    return '%s %s' % (provider.host, provider.region)


@titled('Configuring the computes ([fpga] options)')
def configure_computes(demo):
    blanks = {}
    for kind, blank in sorted(scenario.BLANKS.items()):
        path = demo.write('%s-%s.bin' % (blank.name, kind), bitstreams.make(
            kind, blank.function_id, blank.name))
        blanks[simulator.INTERFACE_IDS[kind]] = path
    # One provider per region, so that Placement shows each (the default
    # pools them: see README's Placement at scale).
    demo.cloud.fpga_options.update(
        scrub_on_release='blank', provider_layout='region',
        blank_bitstreams=','.join('%s:%s' % item
                                  for item in sorted(blanks.items())))
    rows = [('scrub_on_release', 'blank'), ('provider_layout', 'region')]
    rows += [('blank_bitstreams', '%s:%s' % item)
             for item in sorted(blanks.items())]
    rows += [(name, 'hosts/<host>/' + where) for name, where in (
        ('simulator_root', 'fpga'), ('sysfs_root', 'fpga/sys'),
        ('dev_root', 'fpga/dev'), ('bitstream_cache_dir', 'bitstream-cache'),
        ('lock_path', 'locks'))]
    return Result('scrub_on_release = blank',
                  output.table(('[fpga] option', 'value'), rows))


def _on(host, providers):
    return [p for p in providers.values() if p.host == host.name]


def _warm_options(demo, host):
    """``[fpga] warm_bitstreams`` of ``host``, as scenario.WARM says."""
    if host.name not in scenario.WARM:
        return {}
    name, count = scenario.WARM[host.name]
    return {'warm_bitstreams': '%s:%d' % (demo.images[name]['id'], count)}


def _kept_warm(demo, host):
    name, count = scenario.WARM[host.name]
    function_id = scenario.bitstream(name).function_id
    warm = [p for p in _on(host, inspection.fpga_providers(demo.cloud))
            if inspection.region_on_host(demo.cloud, p)[1].function_id ==
            function_id and _function_trait(function_id) in p.traits]
    check(len(warm) == count, '%d regions of %s are warm with %s, not %d',
          len(warm), host.name, name, count)
    return ', %d kept warm with %s' % (count, name)


def start_compute(host):
    warm = ', %s kept warm' % scenario.WARM[host.name][0] if (
        host.name in scenario.WARM) else ''

    @titled('Starting %s: %s (simulated)%s' % (host.name, host.description,
                                               warm))
    def start(demo):
        demo.cloud.start_fpga_compute(host.name, *host.cards,
                                      **_warm_options(demo, host))
        line = []
        for what, providers, gpu in (
                ('FPGA region', inspection.fpga_providers(demo.cloud), False),
                ('GPU', inspection.gpu_providers(demo.cloud), True)):
            # A pool of GPUs counts its GPUs.
            found = sum(p.total for p in _on(host, providers))
            expected = len(scenario.cards(host, gpu=gpu))
            check(found == expected,
                  '%d %ss in Placement for %s, expected %d',
                  found, what, host.name, expected)
            if found:
                line.append('%d %s(s)' % (found, what))
        kept = eventually(lambda: _kept_warm(demo, host)) if (
            host.name in scenario.WARM) else ''
        return Result('%s in Placement%s' % (' and '.join(line), kept))
    return start


def _traits(demo, provider):
    """The provider's traits, as the client lists them."""
    return {t['name'] for t in demo.operator.json(
        '--os-placement-api-version', inspection.PLACEMENT_VERSION,
        'resource', 'provider', 'trait', 'list', provider.uuid)}


@titled('Listing the FPGA providers in Placement')
def list_providers(demo):
    listed = {rp['uuid'] for rp in demo.operator.json(
        'resource', 'provider', 'list')}
    providers = sorted(inspection.fpga_providers(demo.cloud).values(),
                       key=lambda p: p.name)
    rows = []
    for p in providers:
        check(p.uuid in listed, '%s is not listed', p.name)
        check(p.total == 1 and p.reserved == 0 and p.used == 0,
              '%s: FPGA total %d reserved %d used %d, expected 1 0 0',
              p.name, p.total, p.reserved, p.used)
        traits = _traits(demo, p)
        check(traits == p.traits, '%s: the client lists traits %s, '
              'Placement has %s', p.name, sorted(traits), sorted(p.traits))
        check(any(t.startswith(placement.trait_name('interface', ''))
                  for t in traits), '%s has no interface trait', p.name)
        rows.append((p.host, p.region, '%d/%d' % (p.used, p.total),
                     '\n'.join(sorted(t for t in traits
                                      if t.startswith(
                                          placement.TRAIT_PREFIX)))))
    vendors = {placement.trait_name(scenario.vendor(card.kind))
               for host in scenario.HOSTS for card in scenario.cards(host)}
    missing = vendors - {t for p in providers for t in p.traits}
    check(not missing, 'no provider has %s', ', '.join(sorted(missing)))
    return Result('%d regions, %d vendors' % (len(providers), len(vendors)),
                  output.table(
        ('host', 'region', 'FPGA used', 'traits'), rows))


def _arch_trait():
    return placement.gpu_trait_name('arch', scenario.GPU_ARCH)


def _gpu_traits(provider):
    """The provider's GPU traits; of its memory bands only the highest."""
    bands = {}
    shown = []
    for trait in sorted(provider.traits):
        band = _MEMORY_BAND.match(trait)
        if band:
            bands[int(band.group(1))] = trait
        elif trait.startswith(placement.GPU_TRAIT_PREFIX):
            shown.append(trait)
    if bands:
        shown.append('%s (and %d lower bands)' % (
            bands[max(bands)], len(bands) - 1))
    return '\n'.join(shown)


def _gpu_label(provider):
    """A GPU's own provider by its address; a pool by its size."""
    return provider.region or 'pool of %d' % provider.total


@titled('Listing the GPU providers of one architecture in Placement')
def list_gpu_providers(demo):
    # Placement itself picks them by resource class and required trait:
    # those that can give the flavor's GPUs whole, a pool of them.
    listed = {rp['uuid'] for rp in demo.operator.json(
        '--os-placement-api-version', GPU_PLACEMENT_VERSION,
        'resource', 'provider', 'list',
        '--resource', 'PGPU=%d' % scenario.GPU_COUNT,
        '--required', _arch_trait())}
    providers = sorted(inspection.gpu_providers(demo.cloud).values(),
                       key=lambda p: p.name)
    gpus = sum(p.total for p in providers)
    expected = sum(len(scenario.cards(host, gpu=True))
                   for host in scenario.HOSTS)
    check(gpus == expected, '%d GPUs in Placement, expected %d', gpus,
          expected)
    check(listed == {p.uuid for p in providers}, 'the client lists %s for '
          '%s, the GPU providers are %s', sorted(listed), _arch_trait(),
          sorted(p.uuid for p in providers))
    rows = []
    for p in providers:
        check(p.reserved == 0 and p.used == 0,
              '%s: PGPU reserved %d used %d, expected 0 0',
              p.name, p.reserved, p.used)
        rows.append((p.host, _gpu_label(p), '%d/%d' % (p.used, p.total),
                     _gpu_traits(p)))
    return Result('%d GPUs with %s in %d provider(s)' % (
        gpus, _arch_trait(), len(rows)), output.table(
            ('host', 'GPUs', 'PGPU used', 'traits'), rows))


def _properties(image):
    """An image's properties, whatever shape the client gives them in."""
    found = dict(image.get('properties') or {})
    found.update((k, v) for k, v in image.items() if k.startswith('fpga_'))
    return found


def create_image(client, path, name, visibility='private', tags=(),
                 **properties):
    """``openstack image create --file``; the image it shows."""
    args = ['image', 'create', name, '--file', path, '--disk-format', 'raw',
            '--container-format', 'bare', '--' + visibility]
    for tag in tags:
        args += ['--tag', tag]
    for item in sorted(properties.items()):
        args += ['--property', '%s=%s' % item]
    image = client.json(*args)
    image['properties'] = _properties(image)
    return image


@titled('Uploading bitstreams to Glance (admin, public)')
def upload_bitstreams(demo):
    rows = []
    for b in scenario.BITSTREAMS:
        path = demo.write(b.name + '.bin', bitstreams.make(
            b.kind, b.function_id, b.name))
        image = create_image(
            demo.operator, path, b.name, 'public', tags=[images.FPGA_TAG],
            **scenario.bitstream_properties(b))
        props = image['properties']
        check(image['status'] == 'active' and
              image['tags'] == [images.FPGA_TAG],
              'bitstream %s is %s, tags %s', b.name, image['status'],
              image['tags'])
        demo.images[b.name] = image
        rows.append((b.name, image['id'], '\n'.join(
            '%s=%s' % (k, _short(v) if k.endswith('_id') else v)
            for k, v in sorted(scenario.bitstream_properties(b).items())),
            image['size']))
        check(props.get('fpga_function_id') == b.function_id,
              'bitstream %s has properties %s', b.name, props)
    return Result('%d public bitstream images tagged FPGA' % len(rows),
                  output.table(('name', 'id', 'properties', 'bytes'), rows))


@titled('Uploading VM images to Glance (alice, private)')
def upload_vm_images(demo):
    path = demo.write('vm.img', b'\0' * 4096)
    rows = []
    for name, template in scenario.VM_IMAGES.items():
        properties = {k: demo.fill_in(v) for k, v in template.items()}
        image = create_image(demo.user, path, name, **properties)
        check(image['status'] == 'active', 'image %s is %s', name,
              image['status'])
        demo.images[name] = image
        rows.append((name, image['id'], '\n'.join(
            '%s=%s' % item for item in sorted(properties.items())) or '-'))
    return Result('%d private images' % len(rows), output.table(
        ('name', 'id', 'properties'), rows))


def create_flavor(client, name, specs):
    """``openstack flavor create`` with ``specs``; the flavor."""
    args = ['flavor', 'create', name, '--ram', 512, '--vcpus', 1,
            '--disk', 1]
    for item in sorted(specs.items()):
        args += ['--property', '%s=%s' % item]
    return client.json(*args)


@titled('Creating flavors (admin)')
def create_flavors(demo):
    rows = []
    for name, template in scenario.FLAVORS.items():
        specs = {k: demo.fill_in(v) for k, v in template.items()}
        flavor = create_flavor(demo.operator, name, specs)
        demo.flavors[name] = flavor['id']
        found = flavor['properties']
        check(found == specs, 'flavor %s has extra specs %s', name, found)
        rows.append((name, '\n'.join('%s=%s' % item
                                     for item in sorted(specs.items()))))
    return Result('%d flavors' % len(rows), output.table(
        ('flavor', 'extra specs'), rows))


def boot_server(client, name, flavor, image):
    """``openstack server create --wait``; the server, ACTIVE or not."""
    try:
        return client.json('server', 'create', name, '--flavor', flavor,
                           '--image', image, '--nic', 'none', '--wait')
    except osc.CommandFailed:
        # --wait gives up on ERROR; the server says why.
        return client.json('server', 'show', name)


def _active(demo, server):
    fault = (server.get('fault') or {}).get('message')
    check(server['status'] == 'ACTIVE', 'server %s is %s%s', server['name'],
          server['status'], ': %s' % fault if fault else '')
    return demo.operator.json('server', 'show', server['id'])


def _host(server):
    return server['OS-EXT-SRV-ATTR:host']


def boot(spec):
    @titled('Booting %s: flavor %s, image %s' % (spec.name, spec.flavor,
                                                 spec.image))
    def start(demo):
        server = _active(demo, boot_server(demo.user, spec.name, spec.flavor,
                                           spec.image))
        demo.first_active = demo.first_active or time.monotonic()
        demo.servers[spec.name] = server
        check(_host(server) == spec.host, 'server %s is on %s, expected %s',
              spec.name, _host(server), spec.host)
        if spec.function is None:
            return Result('ACTIVE on %s' % _host(server))
        return Result('ACTIVE on %s, programmed: %s' % (
            _host(server), _programmed(demo, spec.host, server['id'])))
    return start


def _hostdev_xml(xml):
    return re.sub(r'>\s+<', '><', xml)


def _holding(demo, spec):
    """The server's region: its provider, device and region as loaded.

    Checks that the region runs the function ``spec`` names, that
    Placement says so with a trait and that the guest was given the
    region's PCI functions.
    """
    server = demo.servers[spec.name]
    providers = inspection.allocated_regions(demo.cloud, server['id'])
    check(len(providers) == 1, 'server %s holds %d FPGA regions, not 1',
          spec.name, len(providers))
    provider = providers[0]
    check(provider.host == spec.host, 'server %s holds a region of %s',
          spec.name, provider.host)
    device, region = inspection.region_on_host(demo.cloud, provider)
    function_id = scenario.bitstream(spec.function).function_id
    check(region.function_id == function_id,
          'region %s of server %s runs %s, not %s (%s)',
          _region_name(provider), spec.name, region.function_id,
          function_id, spec.function)
    check(_function_trait(function_id) in provider.traits,
          'provider %s lacks %s', provider.name,
          _function_trait(function_id))
    hostdevs = inspection.hostdevs(demo.cloud, provider.host, server['id'])
    check(sorted(a for a, _ in hostdevs) == sorted(region.attach),
          'server %s has hostdevs %s, its region attaches %s', spec.name,
          [a for a, _ in hostdevs], list(region.attach))
    return provider, region, hostdevs


@titled('Showing what each server got (after a periodic update)')
def show_servers(demo):
    rows, xml = [], []
    for spec in scenario.SERVERS:
        provider, region, hostdevs = eventually(lambda: _holding(demo, spec))
        rows.append((spec.name, provider.host, provider.region,
                     '%s (%s)' % (spec.function, _short(region.function_id)),
                     _short(_function_trait(region.function_id), 29),
                     ', '.join(a for a, _ in hostdevs)))
        xml += ['%s:' % spec.name] + [_hostdev_xml(x) for _, x in hostdevs]
    return Result(
        '%d regions loaded, traits updated, hostdevs defined' % len(rows),
        output.table(('server', 'host', 'region', 'loaded',
                      'function trait', '<hostdev>'), rows),
        '\n'.join(xml))


def nova_fpga_status(cloud, hostname):
    """``nova-fpga status --format json`` on ``hostname``, as its operator."""
    command = os.path.join(os.path.dirname(sys.executable), 'nova-fpga')
    result = subprocess.run(
        [command, 'status', '--config-file', cloud.nova_conf,
         '--config-file', cloud.compute_conf(hostname), '--format', 'json'],
        capture_output=True, text=True, timeout=STATUS_TIMEOUT)
    check(result.returncode == 0, 'nova-fpga status on %s exited %d: %s',
          hostname, result.returncode, result.stderr.strip())
    return json.loads(result.stdout)['regions']


def _gpus_of(demo, spec):
    """The server's GPU providers, PGPU allocations and hostdevs, checked.

    Checks that the server holds ``scenario.GPU_COUNT`` GPUs of the
    architecture on its host and no FPGA region, and that the guest was
    given the PCI functions (companions included) of that many GPUs of
    the architecture, nothing else. Which GPUs of a pool the server got
    Placement does not say: the domain's hostdevs do.
    """
    server = demo.servers[spec.name]
    allocations = inspection.allocations(demo.cloud, server['id'])
    providers = sorted(inspection.allocated(
        inspection.gpu_providers(demo.cloud), demo.cloud, server['id']),
        key=lambda p: p.name)
    held = {p.uuid: allocations[p.uuid].get('PGPU', 0) for p in providers}
    check(sum(held.values()) == scenario.GPU_COUNT,
          'server %s holds %d GPUs, not %d', spec.name, sum(held.values()),
          scenario.GPU_COUNT)
    regions = inspection.allocated_regions(demo.cloud, server['id'])
    check(not regions, 'server %s holds FPGA regions %s', spec.name,
          [p.name for p in regions])
    for p in providers:
        check(p.host == spec.host and _arch_trait() in p.traits,
              'server %s holds GPUs of %s on %s, traits %s', spec.name,
              p.name, p.host, sorted(p.traits))
    hostdevs = inspection.hostdevs(demo.cloud, spec.host, server['id'])
    passed = {a for a, _ in hostdevs}
    given = [d for d in inspection.devices_on_host(demo.cloud, spec.host)
             if d.is_gpu and passed.intersection(d.regions[0].attach)]
    attach = [a for d in given for a in d.regions[0].attach]
    check(sorted(passed) == sorted(attach) and
          len(given) == scenario.GPU_COUNT and
          all(d.architecture == scenario.GPU_ARCH for d in given),
          'server %s has hostdevs %s, of GPUs %s', spec.name,
          sorted(passed), ['%s (%s)' % (d.address, d.architecture)
                           for d in given])
    return providers, held, hostdevs


@titled('Showing the GPUs %s got' % scenario.GPU_SERVER.name)
def show_gpu_server(demo):
    spec = scenario.GPU_SERVER
    providers, held, hostdevs = _gpus_of(demo, spec)
    rows = [(spec.name, p.host, _gpu_label(p), held[p.uuid], _gpu_traits(p))
            for p in providers]
    return Result(
        '%d GPUs held, %d hostdevs defined' % (sum(held.values()),
                                               len(hostdevs)),
        output.table(('server', 'host', 'provider', 'PGPU held', 'traits'),
                     rows),
        '\n'.join(['%s:' % spec.name] +
                  [_hostdev_xml(x) for _, x in hostdevs]))


@titled('Operator: nova-fpga status on each compute')
def show_status(demo):
    names = {s['id']: name for name, s in demo.servers.items()}
    rows, held = [], {}
    for host in scenario.HOSTS:
        for region in nova_fpga_status(demo.cloud, host.name):
            image = region['loaded_image'] or {}
            holders = [names.get(h['consumer'], h['consumer'])
                       for h in region['placement']['holders']]
            for name in holders:
                held[name] = host.name
            rows.append((host.name, region['region'],
                         ', '.join(holders) or 'free',
                         image.get('image_name') or '-'))
    expected = {spec.name: spec.host
                for spec in scenario.SERVERS + (scenario.GPU_SERVER,)}
    check(held == expected, 'nova-fpga status shows holders %s, the servers '
          'are on %s', held, expected)
    return Result('%d servers, each on the regions and GPUs it holds' %
                  len(held),
                  output.table(('host', 'region', 'held by',
                                'loaded image'), rows))


def rebuild(spec):
    booted = next(s for s in scenario.SERVERS if s.name == spec.name)

    @titled('Rebuilding %s with image %s (and a periodic update)' % (
        spec.name, spec.image))
    def start(demo):
        before, _, _ = _holding(demo, booted)
        server = demo.servers[spec.name]
        try:
            demo.user.run('server', 'rebuild', '--image', spec.image,
                          '--wait', server['id'])
        except osc.CommandFailed:
            pass
        demo.servers[spec.name] = _active(
            demo, demo.user.json('server', 'show', server['id']))
        after, region, _ = eventually(lambda: _holding(demo, spec))
        check(after.uuid == before.uuid, 'server %s moved from %s to %s',
              spec.name, before.name, after.name)
        return Result('same region %s, now %s (was %s)' % (
            after.region, spec.function, booted.function))
    return start


def _moved(demo, spec, left):
    """The server's region on its new host; the one it ``left``, blank."""
    _, region, _ = _holding(demo, spec)
    provider = inspection.fpga_providers(demo.cloud)[left.name]
    _scrubbed(demo, provider)
    return region


def boot_warm(spec):
    """Boot ``spec`` once its host has a region warm with its bitstream."""
    host = next(h for h in scenario.HOSTS + (scenario.MOVE_HOST,)
                if h.name == spec.host)
    boot_step = boot(spec)

    @titled('Booting %s onto a warm region: flavor %s, image %s' % (
        spec.name, spec.flavor, spec.image))
    def start(demo):
        eventually(lambda: _kept_warm(demo, host))
        return boot_step(demo)
    return start


def _programmed(demo, hostname, server_id):
    """Whether the server's region on ``hostname`` was programmed for it.

    As the region records of that compute say (``[fpga] state_dir``).
    """
    state = records.StateStore(demo.cloud.state_dir(hostname))
    for identifier in state.identifiers():
        loaded = state.read(identifier)['loaded'] or {}
        if loaded.get('instance') == server_id:
            return 'no' if loaded['outcome'] == 'skipped' else 'yes'
    raise StepFailed('no region record of %s names server %s' % (
        hostname, server_id))


def move(spec, title, *command):
    """A move (``openstack server <command>``), confirmed: ``spec`` holds.

    The operator runs a command starting with ``--`` (an option of the
    client), the server's user any other.
    """
    @titled(title)
    def start(demo):
        server = demo.servers[spec.name]
        before, _, _ = _holding(demo, demo.moved.get(spec.name) or next(
            s for s in scenario.SERVERS if s.name == spec.name))
        person = demo.operator if command[0].startswith('--') else demo.user
        try:
            person.run(*command, '--wait', server['id'])
        except osc.CommandFailed:
            pass

        def waiting():
            shown = demo.user.json('server', 'show', server['id'])
            fault = (shown.get('fault') or {}).get('message')
            check(shown['status'] == 'VERIFY_RESIZE', 'server %s is %s%s',
                  spec.name, shown['status'], ': %s' % fault if fault else '')
        eventually(waiting)
        demo.user.run('server', 'resize', 'confirm', server['id'])
        demo.servers[spec.name] = _active(
            demo, demo.user.json('server', 'show', server['id']))
        check(_host(demo.servers[spec.name]) == spec.host,
              'server %s is on %s, expected %s', spec.name,
              _host(demo.servers[spec.name]), spec.host)
        region = eventually(lambda: _moved(demo, spec, before))
        demo.moved[spec.name] = spec
        return Result(
            'on %s %s running %s (%s), programmed: %s; %s %s scrubbed and '
            'free' % (spec.host, region.name, spec.function,
                      _short(region.function_id),
                      _programmed(demo, spec.host, server['id']),
                      before.host, before.region))
    return start


def _scrubbed(demo, p):
    """The bitstream a free region must show: the blank, or the warm one.

    A host that keeps regions warm loads its bitstream again after the
    blank.
    """
    device, region = inspection.region_on_host(demo.cloud, p)
    blank = scenario.BLANKS[device.board]
    if p.host in scenario.WARM:
        blank = scenario.bitstream(scenario.WARM[p.host][0])
    check(p.used == 0, '%s is still used (%d)', p.name, p.used)
    check(region.function_id == blank.function_id,
          'region %s runs %s after release, not %s %s', _region_name(p),
          region.function_id, blank.name, blank.function_id)
    check(p.function_ids() == {blank.function_id},
          '%s has function traits for %s, not %s %s', p.name,
          sorted(p.function_ids()), blank.name, blank.function_id)
    return blank, region


def _free_and_blank(demo):
    rows = []
    for p in sorted(inspection.fpga_providers(demo.cloud).values(),
                    key=lambda p: p.name):
        blank, region = _scrubbed(demo, p)
        rows.append((p.host, p.region, '%d/%d' % (p.used, p.total),
                     '%s (%s)' % (blank.name, _short(region.function_id)),
                     _function_trait(region.function_id)))
    return rows


def _free_gpus(demo):
    """The GPU providers, each checked unused."""
    providers = sorted(inspection.gpu_providers(demo.cloud).values(),
                       key=lambda p: p.name)
    for p in providers:
        check(p.used == 0, '%s is still used (%d)', p.name, p.used)
    return providers


def _regions(client, *args):
    """``openstack fpga region list --long``, as ``client``."""
    return client.json('fpga', 'region', 'list', '--long', *args)


def _function_on(demo, host, identifier):
    """The function the simulated hardware shows in a region."""
    return next(region.function_id
                for device in demo.cloud.fpga_hosts[host].expected().devices
                for region in device.regions
                if '%s_%s' % (device.address, region.name) == identifier)


def _all_held(demo):
    regions = _regions(demo.operator)
    held = {r['Holder Server'] for r in regions}
    missing = [name for name, server in demo.servers.items()
               if server['id'] not in held and
               name != scenario.GPU_SERVER.name]
    check(not missing, 'servers not listed as holders yet: %s', missing)
    return regions


@titled('Operator: every FPGA region of the cloud (openstack fpga region '
        'list)')
def list_regions(demo):
    # The list is what each compute published at its last periodic update.
    regions = eventually(lambda: _all_held(demo))
    names = {s['id']: name for name, s in demo.servers.items()}
    rows = [(r['Host'], r['Identifier'], r['Board'], _short(r['Function ID']),
             r['Bitstream'] or '-', r['State'],
             names.get(r['Holder Server'], r['Holder Server'] or '-'))
            for r in regions]
    return Result('%d regions, %d held' % (
        len(regions), sum(r['State'] == 'held' for r in regions)),
        output.table(('host', 'region', 'board', 'function', 'bitstream',
                      'state', 'holder'), rows))


@titled('alice loads her own build on the region of %s (openstack fpga '
        'region program)' % scenario.DEV_SERVER)
def user_program(demo):
    build = scenario.DEV_BUILD
    image = create_image(
        demo.user, demo.write(build.name + '.bin', bitstreams.make(
            build.kind, build.function_id, build.name)), build.name,
        tags=[images.FPGA_TAG], **scenario.bitstream_properties(build))
    demo.images[build.name] = image
    server = demo.servers[scenario.DEV_SERVER]['id']
    # alice sees only the regions her project's servers hold.
    mine = _regions(demo.user)
    region = next(r for r in mine if r['Holder Server'] == server)
    demo.dev_region = region['UUID']
    done = demo.user.json('fpga', 'region', 'program', region['UUID'],
                          build.name)
    loaded = _function_on(demo, region['Host'], region['Identifier'])
    check(done['outcome'] == 'programmed' and loaded == build.function_id,
          'region %s shows %s after programming (%s)', region['Identifier'],
          loaded, done['outcome'])
    seen = demo.user.json('fpga', 'bitstream', 'list')
    return Result('%s on %s %s: %s, function %s' % (
        build.name, region['Host'], region['Identifier'], done['outcome'],
        _short(loaded)),
        output.table(('bitstream alice sees', 'function', 'free regions it '
                      'fits'), [(b['Name'], b['Function'] or '-',
                                 b['Fits Free Regions']) for b in seen]))


@titled('bob (project %s) tries the same region' % scenario.OTHER.project)
def other_refused(demo):
    bob = osc.Client(demo.cloud.clouds_yaml, scenario.OTHER.user)
    region = next(r for r in _regions(demo.operator)
                  if r['UUID'] == demo.dev_region)
    try:
        bob.run('fpga', 'region', 'program', demo.dev_region,
                demo.images['nlb3']['id'])
    except osc.CommandFailed as e:
        said = str(e).split(': ', 1)[-1]
    else:
        raise StepFailed('bob programmed alice\'s region')
    check('HTTP 403' in said, 'bob was not refused with 403: %s', said)
    loaded = _function_on(demo, region['Host'], region['Identifier'])
    check(loaded == scenario.DEV_BUILD.function_id,
          'region %s shows %s after bob\'s attempt', region['Identifier'],
          loaded)
    return Result('refused: %s' % said)


@titled('Operator: loading a free region, then scrubbing it (openstack '
        'fpga region program / scrub)')
def operator_program_free(demo):
    build = scenario.bitstream(scenario.FREE_LOAD)
    region = eventually(lambda: next(
        r for r in _regions(demo.operator, '--board', build.kind,
                            '--state', 'free')))
    done = demo.operator.json('fpga', 'region', 'program', region['UUID'],
                              build.name)
    loaded = _function_on(demo, region['Host'], region['Identifier'])
    check(loaded == build.function_id, 'region %s shows %s, not %s',
          region['Identifier'], loaded, build.name)
    demo.operator.json('fpga', 'region', 'scrub', region['UUID'])
    blank = _function_on(demo, region['Host'], region['Identifier'])
    check(blank == scenario.BLANKS[build.kind].function_id,
          'region %s shows %s after the scrub', region['Identifier'], blank)
    return Result('%s %s: %s %s, then scrubbed back to its blank' % (
        region['Host'], region['Identifier'], build.name, done['outcome']))


@titled('Deleting the servers')
def delete_servers(demo):
    demo.user.run('server', 'delete', '--wait',
                  *[s['id'] for s in demo.servers.values()])
    left = [s['Name'] for s in demo.user.json('server', 'list')]
    check(not left, 'servers left: %s', left)
    demo.servers.clear()
    rows = eventually(lambda: _free_and_blank(demo))
    gpus = eventually(lambda: _free_gpus(demo))
    return Result(
        '%d regions free (usage 0), blank or kept warm, %d GPUs free' % (
            len(rows), sum(p.total for p in gpus)),
        output.table(('host', 'region', 'FPGA used', 'loaded',
                      'function trait'), rows),
        output.table(('host', 'GPUs', 'PGPU used'), [
            (p.host, _gpu_label(p), '%d/%d' % (p.used, p.total))
            for p in gpus]))


@titled('Deleting the flavors and images')
def delete_flavors_and_images(demo):
    demo.operator.run('flavor', 'delete', *demo.flavors.values())
    demo.operator.run('image', 'delete', *[
        demo.images[b.name]['id'] for b in scenario.BITSTREAMS])
    demo.user.run('image', 'delete', *[
        demo.images[name]['id'] for name in scenario.VM_IMAGES] + [
        demo.images[scenario.DEV_BUILD.name]['id']])
    left = [f['Name'] for f in demo.operator.json('flavor', 'list')
            if f['ID'] in demo.flavors.values()]
    check(not left, 'flavors left: %s', left)
    for person in (demo.operator, demo.user):
        left = [i['Name'] for i in person.json('image', 'list')]
        check(not left, 'images left: %s', left)
    count = len(demo.flavors), len(demo.images)
    demo.flavors.clear()
    demo.images.clear()
    return Result('%d flavors and %d images deleted' % count)


# The control plane's start-up comes first; the runner times it as step 1.
STEPS = (
    [configure_computes]
    + [start_compute(host) for host in scenario.HOSTS]
    + [list_providers, list_gpu_providers, upload_bitstreams,
       upload_vm_images, create_flavors]
    + [boot(spec) for spec in scenario.SERVERS + (scenario.GPU_SERVER,)]
    + [show_servers, show_gpu_server, show_status, list_regions,
       user_program, other_refused, rebuild(scenario.REBUILD),
       start_compute(scenario.MOVE_HOST),
       move(scenario.MIGRATE, 'Cold-migrating %s to %s (the operator)' % (
           scenario.MIGRATE.name, scenario.MIGRATE.host),
           '--os-compute-api-version', '2.56', 'server', 'migrate',
           '--host', scenario.MIGRATE.host),
       move(scenario.RESIZE, 'Resizing %s to flavor %s (its user)' % (
           scenario.RESIZE.name, scenario.RESIZE.flavor),
           'server', 'resize', '--flavor', scenario.RESIZE.flavor),
       boot_warm(scenario.WARM_BOOT),
       delete_servers, operator_program_free, delete_flavors_and_images]
)
