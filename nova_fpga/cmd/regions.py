"""``nova-fpga status``, ``program`` and ``scrub``: the regions of this host.

A region is named as ``status`` prints it: its unit identifier,
``<PCI address>_<region>`` (the suffix of its Placement provider's name).
"""

import sys

from nova import exception as nova_exception
from nova.image import glance as nova_glance

from nova_fpga.cmd import errors
from nova_fpga.cmd import holders as holders_mod
from nova_fpga.cmd import identity
from nova_fpga.cmd import output
from nova_fpga.cmd import progress
from nova_fpga import discovery
from nova_fpga import model
from nova_fpga.regions import exception
from nova_fpga.regions import lifecycle
from nova_fpga import request

STATUS_COLUMNS = ['region', 'board', 'health', 'interface id', 'function id',
                  'image', 'held by', 'reserved', 'quarantined',
                  'last programmed']


def _all(host_regions):
    try:
        inventory = host_regions.inventory.discover()
    except discovery.NotSysfs as e:
        raise errors.Failure(errors.USAGE, str(e)) from e
    return [(device, region) for device in inventory.devices
            for region in device.regions]


def find(found, name):
    """The ``(device, region)`` of ``found`` that ``name`` identifies.

    Failure if none.
    """
    for device, region in found:
        if model.region_identifier(device, region) == name:
            return device, region
    raise errors.Failure(errors.NO_SUCH_REGION,
                         'FPGA region %s: no such region on this host '
                         '(`nova-fpga status` lists them)' % name)


def _holders(args, host_regions, found):
    """Placement's view of this node's regions, or (None, why not)."""
    given = {}
    for device, region in found:
        identifier = model.region_identifier(device, region)
        held = host_regions.state.read(identifier)['held']
        if held:
            given[identifier] = held['instance']
    try:
        return holders_mod.Holders(args.node).read(given), None
    except holders_mod.Unknown as e:
        return None, str(e)


def _seen(seen, device, region):
    """Placement's entry of a region, else the pools' unnamed holders.

    Any of those may hold a pooled region no record gives to a holder; any
    holder of a pool of GPUs, any GPU.
    """
    identifier = model.region_identifier(device, region)
    return seen.get(identifier) or seen.get(
        holders_mod.UNNAMED_GPU if device.is_gpu else holders_mod.UNNAMED)


def _loaded_image(record, region):
    """The image the record says was loaded, if the region still shows it."""
    loaded = record['loaded']
    if loaded and loaded['function_id'] == region.function_id:
        return loaded
    return None


def _images_gone(args, entries):
    """The ids of the loaded images Glance has no more, or (None, why)."""
    ids = {entry['loaded_image']['image_id'] for entry in entries
           if entry['loaded_image'] and entry['loaded_image'].get('image_id')}
    if not ids:
        return set(), None
    try:
        context = identity.request_context(args)
    except errors.Failure as e:
        return None, str(e)
    image_api = nova_glance.API()
    gone = set()
    for image_id in ids:
        try:
            image_api.get(context, image_id)
        except nova_exception.ImageNotFound:
            gone.add(image_id)
        except Exception as e:
            return None, 'Glance cannot be asked: %s' % (
                str(e) or type(e).__name__)
    return gone, None


def _image_text(image, gone):
    name = image.get('image_name') or image.get('image_id')
    if name and gone is not None and image.get('image_id') in gone:
        return '%s (deleted from Glance)' % name
    return name


def _status_entry(device, region, record, seen, quarantined):
    identifier = model.region_identifier(device, region)
    entry = model.region_to_dict(region)
    entry.update({
        'region': identifier, 'device': model.device_to_dict(device),
        'quarantine': quarantined.get(identifier),
        'loaded_image': _loaded_image(record, region),
        'record': record, 'placement': seen,
        'reserved': (seen['reserved'] if seen and not seen.get('pool') else
                     identifier in quarantined or
                     not model.usable(device, region)),
    })
    entry['device'].pop('regions')
    reason = device.health_reason or region.health_reason
    if reason:
        entry.update(health='unhealthy', health_reason=reason)
    return entry


def _holder_text(entry):
    if entry['placement'] is None:
        return 'unknown'
    text = ' '.join('%s (project %s)' % (h['consumer'], h['project_id'])
                    for h in entry['placement']['holders'])
    if text and entry['placement'].get('pool'):
        return 'maybe ' + text
    return text or 'free'


