"""nova-conductor in a cloud without Neutron: demo only.

Resize, cold migration and unshelve make the conductor ask Neutron about
the server's ports; here it gets demo.no_neutron's empty answers.

Usage: ``python -m demo.conductor --config-file ...`` (the arguments
nova-conductor takes).
"""

from nova.cmd import conductor

from demo import no_neutron


def main():
    no_neutron.install()
    conductor.main()


if __name__ == '__main__':
    main()
