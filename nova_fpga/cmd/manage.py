"""The nova-fpga operator command.

Reads nova.conf (``--config-file``, else Nova's default locations) for the
``[fpga]`` section through oslo.config; command-line roots override it.
The command line itself is argparse, so options may follow the subcommand.
"""

import argparse
import json
import sys

from oslo_config import cfg
import prettytable

from nova_fpga import conf as fpga_conf
from nova_fpga import discovery
from nova_fpga import model
from nova_fpga import simulator


def _parser():
    top = argparse.ArgumentParser(
        prog='nova-fpga', description='FPGA regions for Nova.')
    subparsers = top.add_subparsers(dest='command', required=True)
    parser = subparsers.add_parser(
        'discover', help='Print the FPGA devices and regions of this host.')
    parser.add_argument(
        '--config-file', action='append', metavar='FILE',
        help='nova.conf to read; repeatable. Default: Nova\'s usual places.')
    parser.add_argument('--sysfs-root', help='Overrides [fpga] sysfs_root.')
    parser.add_argument('--dev-root', help='Overrides [fpga] dev_root.')
    parser.add_argument('--format', choices=('table', 'json'),
                        default='table')
    parser.set_defaults(func=discover)

    parser = subparsers.add_parser(
        'simulate', help='Write a simulated FPGA host (sysfs and /dev).')
    parser.add_argument('--root', required=True,
                        help='Directory to create; it must be empty.')
    parser.add_argument(
        '--card', action='append', required=True,
        metavar='KIND[:COUNT][,key=value...]',
        help='Cards to simulate; kinds: %s; keys: vfs, function, numa. '
             'Repeat for more cards.' % ', '.join(simulator.KINDS))
    parser.set_defaults(func=simulate, config_file=None)
    return top


def _table(inventory):
    table = prettytable.PrettyTable(
        ['address', 'vendor', 'board', 'family', 'numa', 'region',
         'interface id', 'function id', 'attach', 'health'])
    table.align = 'l'
    for dev in inventory.devices:
        rows = dev.regions or (None,)
        for region in rows:
            reason = dev.health_reason or (region and region.health_reason)
            table.add_row([
                dev.address, dev.vendor, dev.board, dev.family,
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
    if cmd.sysfs_root:
        conf.set_override('sysfs_root', cmd.sysfs_root, group='fpga')
    if cmd.dev_root:
        conf.set_override('dev_root', cmd.dev_root, group='fpga')
    inventory = discovery.discover_from_conf(conf)
    if cmd.format == 'json':
        print(json.dumps(model.inventory_to_dict(inventory), indent=2))
    elif inventory.devices:
        print(_table(inventory))
    else:
        print('No FPGA devices found under %s.' % conf.fpga.sysfs_root)


def simulate(conf, cmd):
    cards = [spec for text in cmd.card for spec in simulator.parse_card(text)]
    host = simulator.build(cmd.root, cards)
    print('Simulated %d card(s): sysfs root %s, dev root %s' % (
        len(cards), host.sysfs_root, host.dev_root))


def main(argv=None):
    cmd = _parser().parse_args(argv)
    conf = cfg.ConfigOpts()
    fpga_conf.register_opts(conf)
    try:
        conf([], project='nova', prog='nova-fpga',
             default_config_files=cmd.config_file)
        cmd.func(conf, cmd)
    except (cfg.Error, discovery.NotSysfs, ValueError) as e:
        print('nova-fpga: error: %s' % e, file=sys.stderr)
        return 2
    return 0
