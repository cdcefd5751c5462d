"""The nova-fpga operator command.

Reads nova.conf (``--config-file``, else Nova's default locations) through
Nova's own configuration, as nova-compute does; command-line roots
override it. The command line itself is argparse, so options may follow
the subcommand. Exit codes: nova_fpga.cmd.errors.
"""

import argparse
import json
import sys

import nova.conf
from oslo_config import cfg
import prettytable

from nova_fpga.cmd import cache
from nova_fpga.cmd import errors
from nova_fpga.cmd import identity
from nova_fpga.cmd import output
from nova_fpga.cmd import regions
from nova_fpga import conf as fpga_conf
from nova_fpga import discovery
from nova_fpga import model
from nova_fpga import privsep


# The commands that need nova.conf beyond the roots: Placement, Glance,
# the records.
NEEDS_CONFIG = ('status', 'program', 'scrub', 'cache')
# The [fpga] options the command line may override.
_OVERRIDES = ('sysfs_root', 'dev_root', 'state_dir')


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(errors.USAGE, '%s: error: %s\n' % (self.prog, message))


def _host_options():
    """Options every command that reads this host's regions takes."""
    parent = _Parser(add_help=False)
    parent.add_argument(
        '--config-file', action='append', metavar='FILE',
        help='nova.conf to read; repeatable. Default: Nova\'s usual places.')
    parent.add_argument('--sysfs-root', help='Overrides [fpga] sysfs_root.')
    parent.add_argument('--dev-root', help='Overrides [fpga] dev_root.')
    parent.add_argument('--state-dir', help='Overrides [fpga] state_dir.')
    parent.add_argument('--format', choices=output.FORMATS, default='table')
    return parent


def _node_option(parser):
    parser.add_argument(
        '--node', help='This compute node\'s name in Placement, whose '
                       'allocations tell who holds a region. Default: '
                       '[DEFAULT] host.')


def _force_option(parser, what):
    parser.add_argument('--force', action='store_true',
                        help='%s even when an instance holds the region.' %
                        what)


def _parser(argv):
    top = _Parser(prog='nova-fpga', description='FPGA regions for Nova.',
                  epilog=errors.epilog())
    subparsers = top.add_subparsers(dest='command', required=True)
    host = _host_options()
    parser = subparsers.add_parser(
        'discover', parents=[host],
        help='Print the FPGA devices and regions of this host.')
    parser.set_defaults(func=discover)

    parser = subparsers.add_parser(
        'status', parents=[host], help='Every region: health, what is '
        'loaded, who holds it, its metrics (with --format json), and '
        'whether Glance still has each loaded image (with credentials, as '
        'for program).')
    _node_option(parser)
    identity.register_arguments(parser, argv)
    parser.set_defaults(func=regions.status)

    parser = subparsers.add_parser(
        'program', parents=[host], epilog=errors.epilog(),
        help='Load a bitstream image from Glance into a region now, '
             'verified and checked as at spawn.')
    parser.add_argument('--region', required=True,
                        help='The region, as `nova-fpga status` names it.')
    parser.add_argument('--bitstream', required=True, metavar='IMAGE',
                        help='The Glance image id of the bitstream.')
    parser.add_argument(
        '--project', help='The project acting: its instances\' regions may '
        'be programmed without --force. Default: the credentials\' '
        'project.')
    _node_option(parser)
    _force_option(parser, 'Program')
    identity.register_arguments(parser, argv)
    parser.set_defaults(func=regions.program)

    parser = subparsers.add_parser(
        'scrub', parents=[host], epilog=errors.epilog(),
        help='Scrub a region as [fpga] scrub_on_release does.')
    parser.add_argument('--region', required=True,
                        help='The region, as `nova-fpga status` names it.')
    parser.add_argument('--mode', choices=('reset', 'blank'),
                        help='Default: [fpga] scrub_on_release.')
    _node_option(parser)
    _force_option(parser, 'Scrub')
    parser.set_defaults(func=regions.scrub)

    parser = subparsers.add_parser('cache', help='The bitstream cache.')
    actions = parser.add_subparsers(dest='action', required=True)
    parser = actions.add_parser('list', parents=[host],
                                help='The cached bitstreams.')
    parser.set_defaults(func=cache.list_cache)
    parser = actions.add_parser(
        'prune', parents=[host],
        help='Remove least recently used bitstreams; prints those removed.')
    parser.add_argument('--keep-mb', type=int, default=0, metavar='MIB',
                        help='Keep this much (default 0: remove all).')
    parser.set_defaults(func=cache.prune)

    parser = subparsers.add_parser(
        'simulate', help='Write a simulated FPGA host (sysfs and /dev).')
    parser.add_argument('--root', required=True,
                        help='Directory to create; it must be empty.')
    parser.add_argument(
        '--card', action='append', required=True,
        metavar='KIND[:COUNT][,key=value...]',
        help='Cards to simulate; kinds: as README lists them (an unknown '
             'one is refused with the list); keys: vfs, function, numa, '
             'driver (a GPU\'s: vfio-pci unless given). Repeat for more '
             'cards.')
    parser.set_defaults(func=simulate, config_file=None,
                        **{name: None for name in _OVERRIDES})
    return top


