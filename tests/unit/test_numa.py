import testtools

from nova_fpga import model
from nova_fpga import numa


def devices(*nodes):
    return [model.Device(address='0000:%02x:00.0' % i, vendor='nvidia',
                         family=model.GPU, board='h100_pcie', numa_node=node)
            for i, node in enumerate(nodes)]


class RefusalTest(testtools.TestCase):

    def test_unset_or_preferred_or_no_topology(self):
        for policy, nodes in ((None, [0]), ('preferred', [0]),
                              ('required', [])):
            self.assertIsNone(numa.refusal(policy, nodes, devices(1)))

    def test_required(self):
        self.assertIsNone(numa.refusal('required', [0, 1], devices(0, 1)))
        self.assertEqual(
            '0000:01:00.0 is on NUMA node 1, the instance on 0, and '
            'hw:pci_numa_affinity_policy is required',
            numa.refusal('required', [0], devices(0, 1)))
        self.assertIn('NUMA node unknown',
                      numa.refusal('required', [0], devices(None)))

    def test_legacy_and_socket_pass_devices_without_affinity(self):
        for policy in ('legacy', 'socket'):
            self.assertIsNone(numa.refusal(policy, [0], devices(None, 0)))
            self.assertIsNotNone(numa.refusal(policy, [0], devices(1)))
