"""The API's policy rules, with their defaults (oslo.policy)."""

from oslo_policy import policy

READER = 'role:reader'
MEMBER = 'role:member'
ADMIN = 'role:admin'

LIST = 'fpga:regions:list'
LIST_ALL = 'fpga:regions:list:all'
SHOW = 'fpga:regions:show'
PROGRAM = 'fpga:regions:program'
PROGRAM_ANY = 'fpga:regions:program:any'
SCRUB = 'fpga:regions:scrub'
FORCE = 'fpga:regions:force'
BITSTREAMS = 'fpga:bitstreams:list'

_RULES = [
    policy.DocumentedRuleDefault(
        name=LIST, check_str=READER,
        description='List FPGA regions (those servers of the caller\'s '
                    'project hold, unless fpga:regions:list:all).',
        operations=[{'method': 'GET', 'path': '/fpga/regions'}]),
    policy.DocumentedRuleDefault(
        name=LIST_ALL, check_str=ADMIN,
        description='List and show every FPGA region of the cloud.',
        operations=[{'method': 'GET', 'path': '/fpga/regions'},
                    {'method': 'GET', 'path': '/fpga/regions/{uuid}'}]),
    policy.DocumentedRuleDefault(
        name=SHOW, check_str=READER,
        description='Show an FPGA region with its compute\'s live view.',
        operations=[{'method': 'GET', 'path': '/fpga/regions/{uuid}'}]),
    policy.DocumentedRuleDefault(
        name=PROGRAM, check_str=MEMBER,
        description='Load a bitstream into a region a server of the '
                    'caller\'s project holds.',
        operations=[{'method': 'POST', 'path': '/fpga/regions/{uuid}'}]),
    policy.DocumentedRuleDefault(
        name=PROGRAM_ANY, check_str=ADMIN,
        description='Program or scrub a free region, or one any project '
                    'holds with fpga:regions:force.',
        operations=[{'method': 'POST', 'path': '/fpga/regions/{uuid}'},
                    {'method': 'POST', 'path': '/fpga/regions/{uuid}/scrub'}]),
    policy.DocumentedRuleDefault(
        name=SCRUB, check_str=MEMBER,
        description='Scrub a region a server of the caller\'s project '
                    'holds.',
        operations=[{'method': 'POST',
                     'path': '/fpga/regions/{uuid}/scrub'}]),
    policy.DocumentedRuleDefault(
        name=FORCE, check_str=ADMIN,
        description='Program or scrub a region a server holds, or a '
                    'quarantined one ("force": true).',
        operations=[{'method': 'POST', 'path': '/fpga/regions/{uuid}'},
                    {'method': 'POST', 'path': '/fpga/regions/{uuid}/scrub'}]),
    policy.DocumentedRuleDefault(
        name=BITSTREAMS, check_str=READER,
        description='List the bitstream images the caller can see, with '
                    'how many free regions each fits.',
        operations=[{'method': 'GET', 'path': '/fpga/bitstreams'}]),
]


def list_rules():
    return _RULES
