"""An uncached bitstream from a real Glance: our fetch next to glanceclient's.

A real glance-api (gunicorn, file store, on loopback) holds one image of
``--size-mb`` MiB. Alternating, each ``--repeat`` times: a plain
glanceclient download of it to a file, and what a spawn does for an
uncached bitstream (Nova's image API, hashed while written, renamed into
an empty cache). The image's metadata, which a spawn has already from
resolving its request, is looked up before the clock starts; that lookup
is printed apart. Each run is its own process, so its peak RSS growth
(VmHWM after, minus VmRSS before) is its own; it first fetches a small
other image the same way, untimed, as a long-running nova-compute has
done before. Prints figures; asserts nothing.

Run from the top of a checkout: ``python -m benchmarks.bitstream_stream``.
"""

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

MiB = 1024 * 1024
GOAL_RATIO = 0.9
GOAL_RSS_MIB = 32
BLOCK = 4 * MiB


def _memory(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) * 1024
    raise RuntimeError('no %s in /proc/self/status' % field)


def _plain(url, token, image_id, workdir):
    """A glanceclient download to a file, as a function to time."""
    from demo import images

    def download():
        client = images.client(url, token)
        with open(os.path.join(workdir, image_id), 'wb') as f:
            for chunk in client.images.data(image_id):
                f.write(chunk)
    return download


def _ours(url, token, image_id, workdir):
    """A spawn's fetch of an uncached bitstream, as a function to time.

    The image's metadata is looked up first, untimed: a spawn has it from
    resolving the request, cached bitstream or not.
    """
    from nova.image import glance as nova_glance

    from demo import images
    from nova_fpga.bitstream import cache as cache_mod
    from nova_fpga.bitstream import glance
    images.use_glance(url)
    user, project = token.split(':')[:2]
    context = images.request_context(user, project)
    api = nova_glance.API()
    meta = api.get(context, image_id)
    cache = cache_mod.Cache(os.path.join(workdir, 'cache'), 1 << 40)
    return functools.partial(
        cache.get, meta,
        functools.partial(glance.fetch, context, api, image_id))


def child(way, url, token, image_id, warm_id, workdir):
    """One download here: (seconds, peak RSS growth, untimed lookup).

    The small image ``warm_id`` is fetched the same way first, untimed, so
    that only the download's own time and memory count: in nova-compute,
    what a first download imports and sets up is there long before.
    """
    ways = {'plain': _plain, 'ours': _ours}
    ways[way](url, token, warm_id, os.path.join(workdir, 'warm'))()
    workdir = os.path.join(workdir, 'timed')
    os.makedirs(workdir)
    start = time.perf_counter()
    download = ways[way](url, token, image_id, workdir)
    lookup = time.perf_counter() - start
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
    before = _memory('VmRSS')
    start = time.perf_counter()
    download()
    seconds = time.perf_counter() - start
    return seconds, _memory('VmHWM') - before, lookup


def run_child(way, url, token, image_id, warm_id):
    with tempfile.TemporaryDirectory(prefix='stream-') as workdir:
        os.makedirs(os.path.join(workdir, 'warm'))
        out = subprocess.run(
            [sys.executable, '-m', 'benchmarks.bitstream_stream', '--child',
             way, url, token, image_id, warm_id, workdir],
            check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def upload(url, token, size, blocks):
    """An image of ``blocks`` random blocks of ``size`` bytes; its id."""
    from demo import images
    with tempfile.TemporaryDirectory(prefix='stream-src-') as src:
        path = os.path.join(src, 'bitstream')
        with open(path, 'wb') as f:
            block = os.urandom(size)
            for _ in range(blocks):
                f.write(block)
        return images.upload(url, token, path, 'stream')['id']


def measure(url, token, size_mb, repeat, warm_id):
    from demo import images
    image_id = upload(url, token, BLOCK, size_mb * MiB // BLOCK)
    runs = {'plain': [], 'ours': []}
    for _ in range(repeat):
        for way in runs:
            runs[way].append(run_child(way, url, token, image_id, warm_id))
    images.client(url, token).images.delete(image_id)
    return {way: (statistics.median(r[0] for r in results),
                  max(r[1] for r in results),
                  statistics.median(r[2] for r in results))
            for way, results in runs.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mb', type=int, action='append',
                        help='image size in MiB (repeatable; 64 and 1024)')
    parser.add_argument('--repeat', type=int, default=9)
    parser.add_argument('--child', nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0

    from demo import glance
    from demo import identity
    token = identity.make_token('bench', 'bench')
    with tempfile.TemporaryDirectory(prefix='stream-glance-') as workdir:
        with glance.GlanceServer(workdir) as server:
            print('Uncached bitstream from a real Glance on loopback, median '
                  'of %d; goals: ours/plain >= %.1fx, RSS growth <= %d MiB'
                  % (args.repeat, GOAL_RATIO, GOAL_RSS_MIB))
            print('%8s %12s %12s %9s %10s %10s %10s' % (
                'MiB', 'plain MiB/s', 'ours MiB/s', 'ratio', 'plain RSS',
                'ours RSS', 'lookup'))
            warm_id = upload(server.url, token, 64 * 1024, 1)
            for size_mb in args.size_mb or [64, 1024]:
                figures = measure(server.url, token, size_mb, args.repeat,
                                  warm_id)
                plain, ours = figures['plain'], figures['ours']
                print('%8d %12.1f %12.1f %8.2fx %9.1fM %9.1fM %8.1fms' % (
                    size_mb, size_mb / plain[0], size_mb / ours[0],
                    plain[0] / ours[0], plain[1] / MiB, ours[1] / MiB,
                    ours[2] * 1e3))
                sys.stdout.flush()
            print('ours: Nova image API download, hashed while written, '
                  'renamed into the cache; RSS: peak growth of one '
                  'download; lookup: the image metadata get before it, '
                  'untimed (a spawn has it from resolving the request)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
