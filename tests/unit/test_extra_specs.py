"""The fpga: extra specs as nova-api validates them."""

from nova.api.validation.extra_specs import validators
from nova import exception
from nova import test

from nova_fpga import extra_specs

BITSTREAM = '8a3f6e52-0b5c-4c8e-9d2a-6f1e2b3c4d5e'


class ValidatorsTest(test.NoDBTestCase):

    def test_nova_loads_them_through_the_entry_point(self):
        for validator in extra_specs.register():
            self.assertIs(validator, validators.VALIDATORS[validator.name])
        self.assertIn('fpga', validators.NAMESPACES)

    def test_good_values(self):
        for name, value in (('fpga:bitstream', BITSTREAM),
                            ('fpga:bitstream', BITSTREAM.upper()),
                            ('fpga:function', 'nlb'),
                            ('fpga:function', 'nlb 400')):
            validators.validate(name, value)

    def test_bad_values(self):
        for name, value in (('fpga:bitstream', 'nlb'),
                            ('fpga:bitstream', BITSTREAM[:-1]),
                            ('fpga:bitstream', ''),
                            ('fpga:function', ''),
                            ('fpga:function', ' nlb'),
                            ('fpga:function', 'nlb ')):
            e = self.assertRaises(exception.ValidationError,
                                  validators.validate, name, value)
            self.assertIn(repr(value), str(e))

    def test_unknown_key(self):
        e = self.assertRaises(exception.ValidationError, validators.validate,
                              'fpga:bitstream_id', BITSTREAM)
        self.assertIn("extra spec 'fpga:bitstream_id' does not appear to be "
                      "a valid extra spec", str(e))
