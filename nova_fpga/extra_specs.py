"""Validators of the ``fpga:`` flavor extra specs, for nova-api.

Loaded through Nova's ``nova.api.extra_spec_validators`` entry point, so
that nova-api refuses a bad value, and any ``fpga:`` key but these, when
an operator sets it. Nova validates one key at a time: a flavor that sets
both is refused when an instance of it is built.
"""

from nova.api.validation.extra_specs import base

from nova_fpga import request

EXTRA_SPEC_VALIDATORS = [
    base.ExtraSpecValidator(
        name=request.BITSTREAM,
        description=(
            'The Glance image holding the bitstream to load into every FPGA '
            'region the instance gets. Excludes fpga:function.'),
        value={
            'type': str,
            'description': 'A Glance image id.',
            'pattern': request.BITSTREAM_PATTERN,
        },
    ),
    base.ExtraSpecValidator(
        name=request.FUNCTION,
        description=(
            'The function to load into every FPGA region the instance gets: '
            'the bitstream image tagged FPGA whose fpga_function is this '
            'name and that fits the region. Excludes fpga:bitstream.'),
        value={
            'type': str,
            'description': 'A function name.',
            'pattern': request.FUNCTION_PATTERN,
        },
    ),
]


def register():
    return EXTRA_SPEC_VALIDATORS
