"""nova-compute able to load ``compute_driver = fpga_libvirt.<class>``."""

# Nova's compute command module patches the standard library on import, so
# it comes before anything else of Nova.
from nova.cmd import compute

from nova_fpga.virt import driver


def main():
    driver.register_alias()
    compute.main()
