"""Reading a file in fixed-size chunks, so memory does not grow with it."""

CHUNK_SIZE = 1024 * 1024


def read(path):
    """Yield the file's data in chunks of at most CHUNK_SIZE bytes.

    Each chunk is a view of one reused buffer, valid until the next one is
    asked for: hash it or copy it, do not keep it.
    """
    buf = bytearray(CHUNK_SIZE)
    view = memoryview(buf)
    with open(path, 'rb', buffering=0) as f:
        while True:
            n = f.readinto(buf)
            if not n:
                return
            yield view[:n]
