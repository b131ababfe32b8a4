"""Reusable 1 MiB read buffers, one small pool per thread.

Decrypting reads the ciphertext in large blocks (:mod:`crypto.source`) and the offline side reads
the plaintext tar the same way (``intake.submission.tarreader``): a fresh 1 MiB buffer per read
costs page faults and zeroing that took longer than decrypting it, so blocks are reused. A buffer
is handed out again only once nothing references it any more (CPython reference counts: no view
of it is alive anywhere, e.g. in a hashing queue), so a view handed out never changes under its
holder. One pool per thread, shared by every reader in that thread; past :data:`POOL` live
buffers, fresh ones are made and not kept.
"""

from __future__ import annotations

import sys
import threading

BLOCK = 1024 * 1024
POOL = 16  # kept for reuse per thread (a decrypting and a tar-reading stream, a hashing queue)
_LOCAL = threading.local()


def free_buffer() -> bytearray:
    """A :data:`BLOCK`-byte buffer no one else can see (its contents are stale, not zeroed)."""
    pool: list[bytearray] | None = getattr(_LOCAL, "pool", None)
    if pool is None:
        pool = _LOCAL.pool = []
    for buf in pool:
        # Referenced by the pool, this loop and getrefcount's argument only: nothing else (no
        # view, no block of a live reader) can see it change.
        if sys.getrefcount(buf) <= 3:
            return buf
    buf = bytearray(BLOCK)
    if len(pool) < POOL and hasattr(sys, "getrefcount"):
        pool.append(buf)
    return buf