def _memory(dev):
    if not dev.memory_mb:
        return '-'
    text = '%d GiB' % round(dev.memory_mb / 1024)
    if dev.memory_type:
        text += ' ' + dev.memory_type
    # A BAR is an aperture, not the memory: shown, never reported.
    return text + (' (BAR)' if dev.memory_source == model.MEMORY_BAR else '')


def _table(inventory):
    table = prettytable.PrettyTable(
        ['address', 'vendor', 'board', 'family', 'arch', 'memory', 'driver',
         'numa', 'region', 'interface id', 'function id', 'attach',
         'health'])
    table.align = 'l'
    for dev in inventory.devices:
        rows = dev.regions or (None,)
        for region in rows:
            reason = dev.health_reason or (region and region.health_reason)
            table.add_row([
                dev.address, dev.vendor, dev.board, dev.family,
                dev.architecture or '-', _memory(dev), dev.driver or '-',
                '-' if dev.numa_node is None else dev.numa_node,
                region.name if region else '-',
                (region and region.interface_id) or '-',
                (region and region.function_id) or '-',
                ' '.join('%s(%s)' % (a, region.attach_kind)
                         for a in region.attach) if region else '-',
                'unhealthy: %s' % reason if reason else 'ok',
            ])
    return table.get_string()


def discover(conf, cmd):
    inventory = discovery.discover_from_conf(conf)
    if cmd.format == 'json':
        print(json.dumps(model.inventory_to_dict(inventory), indent=2))
    elif inventory.devices:
        print(_table(inventory))
    else:
        print('No FPGA cards or GPUs found under %s.' %
              conf.fpga.sysfs_root)


def simulate(conf, cmd):
    # Imported here only: no other command loads the simulator.
    from nova_fpga import simulator
    cards = [spec for text in cmd.card for spec in simulator.parse_card(text)]
    host = simulator.build(cmd.root, cards)
    print('Simulated %d card(s): sysfs root %s, dev root %s' % (
        len(cards), host.sysfs_root, host.dev_root))


def parse(argv):
    return _parser(argv).parse_args(argv)


def run(conf, args):
    """Run parsed ``args`` against a loaded ``conf``; the exit code."""
    try:
        for name in _OVERRIDES:
            if getattr(args, name):
                conf.set_override(name, getattr(args, name), group='fpga')
        if getattr(args, 'node', 'unset') is None:
            args.node = conf.host
        if conf.fpga.simulator_root:
            # Nothing privileged happens on a simulated host.
            privsep.sys_admin_pctxt.set_client_mode(False)
        args.func(conf, args)
    except errors.Failure as e:
        print('nova-fpga: error: %s' % e, file=sys.stderr)
        return e.code
    except (cfg.Error, discovery.NotSysfs, fpga_conf.InvalidOption,
            ValueError) as e:
        print('nova-fpga: error: %s' % e, file=sys.stderr)
        return errors.USAGE
    # One line, whatever went wrong.
    except Exception as e:
        print('nova-fpga: error: unexpected %s: %s' % (type(e).__name__, e),
              file=sys.stderr)
        return errors.UNKNOWN
    return errors.OK


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    conf = nova.conf.CONF
    fpga_conf.register_opts(conf)
    try:
        conf([], project='nova', prog='nova-fpga',
             default_config_files=args.config_file)
    except cfg.Error as e:
        print('nova-fpga: error: %s' % e, file=sys.stderr)
        return errors.USAGE
    if not conf.config_file and args.command in NEEDS_CONFIG:
        print('nova-fpga: warning: no --config-file and no nova.conf in '
              'Nova\'s usual places (~/.nova, ~, /etc/nova, /etc): every '
              'option is its default, so Placement and Glance are not '
              'known', file=sys.stderr)
    return run(conf, args)
