"""Reusable 1 MiB read buffers with explicit owners, one small pool per thread.

Decrypting reads the ciphertext in large blocks (:mod:`crypto.source`) and the offline side reads
the plaintext tar the same way (``intake.submission.tarreader``): a fresh 1 MiB buffer per read
costs page faults and zeroing that took longer than decrypting it, so blocks are reused.

Whether a buffer may be handed out again is counted explicitly, not guessed from CPython's
reference counts (which Python 3.14 no longer keeps for every borrowed reference): :func:`acquire`
returns a buffer held once, by its caller; anyone else who keeps a view of it past the owner's
next read (a hashing queue, another thread) calls :func:`hold` first; each holder calls
:func:`release` when done. A buffer goes back to its pool once nobody holds it, so a view handed
out never changes under a holder. Past :data:`POOL` pooled buffers per thread, fresh ones are made
and left to the garbage collector (``hold``/``release`` ignore them, and anything not pooled).
"""

from __future__ import annotations

import threading

BLOCK = 1024 * 1024
POOL = 16  # kept for reuse per thread (a decrypting and a tar-reading stream, a hashing queue)


class _Pool:
    """One thread's buffers and how many holders each has (any thread may release)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders: dict[int, int] = {}  # id(buffer) -> holders, for every pooled buffer
        self.buffers: list[bytearray] = []  # keeps the pooled buffers (and so their ids) alive


_LOCAL = threading.local()
_OWNER: dict[int, _Pool] = {}  # id(pooled buffer) -> its pool (buffers are never dropped)
_OWNER_LOCK = threading.Lock()


def acquire() -> bytearray:
    """A :data:`BLOCK`-byte buffer nobody else holds, now held once by the caller (its contents
    are stale, not zeroed). Give it back with :func:`release`."""
    pool: _Pool | None = getattr(_LOCAL, "pool", None)
    if pool is None:
        pool = _LOCAL.pool = _Pool()
    with pool.lock:
        for buf in pool.buffers:
            if pool.holders[id(buf)] == 0:
                pool.holders[id(buf)] = 1
                return buf
        buf = bytearray(BLOCK)
        if len(pool.buffers) >= POOL:
            return buf  # not pooled: nobody else can ever be handed it
        pool.buffers.append(buf)
        pool.holders[id(buf)] = 1
    with _OWNER_LOCK:
        _OWNER[id(buf)] = pool
    return buf


def _pool_of(buf: object) -> tuple[_Pool, int] | None:
    if isinstance(buf, memoryview):
        buf = buf.obj
    if not isinstance(buf, bytearray) or len(buf) != BLOCK:
        return None
    pool = _OWNER.get(id(buf))  # pooled buffers live for good: their ids are never reused
    return None if pool is None else (pool, id(buf))


def hold(buf: bytearray | memoryview | bytes) -> None:
    """One more holder of ``buf`` (a pooled buffer or a view of one; anything else: nothing)."""
    found = _pool_of(buf)
    if found is not None:
        pool, key = found
        with pool.lock:
            if pool.holders[key] <= 0:
                raise RuntimeError("hold() of a buffer nobody holds: hold it before releasing")
            pool.holders[key] += 1


def release(buf: bytearray | memoryview | bytes) -> None:
    """One holder of ``buf`` is done with it; with none left it may be handed out again."""
    found = _pool_of(buf)
    if found is not None:
        pool, key = found
        with pool.lock:
            if pool.holders[key] <= 0:
                raise RuntimeError("release() of a buffer nobody holds")
            pool.holders[key] -= 1
