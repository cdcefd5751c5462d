"""Bitstream files and a Glance reached through a fake of Nova's image API."""

import hashlib
import json
import os
import struct
import threading

from nova import exception as nova_exception

from nova_fpga.bitstream import cache
from nova_fpga.bitstream import headers

INTERFACE = '69528db6eb31577a8c3668f9faa081f6'
OTHER_INTERFACE = 'f64e598bea11517fa28e7bc65d885104'
AFU = 'd8424dc4a4a3c413f89e433683f9040b'
XCLBIN_INTERFACE = '0b2b1c8e0fc4e5e1a3c1f4c6d7e8f901'
XCLBIN_ID = '5f5d29c66d5a4b6e8f3c0f1e2d3c4b5a'


def dashed(hex_id):
    return '-'.join((hex_id[:8], hex_id[8:12], hex_id[12:16], hex_id[16:20],
                     hex_id[20:]))


def gbs_metadata(interface_id=INTERFACE, afu_id=AFU):
    """Metadata shaped like the Intel device plugin's test GBS."""
    return {
        'version': 1,
        'platform-name': 'n6000',
        'afu-image': {
            'interface-uuid': dashed(interface_id),
            'magic-no': headers.GBS_MAGIC_NO,
            'power': 0,
            'accelerator-clusters': [{
                'total-contexts': 1,
                'name': 'nlb_400',
                'accelerator-type-uuid': dashed(afu_id),
            }],
        },
    }


def make_gbs(interface_id=INTERFACE, afu_id=AFU, payload=b'\xa5' * 64,
             metadata=None, raw_metadata=None):
    if raw_metadata is None:
        if metadata is None:
            metadata = gbs_metadata(interface_id, afu_id)
        raw_metadata = json.dumps(metadata).encode()
    return (headers.GBS_GUID + struct.pack('<I', len(raw_metadata)) +
            raw_metadata + payload)


def cache_files(directory):
    """Files of a cache directory but its locks and notes, relative to it."""
    return sorted(os.path.relpath(os.path.join(root, name), directory)
                  for root, _, names in os.walk(directory)
                  for name in names
                  if os.path.relpath(root, directory).split(os.sep)[0]
                  not in (cache.LOCKS, cache.NOTES))


class Image:
    """An image as Glance holds it.

    ``visible``: the project may see it (show succeeds). ``listed``: it
    shows in a default listing (False for community images of other
    projects and for shares not accepted).
    """

    def __init__(self, image_id, data, name='bitstream', tags=('FPGA',),
                 properties=None, status='active', os_hidden=False,
                 visible=True, listed=True, algo='sha512', hash_value=None,
                 size=None):
        self.id = image_id
        self.data = data
        self.name = name
        self.tags = list(tags)
        self.properties = dict(properties or {})
        self.status = status
        self.os_hidden = os_hidden
        self.visible = visible
        self.listed = listed
        self.algo = algo
        if hash_value is None and algo is not None:
            hash_value = hashlib.new(algo, data).hexdigest()
        self.hash_value = hash_value
        self.size = len(data) if size is None else size

    def nova_meta(self):
        """What nova.image.glance.API returns for it.

        Schema attributes at the top level, visibility as is_public, other
        properties under 'properties', no tags (_extract_attributes_v2).
        """
        return {
            'id': self.id, 'name': self.name, 'status': self.status,
            'size': self.size, 'os_hash_algo': self.algo,
            'os_hash_value': self.hash_value, 'os_hidden': self.os_hidden,
            'owner': 'project', 'checksum': None, 'disk_format': 'raw',
            'container_format': 'bare', 'min_ram': 0, 'min_disk': 0,
            'is_public': True, 'deleted': False, 'deleted_at': None,
            'properties': dict(self.properties),
        }


class FakeImageAPI:
    """nova.image.glance.API's get, get_all and download over Images.

    Signatures are Nova's; tests check that they stay so.
    """

    def __init__(self, *images):
        self.images = {image.id: image for image in images}
        self.calls = []
        self.downloads = 0
        self.fail_download = None
        self._lock = threading.Lock()

    def get(self, context, id_or_uri, include_locations=False,
            show_deleted=True):
        self.calls.append(('get', context, id_or_uri))
        image = self.images.get(id_or_uri)
        if image is None or not image.visible:
            raise nova_exception.ImageNotFound(image_id=id_or_uri)
        return image.nova_meta()

    def _matches(self, image, filters):
        everything = (filters.get('visibility') == 'all' and
                      filters.get('member_status') == 'all')
        if not image.visible or not (image.listed or everything):
            return False
        if image.os_hidden != (filters.get('os_hidden') == 'true'):
            return False
        for key, value in filters.items():
            if key == 'tag':
                if not set(value) <= set(image.tags):
                    return False
            elif key in ('id', 'status'):
                if getattr(image, key) != value:
                    return False
            elif key not in ('visibility', 'member_status', 'os_hidden'):
                if image.properties.get(key) != value:
                    return False
        return True

    def get_all(self, context, **kwargs):
        filters = dict(kwargs.get('filters', {}))
        self.calls.append(('get_all', context, filters))
        return [image.nova_meta() for image in self.images.values()
                if self._matches(image, filters)]

    def download(self, context, id_or_uri, data=None, dest_path=None,
                 trusted_certs=None):
        self.calls.append(('download', context, id_or_uri, dest_path))
        with self._lock:
            self.downloads += 1
        if self.fail_download:
            raise self.fail_download
        if data is not None:
            data.write(self.images[id_or_uri].data)
            return
        with open(dest_path, 'wb') as f:
            f.write(self.images[id_or_uri].data)
