"""nova-compute able to load ``compute_driver = fpga_libvirt.<class>``."""

# Nova's compute command module chooses the concurrency mode on import:
# native threads, unless OS_NOVA_DISABLE_EVENTLET_PATCHING=false or
# [DEFAULT] concurrency_backend = eventlet ask for eventlet. So it comes
# before anything else of Nova.
from nova.cmd import compute

from nova_fpga.virt import driver


def main():
    driver.register_alias()
    compute.main()
