"""``[fpga]`` options of the bitstream cache and signature checks."""

from oslo_config import cfg

OPTS = [
    cfg.StrOpt(
        'bitstream_cache_dir',
        default='/var/lib/nova/fpga-bitstreams',
        help='Where bitstreams fetched from Glance are kept, named by their '
             'content hash. Downloads in progress and lock files live in '
             'subdirectories of it, so it must be on one filesystem and '
             'writable by nova-compute.'),
    cfg.IntOpt(
        'bitstream_cache_size_mb',
        default=4096,
        min=0,
        help='Size cap of the bitstream cache in MiB. When a new bitstream '
             'takes the cache over the cap, the least recently used ones '
             'are removed; the one just fetched is always kept, and so is '
             'every one loaded for a server that holds its region (a power '
             'cycle may need it again).'),
    cfg.BoolOpt(
        'verify_bitstream_signatures',
        default=False,
        help='Verify the signature of every bitstream before a region is '
             'programmed with it, from the image properties img_signature, '
             'img_signature_hash_method, img_signature_key_type and '
             'img_signature_certificate_uuid, as Nova does for images when '
             '[glance] verify_glance_signatures is set. Bitstreams without '
             'them are refused. The certificate is read from the key '
             'manager ([key_manager] options) with the request context.'),
    cfg.ListOpt(
        'bitstream_trusted_certificate_ids',
        default=[],
        help='Key manager ids of certificates trusted to sign bitstreams. '
             'When set, and verify_bitstream_signatures is on, the '
             'certificate that signed a bitstream must be one of them or '
             'signed by one of them.'),
]
