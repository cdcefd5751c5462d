"""The API's policy rules, their defaults, and oslo.policy's tools."""

import configparser
import importlib
import os

from oslo_policy import policy as oslo_policy

from nova_fpga.api import policies
from nova_fpga.api import policy
from tests.unit.api import base

# The contract's rules and their defaults.
RULES = {
    'fpga:regions:list': 'role:reader',
    'fpga:regions:list:all': 'role:admin',
    'fpga:regions:show': 'role:reader',
    'fpga:regions:program': 'role:member',
    'fpga:regions:program:any': 'role:admin',
    'fpga:regions:scrub': 'role:member',
    'fpga:regions:force': 'role:admin',
    'fpga:bitstreams:list': 'role:reader',
}
SETUP_CFG = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))), 'setup.cfg')


class RulesTest(base.APITestCase):

    def test_the_rules_are_the_contracts(self):
        rules = policies.list_rules()
        self.assertEqual(RULES, {rule.name: rule.check_str
                                 for rule in rules})
        self.assertEqual(len(RULES), len(rules))
        # And the module's names for them, every one.
        self.assertEqual(set(RULES), {
            value for name, value in vars(policies).items()
            if name.isupper() and isinstance(value, str) and
            value.startswith('fpga:')})

    def test_each_rule_is_documented(self):
        for rule in policies.list_rules():
            self.assertIsInstance(rule, oslo_policy.DocumentedRuleDefault)
            self.assertTrue(rule.description.strip(), rule.name)
            self.assertTrue(rule.operations, rule.name)
            for operation in rule.operations:
                self.assertIn(operation['method'], ('GET', 'POST'))
                self.assertTrue(operation['path'].startswith('/fpga/'),
                                operation)

    def test_the_enforcer_has_the_defaults(self):
        enforcer = policy.get_enforcer()
        self.assertIs(enforcer, policy.get_enforcer())
        self.assertEqual(set(RULES), set(enforcer.registered_rules))

    def test_who_may_do_what(self):
        contexts = {'admin': self.admin, 'member': self.member,
                    'reader': self.reader,
                    'none': self.context('u', base.PROJECT)}
        allowed = {
            'admin': set(RULES),
            'member': {'fpga:regions:list', 'fpga:regions:show',
                       'fpga:regions:program', 'fpga:regions:scrub',
                       'fpga:bitstreams:list'},
            'reader': {'fpga:regions:list', 'fpga:regions:show',
                       'fpga:bitstreams:list'},
            'none': set(),
        }
        for who, context in contexts.items():
            self.assertEqual(allowed[who], {
                rule for rule in RULES if policy.allowed(context, rule)},
                who)

    def test_an_operator_overrides_a_default(self):
        enforcer = policy.get_enforcer()
        enforcer.set_rules(oslo_policy.Rules.from_dict(
            {'fpga:regions:list:all': 'role:reader'}), overwrite=False,
            use_conf=False)
        self.assertTrue(policy.allowed(self.reader, 'fpga:regions:list:all'))


class EntryPointsTest(base.APITestCase):
    """oslopolicy-sample-generator and friends find the rules."""

    def entry_points(self):
        parser = configparser.ConfigParser()
        self.assertEqual([SETUP_CFG], parser.read(SETUP_CFG))
        found = {}
        for group, lines in parser['entry_points'].items():
            for line in lines.strip().splitlines():
                name, target = (part.strip() for part in line.split('=', 1))
                found[group, name] = target
        return found

    def load(self, target):
        module, name = target.split(':')
        return getattr(importlib.import_module(module), name)

    def test_policies(self):
        target = self.entry_points()[('oslo.policy.policies', 'nova-fpga')]
        self.assertIs(policies.list_rules, self.load(target))
        self.assertEqual(set(RULES),
                         {rule.name for rule in self.load(target)()})

    def test_enforcer(self):
        target = self.entry_points()[('oslo.policy.enforcer', 'nova-fpga')]
        self.assertIs(policy.get_enforcer, self.load(target))
        self.assertIsInstance(self.load(target)(), oslo_policy.Enforcer)
