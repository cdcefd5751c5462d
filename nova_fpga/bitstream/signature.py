"""Verifying a bitstream's signature the way Nova verifies signed images.

The ``img_signature*`` properties name the signature, its hash method and
key type, and the certificate in the key manager; cursive builds the
verifier, which is fed the file in chunks. As in Nova, a missing property
is a failure, so once verification is on unsigned bitstreams are refused.
"""

from cryptography import exceptions as crypto_exceptions
from cursive import certificate_utils
from cursive import exception as cursive_exception
from cursive import signature_utils

from nova_fpga.bitstream import chunks
from nova_fpga.bitstream import exception


def verify(context, image, path, trusted_certificate_ids=()):
    """Raise SignatureFailed unless the file at ``path`` is signed.

    With ``trusted_certificate_ids`` the signing certificate must also be
    one of them or be signed by one of them.
    """
    props = image.get('properties') or {}
    certificate = props.get('img_signature_certificate_uuid')
    try:
        verifier = signature_utils.get_verifier(
            context=context,
            img_signature_certificate_uuid=certificate,
            img_signature_hash_method=props.get('img_signature_hash_method'),
            img_signature=props.get('img_signature'),
            img_signature_key_type=props.get('img_signature_key_type'))
        if trusted_certificate_ids:
            certificate_utils.verify_certificate(
                context=context, certificate_uuid=certificate,
                trusted_certificate_uuids=list(trusted_certificate_ids))
    except cursive_exception.SignatureVerificationError as e:
        raise exception.SignatureFailed(
            'signature verification failed: %s' % e, image=image) from e
    for chunk in chunks.read(path):
        verifier.update(chunk)
    try:
        verifier.verify()
    except crypto_exceptions.InvalidSignature:
        raise exception.SignatureFailed(
            'img_signature does not match the data (certificate %s)' %
            certificate, image=image) from None
