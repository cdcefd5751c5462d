"""PCI functions: attributes, bus and driver links, IOMMU group.

Card ``index`` sits behind root port ``0000:00:<index+1>.0`` on bus
``0x10 + 8 * index``; formats follow drivers/pci/pci-sysfs.c.
"""

import dataclasses
import os

ROOT_COMPLEX = 'pci0000:00'
PROCESSING_ACCELERATOR = 0x120000
FIRST_BUS = 0x10
BUS_STEP = 8


def pf_address(index):
    return '0000:%02x:00.0' % (FIRST_BUS + BUS_STEP * index)


def function_address(address, function):
    return '%s.%d' % (address.rsplit('.', 1)[0], function)


def device_dir(tree, index, address):
    return tree.sys('devices', ROOT_COMPLEX, '0000:00:%02x.0' % (index + 1),
                    address)


@dataclasses.dataclass(frozen=True)
class Function:
    address: str
    vendor_id: str
    device_id: str
    subsystem_device_id: str
    driver: str
    iommu_group: int
    numa_node: int
    revision: int = 1
    reset_method: str = 'flr bus'
    pci_class: int = PROCESSING_ACCELERATOR


def _uevent(fn):
    ids = {'v': fn.vendor_id, 'd': fn.device_id, 'sv': fn.vendor_id,
           'sd': fn.subsystem_device_id}
    modalias = 'pci:%sbc%02Xsc%02Xi%02X' % (
        ''.join('%s%08X' % (key, int(value, 16))
                for key, value in ids.items()),
        fn.pci_class >> 16, (fn.pci_class >> 8) & 0xff, fn.pci_class & 0xff)
    lines = [
        'DRIVER=%s' % fn.driver,
        'PCI_CLASS=%X' % fn.pci_class,
        'PCI_ID=%s:%s' % (fn.vendor_id.upper(), fn.device_id.upper()),
        'PCI_SUBSYS_ID=%s:%s' % (fn.vendor_id.upper(),
                                 fn.subsystem_device_id.upper()),
        'PCI_SLOT_NAME=%s' % fn.address,
        'MODALIAS=%s' % modalias,
    ]
    return modalias, ''.join(line + '\n' for line in lines)


def add(tree, index, fn):
    """Write the function's directory and links; return the directory."""
    path = device_dir(tree, index, fn.address)
    modalias, uevent = _uevent(fn)
    tree.attrs(path, {
        'vendor': '0x%s' % fn.vendor_id,
        'device': '0x%s' % fn.device_id,
        'subsystem_vendor': '0x%s' % fn.vendor_id,
        'subsystem_device': '0x%s' % fn.subsystem_device_id,
        'class': '0x%06x' % fn.pci_class,
        'revision': '0x%02x' % fn.revision,
        'numa_node': fn.numa_node,
        'irq': 0,
        'enable': 1,
        'driver_override': '(null)',
        'reset_method': fn.reset_method,
        'modalias': modalias,
    })
    tree.write(os.path.join(path, 'uevent'), uevent)
    driver = tree.sys('bus', 'pci', 'drivers', fn.driver)
    tree.link(os.path.join(path, 'driver'), driver)
    tree.link(os.path.join(driver, fn.address), path)
    tree.link(tree.sys('bus', 'pci', 'devices', fn.address), path)
    group = tree.sys('kernel', 'iommu_groups', str(fn.iommu_group))
    tree.link(os.path.join(path, 'iommu_group'), group)
    tree.link(os.path.join(group, 'devices', fn.address), path)
    return path


def remove(tree, index, address):
    """Remove what add() wrote, finding driver and group from the links."""
    path = device_dir(tree, index, address)
    driver = os.readlink(os.path.join(path, 'driver'))
    group = os.readlink(os.path.join(path, 'iommu_group'))
    tree.remove(
        os.path.normpath(os.path.join(path, group)),
        os.path.join(os.path.normpath(os.path.join(path, driver)), address),
        tree.sys('bus', 'pci', 'devices', address),
        path)
