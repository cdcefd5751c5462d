"""Kernel errors, and the faults tests inject to provoke them."""

import os

OPS = ('pr', 'release', 'assign', 'sriov', 'program', 'reset')


def error(code):
    """The OSError a failing system call raises."""
    return OSError(code, os.strerror(code))


def add(card, op, err, count):
    if op not in OPS:
        raise ValueError('unknown operation %r; one of %s' % (
            op, ', '.join(OPS)))
    if count < 1:
        raise ValueError('count must be positive')
    card['faults'][op] = [err, count]


def take(card, op):
    """The errno the next ``op`` on the card must fail with, or None."""
    fault = card['faults'].get(op)
    if fault is None:
        return None
    err, count = fault
    if count > 1:
        fault[1] = count - 1
    else:
        del card['faults'][op]
    return err


def check(card, op):
    err = take(card, op)
    if err is not None:
        raise error(err)
