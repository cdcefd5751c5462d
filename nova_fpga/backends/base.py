"""The interface every driver family implements."""

import abc


class Backend(metaclass=abc.ABCMeta):
    """One driver family (DFL, intel-fpga, XRT, fpga_region).

    Loaded through the ``nova_fpga.backends`` stevedore namespace with the
    sysfs and dev roots, so tests and the simulator can point it anywhere.
    """

    #: The family name reported in the inventory and used in nova.conf.
    family = None

    def __init__(self, sysfs_root, dev_root):
        self.sysfs_root = sysfs_root
        self.dev_root = dev_root

    @abc.abstractmethod
    def discover(self):
        """Return the family's devices (a list of model.Device).

        Must not raise for bad sysfs content: report the device or region
        unhealthy with a reason instead.
        """
