import base64
import datetime
import os
from unittest import mock

from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import hashes
from cryptography import x509
from cryptography.x509.oid import NameOID
from cursive import exception as cursive_exception
import fixtures
import testtools

from nova_fpga.bitstream import chunks
from nova_fpga.bitstream import exception
from nova_fpga.bitstream import signature

CONTEXT = object()
CERT_ID = 'c0ffee00-0000-4000-8000-000000000001'


def certificate(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'bitstreams')])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))


class VerifyTest(testtools.TestCase):

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = certificate(key)

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatch(
            'cursive.signature_utils.get_certificate',
            return_value=self.cert))
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 'bitstream')
        # More than two chunks, so the verifier is fed piece by piece.
        self.data = os.urandom(2 * chunks.CHUNK_SIZE + 12345)
        with open(self.path, 'wb') as f:
            f.write(self.data)

    def image(self, data=None, **overrides):
        signed = self.key.sign(
            self.data if data is None else data,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                        salt_length=padding.PSS.MAX_LENGTH),
            hashes.SHA256())
        props = {'img_signature': base64.b64encode(signed).decode(),
                 'img_signature_hash_method': 'SHA-256',
                 'img_signature_key_type': 'RSA-PSS',
                 'img_signature_certificate_uuid': CERT_ID}
        props.update(overrides)
        return {'id': 'i1', 'name': 'nlb0',
                'properties': {k: v for k, v in props.items()
                               if v is not None}}

    def test_signed(self):
        self.assertIsNone(
            signature.verify(CONTEXT, self.image(), self.path))

    def test_data_changed(self):
        image = self.image(data=self.data[:-1] + b'!')
        e = self.assertRaises(exception.SignatureFailed, signature.verify,
                              CONTEXT, image, self.path)
        self.assertEqual('bitstream image i1 (nlb0): img_signature does not '
                         'match the data (certificate %s)' % CERT_ID, str(e))

    def test_unsigned(self):
        e = self.assertRaises(exception.SignatureFailed, signature.verify,
                              CONTEXT, self.image(img_signature=None),
                              self.path)
        self.assertIn('bitstream image i1 (nlb0): signature verification '
                      'failed', str(e))
        self.assertIn('Missing property: img_signature', str(e))

    def test_unknown_hash_method(self):
        e = self.assertRaises(
            exception.SignatureFailed, signature.verify, CONTEXT,
            self.image(img_signature_hash_method='MD5'), self.path)
        self.assertIn('Invalid signature hash method: MD5', str(e))

    def test_trusted_certificate(self):
        with mock.patch('cursive.certificate_utils.verify_certificate'
                        ) as verify:
            signature.verify(CONTEXT, self.image(), self.path,
                             trusted_certificate_ids=('t1', 't2'))
        verify.assert_called_once_with(
            context=CONTEXT, certificate_uuid=CERT_ID,
            trusted_certificate_uuids=['t1', 't2'])

    def test_untrusted_certificate(self):
        refusal = cursive_exception.SignatureVerificationError(
            reason='certificate chain does not end in a trusted one')
        with mock.patch('cursive.certificate_utils.verify_certificate',
                        side_effect=refusal):
            e = self.assertRaises(exception.SignatureFailed,
                                  signature.verify, CONTEXT, self.image(),
                                  self.path, trusted_certificate_ids=['t1'])
        self.assertIn('certificate chain does not end in a trusted one',
                      str(e))
