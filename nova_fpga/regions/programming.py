"""Programming and scrubbing a region, whatever its driver family.

Partial reconfiguration refuses a second one on the same card with EBUSY
rather than queueing, so each card has a lock, held across threads and
processes. Whether programming took is read back from the region, never
assumed.
"""

import contextlib

from oslo_concurrency import lockutils
from oslo_log import log as logging

from nova_fpga.backends import exception as backend_exception
from nova_fpga.bitstream import exception as bitstream_exception
from nova_fpga.bitstream import headers
from nova_fpga.regions import exception

LOG = logging.getLogger(__name__)

SKIPPED = 'skipped'
PROGRAMMED = 'programmed'
RESET = 'reset'
SCRUB_MODES = ('none', 'reset', 'blank')
_HARDWARE_ERRORS = (backend_exception.HardwareError,
                    backend_exception.NotSupported)


def card_lock(address, lock_path=None):
    """The card's lock, in ``lock_path`` (unset: oslo.concurrency's)."""
    return lockutils.lock('nova-fpga-card-%s' % address, external=True,
                          lock_path=lock_path)


def program_region(backend, device, region, bitstream_path, header,
                   expected_function_id, timeout, guard=None,
                   lock_path=None):
    """Load a bitstream into a region and check that it took.

    ``header`` is the bitstream's parsed header, ``expected_function_id``
    what the region must show afterwards, ``timeout`` how long a vendor
    tool may take, ``lock_path`` where the card locks are
    (``[fpga] lock_path``). ``guard``, a context manager, is entered
    around the hardware work and its check only, never when SKIPPED; it
    exits without an exception only when the region took the bitstream.
    Returns SKIPPED when the region holds that function already, else
    PROGRAMMED; raises ProgrammingFailed.
    """
    if not expected_function_id:
        raise ValueError('the function id to expect is required')
    if region.function_id == expected_function_id:
        return SKIPPED
    # Entered inside the card lock: a wait for the lock touches nothing,
    # so a process that dies waiting leaves no region to hold back.
    with card_lock(device.address, lock_path), \
            guard or contextlib.nullcontext():
        return _program(backend, device, region, bitstream_path, header,
                        expected_function_id, timeout)


def _program(backend, device, region, bitstream_path, header,
             expected_function_id, timeout):
    try:
        found = backend.program(device, region, bitstream_path, header,
                                timeout)
    except _HARDWARE_ERRORS as e:
        raise exception.ProgrammingFailed(
            device, region, bitstream_path, e) from e
    if found is None:
        cause = 'the region is gone afterwards'
    elif found.function_id != expected_function_id:
        cause = 'the region shows function %s afterwards, not %s' % (
            found.function_id or 'unknown', expected_function_id)
        if found.health_reason:
            cause += ' (%s)' % found.health_reason
    else:
        LOG.info('Programmed FPGA region %s %s with %s (function %s)',
                 device.address, region.name, bitstream_path,
                 expected_function_id)
        return PROGRAMMED
    raise exception.ProgrammingFailed(device, region, bitstream_path, cause)


def _blank_path(blanks, interface_id):
    for key, path in (blanks or {}).items():
        if key.strip().lower().replace('-', '') == interface_id:
            return path
    return None


def scrub_region(backend, device, region, mode, timeout, guard=None,
                 lock_path=None, blanks=None):
    """Ready a region a guest has left for the next one.

    ``mode``: 'none' does nothing (SKIPPED); 'reset' resets the region's
    user logic (RESET); 'blank' loads the file ``blanks`` (``[fpga]
    blank_bitstreams``) names for the region's interface id (what
    program_region returns). ``guard`` and ``lock_path`` are as
    program_region's. Raises ScrubFailed.
    """
    if mode == 'none':
        return SKIPPED
    if mode == 'reset':
        try:
            with card_lock(device.address, lock_path), \
                    guard or contextlib.nullcontext():
                backend.reset(device, region)
        except _HARDWARE_ERRORS as e:
            raise exception.ScrubFailed(device, region, mode, e) from e
        return RESET
    if mode != 'blank':
        raise ValueError('unknown scrub mode %r; one of %s' % (
            mode, ', '.join(SCRUB_MODES)))
    path = _blank_path(blanks, region.interface_id)
    if path is None:
        raise exception.ScrubFailed(
            device, region, mode, 'no blank bitstream for interface %s in '
            '[fpga] blank_bitstreams' % region.interface_id)
    try:
        header = headers.parse(path)
        headers.check_fits(header, region)
        return program_region(backend, device, region, path, header,
                              header.function_id, timeout, guard, lock_path)
    except (bitstream_exception.BitstreamError,
            exception.ProgrammingFailed) as e:
        raise exception.ScrubFailed(device, region, mode,
                                    'blank bitstream %s: %s' % (path, e.cause)
                                    ) from e
