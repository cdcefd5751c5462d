import os

import testtools

from nova_fpga import simulator
from nova_fpga.simulator import kinds
from tests.unit.simulator import base


class ParseCardTest(testtools.TestCase):

    def test_kind_alone(self):
        self.assertEqual([simulator.CardSpec('pac_a10')],
                         simulator.parse_card('pac_a10'))

    def test_count_and_options(self):
        self.assertEqual(
            [simulator.CardSpec('n6000', vfs=3, numa_node=1)] * 2,
            simulator.parse_card(' n6000:2,vfs=3, numa=1 '))

    def test_function_is_normalised(self):
        spec, = simulator.parse_card(
            'u250,function=0123ABCD-0123-4567-89ab-CDEF01234567')
        self.assertEqual('0123abcd0123456789abcdef01234567', spec.function_id)

    def test_bad_input_names_the_part_and_the_choices(self):
        cases = {
            'n7000': "'n7000'",
            'n6000:0': 'COUNT',
            'n6000:two': "'two'",
            'n6000,colour=red': "'colour=red'",
            'n6000,vfs': "'vfs'",
            'n6000,vfs=4': 'vfs=4',
            'd5005,vfs=x': "'x'",
            'c6100,vfs=1': 'vfs=1',
            'u250,function=123': "'123'",
            'zynqmp,function=%s' % ('1' * 32): 'function',
            'n6000,numa=-2': 'numa=-2',
            'zynqmp:2': 'zynqmp',
            'n3000:29': 'at most 28',
            'n6000,driver=nvidia': 'driver=',
            'h100,function=%s' % ('1' * 32): 'function',
            'h100,vfs=1': 'vfs=1',
        }
        for text, part in cases.items():
            e = self.assertRaises(ValueError, simulator.parse_card, text)
            message = str(e)
            self.assertIn(part, message, text)
            self.assertNotIn('\n', message)
        message = str(self.assertRaises(ValueError, simulator.parse_card,
                                        'n7000'))
        for word in list(kinds.KINDS) + ['vfs', 'function', 'numa',
                                         'driver']:
            self.assertIn(word, message)


class BuildArgumentsTest(base.SimulatorTestCase):

    def test_refuses_a_root_with_a_tree(self):
        root = self.make_root()
        simulator.build(root, [simulator.CardSpec('n3000')])
        self.assertRaises(ValueError, simulator.build, root,
                          [simulator.CardSpec('n3000')])

    def test_refuses_impossible_cards(self):
        root = self.make_root()
        self.assertRaises(ValueError, simulator.build, root,
                          [simulator.CardSpec('n6000', vfs=4)])
        self.assertRaises(ValueError, simulator.build, root,
                          [simulator.CardSpec('n3000')] * 29)
        self.assertFalse(os.path.exists(os.path.join(root, 'sys')))

    def test_open_needs_a_built_tree(self):
        self.assertRaises(ValueError, simulator.SimulatedHost.open,
                          self.make_root())
