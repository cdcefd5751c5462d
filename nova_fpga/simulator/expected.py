"""The inventory a correct discovery must read back, from the state alone.

Kept apart from the tree writers on purpose: it restates the rules
discovery follows, so a test comparing the two checks both.
"""

from nova_fpga.catalog import boards
from nova_fpga.catalog import gpus
from nova_fpga import model
from nova_fpga.simulator import kinds
from nova_fpga.simulator import soc
from nova_fpga.simulator import xrt

CRASHED = 'card firmware crashed: ids read all f'


def inventory(data):
    devices = [boards.with_memory(
        _DEVICES[kinds.KINDS[card['kind']].family](card))
        for card in data['cards'] if not card['removed']]
    return model.Inventory(tuple(sorted(devices, key=lambda d: d.address)))


def _pci_device(card, regions):
    kind = kinds.KINDS[card['kind']]
    return model.Device(
        address=card['address'],
        vendor=boards.vendor_name(kind.vendor_id),
        family=kind.family,
        board=boards.board_name(kind.vendor_id, kind.device_id,
                                kind.subsystem_device_id),
        vendor_id=kind.vendor_id,
        device_id=kind.device_id,
        numa_node=card['numa_node'] if card['numa_node'] >= 0 else None,
        regions=tuple(regions))


def _fme_port_device(card):
    vfs = tuple(card['vfs'])
    released = [i for i, port in enumerate(card['ports']) if port['released']]
    # With one port per card the pairing is exact: released port k rides
    # on VF k.
    carrier = dict(zip(released, vfs))
    busy_port = card['busy'][1] if card['busy'] else None
    regions = []
    for index, port in enumerate(card['ports']):
        function_id = port['function_id']
        problem = None
        if port['released']:
            function_id = None
            vf = carrier.get(index)
            attach, kind = ((vf,), model.VF) if vf else ((), model.PF)
            if not vf:
                problem = 'port %d is released and no VF carries it' % index
        elif vfs:
            # OFS: the VFs share the PR slot while the port stays.
            attach, kind = vfs, model.VF
        else:
            attach, kind = (card['address'],), model.PF
        if index == busy_port:
            function_id = None
            problem = 'partial reconfiguration in progress'
        if card['crashed']:
            function_id, problem = None, CRASHED
        regions.append(model.Region(
            name='port%d' % index,
            port=index,
            interface_id=(None if card['crashed']
                          else kinds.INTERFACE_IDS[card['kind']]),
            function_id=function_id,
            attach=attach,
            attach_kind=kind,
            health_reason=problem))
    return _pci_device(card, regions)


def _xrt_device(card):
    loaded = card['xclbin_id']
    region = model.Region(
        name='slot0',
        interface_id=(None if card['crashed']
                      else kinds.INTERFACE_IDS[card['kind']]),
        function_id=None if loaded == xrt.NOTHING_LOADED else loaded,
        attach=(card['user_address'],),
        attach_kind=model.PF,
        health_reason=CRASHED if card['crashed'] else None)
    return _pci_device(card, [region])


def _soc_device(card):
    vendor, board = boards.MANAGERS[soc.MANAGER_NAME]
    state = card['manager_state']
    return model.Device(
        address=soc.REGION_DEVICE,
        vendor=vendor,
        family=kinds.FPGA_REGION,
        board=board,
        regions=(model.Region(name='region%d' % card['region']),),
        health_reason=('fpga_manager in state "%s"' % state
                       if 'error' in state else None))


def _gpu_memory(card, kind, found):
    if card['driver'] == 'amdgpu' and kind.vram_gib:
        return kind.vram_gib * 1024, model.MEMORY_SYSFS
    if found.memory_gib:
        return found.memory_gib * 1024, model.MEMORY_TABLE
    return kind.aperture_gib * 1024, model.MEMORY_BAR


def _gpu_device(card):
    kind = kinds.KINDS[card['kind']]
    found = gpus.identify(kind.vendor_id, kind.device_id)
    memory_mb, source = _gpu_memory(card, kind, found)
    return model.Device(
        address=card['address'],
        vendor=gpus.vendor_name(kind.vendor_id),
        family=kinds.GPU,
        board=found.name,
        vendor_id=kind.vendor_id,
        device_id=kind.device_id,
        numa_node=card['numa_node'] if card['numa_node'] >= 0 else None,
        regions=(model.Region(name='gpu', attach=tuple(
            a for a in (card['address'], card['audio_address']) if a)),),
        architecture=found.architecture,
        memory_mb=memory_mb,
        memory_source=source,
        iommu_group=card['iommu_group'],
        driver=card['driver'])


_DEVICES = {
    kinds.DFL: _fme_port_device,
    kinds.INTEL_FPGA: _fme_port_device,
    kinds.XRT: _xrt_device,
    kinds.FPGA_REGION: _soc_device,
    kinds.GPU: _gpu_device,
}
