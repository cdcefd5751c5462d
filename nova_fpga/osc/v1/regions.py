"""``openstack fpga region list|show|program|scrub``."""

from osc_lib.cli import format_columns
from osc_lib.command import command
from osc_lib import utils


def _field(*keys):
    """A getter of a nested field; None when any level is null."""
    def get(region):
        value = region
        for key in keys:
            value = (value or {}).get(key)
        return value
    return get


def _bitstream(region):
    """The loaded image by name, by id when it has none."""
    bitstream = region['bitstream'] or {}
    return bitstream.get('name') or bitstream.get('id')


LIST_COLUMNS = (
    ('UUID', _field('uuid')),
    ('Host', _field('host')),
    ('Identifier', _field('identifier')),
    ('Vendor', _field('vendor')),
    ('Board', _field('board')),
    ('Function ID', _field('function_id')),
    ('Bitstream', _bitstream),
    ('State', _field('state')),
    ('Holder Server', _field('holder', 'server_id')),
    ('Holder Project', _field('holder', 'project_id')),
)
LONG_COLUMNS = (
    ('Interface ID', _field('interface_id')),
    ('Address', _field('address')),
    ('Region', _field('region')),
    ('Updated At', _field('updated_at')),
)

# As other ``show`` commands, the API's own field names; the nested ones
# print as key='value' pairs in a table and stay objects in JSON.
REGION_FIELDS = ('uuid', 'host', 'node', 'identifier', 'address', 'region',
                 'vendor', 'board', 'interface_id', 'function_id',
                 'bitstream', 'state', 'holder', 'updated_at')
LIVE_FIELDS = ('health', 'health_reason', 'last_programmed',
               'last_scrubbed', 'quarantine', 'metrics')
FORMATTERS = {name: format_columns.DictColumn
              for name in ('bitstream', 'holder', 'last_programmed',
                           'last_scrubbed', 'metrics')}


def _shown(record, fields):
    return fields, utils.get_dict_properties(record, fields,
                                             formatters=FORMATTERS)


def _add_region_argument(parser):
    parser.add_argument('region', metavar='<uuid>', help='Region UUID')


def _add_force_argument(parser, what):
    parser.add_argument(
        '--force', action='store_true',
        help='%s even when a server holds the region (admin only)' % what)


class ListRegion(command.Lister):
    """List FPGA regions, all of them or those matching filters."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        for name, what in (('host', 'compute host'), ('vendor', 'vendor'),
                           ('board', 'board'), ('function', 'function ID'),
                           ('interface', 'interface ID'),
                           ('state', 'state')):
            parser.add_argument(
                '--' + name, metavar='<%s>' % name,
                help='Only regions with this %s' % what)
        parser.add_argument(
            '--limit', metavar='<num>', type=int,
            help='At most this many regions (one page); without it every '
                 'page is fetched')
        parser.add_argument(
            '--marker', metavar='<uuid>',
            help='Start after the region with this UUID')
        parser.add_argument(
            '--long', action='store_true',
            help='Also list interface ID, address, region and update time')
        return parser

    def take_action(self, parsed_args):
        columns = LIST_COLUMNS + (LONG_COLUMNS if parsed_args.long else ())
        regions = self.app.client_manager.fpga.list_regions(
            host=parsed_args.host, vendor=parsed_args.vendor,
            board=parsed_args.board, function=parsed_args.function,
            interface=parsed_args.interface, state=parsed_args.state,
            limit=parsed_args.limit, marker=parsed_args.marker)
        return ([title for title, _ in columns],
                [[get(region) for _, get in columns] for region in regions])


class ShowRegion(command.ShowOne):
    """Show a region: its record, health, last load and scrub, metrics."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_region_argument(parser)
        return parser

    def take_action(self, parsed_args):
        region = self.app.client_manager.fpga.show_region(parsed_args.region)
        return _shown(dict(region, **region['live']),
                      REGION_FIELDS + LIVE_FIELDS)


class ProgramRegion(command.ShowOne):
    """Load a Glance image's bitstream into a region."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_region_argument(parser)
        parser.add_argument(
            'image', metavar='<image>',
            help='Bitstream image (name or ID)')
        _add_force_argument(parser, 'Load')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.fpga
        result = client.program_region(
            parsed_args.region, client.image_id(parsed_args.image),
            force=parsed_args.force)
        return _outcome(result)


class ScrubRegion(command.ShowOne):
    """Scrub a region: reset its user logic or load its blank bitstream."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_region_argument(parser)
        parser.add_argument(
            '--mode', choices=('reset', 'blank'),
            help="Default: the compute's [fpga] scrub_on_release")
        _add_force_argument(parser, 'Scrub')
        return parser

    def take_action(self, parsed_args):
        result = self.app.client_manager.fpga.scrub_region(
            parsed_args.region, mode=parsed_args.mode,
            force=parsed_args.force)
        return _outcome(result)


def _outcome(result):
    """The region as the API left it, and what it did."""
    return _shown(dict(result['region'], outcome=result['outcome']),
                  REGION_FIELDS + ('outcome',))
