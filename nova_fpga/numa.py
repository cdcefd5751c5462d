"""Whether the devices an instance holds sit where its NUMA policy wants.

Placement picks the regions and GPUs, and Nova's NUMA fitting knows
nothing of them (it places only PCI requests), so the policy a flavor or
image sets with ``hw:pci_numa_affinity_policy`` is checked once both have
chosen: a host that breaks it fails the build, and Nova reschedules.
Unset, or with an instance without a NUMA topology, nothing is checked.
"""

REQUIRED = 'required'
LEGACY = 'legacy'
PREFERRED = 'preferred'
# Checked as legacy: by NUMA node, which is stricter than by socket.
SOCKET = 'socket'


def refusal(policy, instance_nodes, devices):
    """Why ``devices`` break ``policy``, or None.

    ``instance_nodes`` are the host NUMA nodes of the instance's cells.
    ``required`` wants every device on one of them; ``legacy`` and
    ``socket`` let a device without NUMA affinity pass; ``preferred``
    takes any.
    """
    if policy in (None, PREFERRED) or not instance_nodes:
        return None
    nodes = sorted(set(instance_nodes))
    for device in devices:
        node = device.numa_node
        if node is None and policy != REQUIRED:
            continue
        if node not in nodes:
            return ('%s is on NUMA node %s, the instance on %s, and '
                    'hw:pci_numa_affinity_policy is %s' % (
                        device.address,
                        'unknown' if node is None else node,
                        ', '.join(str(n) for n in nodes), policy))
    return None