def status(conf, args):
    host_regions = lifecycle.HostRegions(conf)
    found = _all(host_regions)
    seen, why = _holders(args, host_regions, found)
    if why:
        print('nova-fpga: warning: holders unknown: %s' % why,
              file=sys.stderr)
    quarantined = host_regions.quarantine.held()
    entries = [_status_entry(
        device, region,
        host_regions.state.read(model.region_identifier(device, region)),
        _seen(seen, device, region) if seen is not None else None,
        quarantined) for device, region in found]
    gone, unchecked = _images_gone(args, entries)
    if unchecked:
        print('nova-fpga: warning: whether the loaded bitstream images are '
              'still in Glance is unknown: %s' % unchecked, file=sys.stderr)
    rows = []
    for entry in entries:
        image = entry['loaded_image'] or {}
        if image and gone is not None:
            image = entry['loaded_image'] = dict(
                image, in_glance=image.get('image_id') not in gone)
        rows.append([
            entry['region'], entry['device']['board'],
            entry['health'] + (': %s' % entry['health_reason']
                               if entry['health_reason'] else ''),
            entry['interface_id'], entry['function_id'],
            _image_text(image, gone),
            _holder_text(entry), 'yes' if entry['reserved'] else 'no',
            'yes' if entry['quarantine'] else 'no',
            (entry['record']['loaded'] or {}).get('at')])
    output.emit(args.format, {'regions': entries, 'placement_error': why},
                STATUS_COLUMNS, rows)


def _refuse_if_held(args, host_regions, found, device, region, what,
                    project=None):
    """Failure unless the region is free, held by ``project``, or forced.

    ``found``: every region of the host, whose records name holders.
    """
    if args.force:
        return
    identifier = model.region_identifier(device, region)
    seen, why = _holders(args, host_regions, found)
    if why:
        raise errors.Failure(
            errors.IN_USE, 'FPGA region %s%s: cannot tell whether an '
            'instance holds it (%s); --force goes ahead anyway' % (
                identifier, what, why))
    entry = _seen(seen, device, region) or {}
    others = [h for h in entry.get('holders', ())
              if project is None or h['project_id'] != project]
    if others:
        raise errors.Failure(
            errors.IN_USE, 'FPGA region %s%s: it is held by %s%s; --force '
            'goes ahead anyway' % (
                identifier, what,
                'a pool of regions (Placement does not say which of them), '
                'by ' if entry.get('pool') else '',
                ', '.join('%s of project %s' % (h['consumer'],
                                                h['project_id'])
                          for h in others)))


def program(conf, args):
    host_regions = lifecycle.HostRegions(conf)
    found = _all(host_regions)
    device, region = find(found, args.region)
    identifier = model.region_identifier(device, region)
    what = ', bitstream image %s' % args.bitstream
    reason = device.health_reason or region.health_reason
    if reason:
        raise errors.Failure(errors.UNHEALTHY, 'FPGA region %s%s: the '
                             'region is unhealthy: %s' % (
                                 identifier, what, reason))
    quarantined = host_regions.quarantine.held().get(identifier)
    if quarantined and not args.force:
        raise errors.Failure(errors.UNHEALTHY, 'FPGA region %s%s: the region '
                             'is quarantined (%s); `nova-fpga scrub` cleans '
                             'it, --force goes ahead anyway' % (
                                 identifier, what, quarantined))
    context = identity.request_context(args, project=args.project)
    # No server is given the region between the check and the work.
    with lifecycle.region_lock(identifier, host_regions.lock_path):
        _refuse_if_held(args, host_regions, found, device, region, what,
                        project=context.project_id)
        try:
            outcome = host_regions.load_region(
                context, nova_glance.API(), device, region,
                request.Request(bitstream_id=args.bitstream),
                progress=progress.Progress())
        except exception.AssignmentFailed as e:
            raise errors.Failure(errors.code_of_kind(e.kind), str(e)) from e
    # What the record says; empty if it could not be written.
    loaded = host_regions.state.read(identifier)['loaded'] or {}
    output.emit(args.format, {'region': identifier, 'outcome': outcome,
                              'loaded': loaded},
                ['region', 'outcome', 'function id', 'image'],
                [[identifier, outcome, loaded.get('function_id'),
                  loaded.get('image_name') or args.bitstream]])


def scrub(conf, args):
    mode = args.mode or conf.fpga.scrub_on_release
    if mode == 'none':
        raise errors.Failure(errors.USAGE, 'FPGA region %s: [fpga] '
                             'scrub_on_release is none; give --mode reset '
                             'or --mode blank' % args.region)
    host_regions = lifecycle.HostRegions(conf)
    found = _all(host_regions)
    device, region = find(found, args.region)
    identifier = model.region_identifier(device, region)
    with lifecycle.region_lock(identifier, host_regions.lock_path):
        _refuse_if_held(args, host_regions, found, device, region,
                        ', scrub (%s)' % mode)
        quarantined = identifier in host_regions.quarantine.held()
        say = progress.Progress()
        say('Scrubbing (%s) FPGA region %s' % (mode, identifier))
        try:
            outcome = host_regions.scrub_region(device, region, mode,
                                                'nova-fpga scrub')
        except exception.Failed as e:
            raise errors.Failure(
                errors.code_of_kind(exception.kind_of(e)), str(e)) from e
    if quarantined:
        say('FPGA region %s leaves quarantine; nova-compute frees it in '
            'Placement at its next periodic update' % identifier)
    output.emit(args.format, {'region': identifier, 'mode': mode,
                              'outcome': outcome},
                ['region', 'mode', 'outcome'], [[identifier, mode, outcome]])
