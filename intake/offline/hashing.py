"""sha256 off the main thread: hashlib releases the GIL, so hashing overlaps decryption and I/O.

Opening a sealed file hashes every byte twice (the ciphertext, for the receipt; each attachment,
to check it against ``submission.json``). Done inline that is a third of the work on a large file;
a worker thread takes it off the critical path on a machine with two cores or more.

Why one shared worker, fed large buffers: every hand-off costs a queue round trip and, worse, a
wait for the GIL when the hash returns; with 64 KiB pieces the worker spent more time waiting than
hashing and opening got slower than hashing inline. The callers hand over ~1 MiB pieces (the
ciphertext blocks crypto reads, the plaintext buffers the tar reader fills), and one long-lived
thread serves every digest of the process, so no thread is started per file.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from typing import BinaryIO

from crypto import buffers

_SMALL = 256 * 1024  # below this, hashing inline is cheaper than a thread hand-off
_QUEUE_DEPTH = 4  # bounds memory: at most this many ~1 MiB pieces wait per lane
_READ = 1024 * 1024

_Item = tuple["hashlib._Hash", bytes | memoryview] | threading.Event


class _Worker:
    """The process's hashing thread, started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Item] | None = None

    def put(self, item: _Item) -> None:
        if self._queue is None:
            with self._lock:
                if self._queue is None:
                    q: queue.Queue[_Item] = queue.Queue(_QUEUE_DEPTH)
                    threading.Thread(target=_work, args=(q,), name="sha256", daemon=True).start()
                    self._queue = q
        self._queue.put(item)


def _work(q: queue.Queue[_Item]) -> None:
    while True:
        item = q.get()
        if isinstance(item, threading.Event):
            item.set()
        else:
            item[0].update(item[1])
            buffers.release(item[1])  # hashed: the reader may reuse it (if pooled)
        del item


_WORKERS = (_Worker(), _Worker())  # lane 0: ciphertext, lane 1: attachments


def _after_fork() -> None:
    for worker in _WORKERS:
        worker._queue = None  # a forked child has no worker thread: start a new one on use


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


class BackgroundHash:
    """A sha256 fed with immutable buffers, hashed by the worker thread once data gets large."""

    def __init__(self, lane: int = 1) -> None:
        self._digest = hashlib.sha256()
        self._worker = _WORKERS[lane]
        self._queued = False
        self._seen = 0

    def update(self, data: bytes | memoryview) -> None:
        """Add ``data``. A view of a :mod:`crypto.buffers` buffer is held until it is hashed;
        any other ``data`` must not change until :meth:`close`."""
        self._seen += len(data)
        if not self._queued and self._seen <= _SMALL:
            self._digest.update(data)
            return
        self._queued = True
        buffers.hold(data)  # released by the worker once hashed
        self._worker.put((self._digest, data))

    def close(self) -> None:
        """Wait until everything added is hashed (idempotent); call it on every path."""
        if self._queued:
            done = threading.Event()
            self._worker.put(done)
            done.wait()
            self._queued = False

    def hexdigest(self) -> str:
        """The digest of everything added (waits for the worker)."""
        self.close()
        return self._digest.hexdigest()


class HashingReader:
    """Passes ``read(n)`` through to a file while hashing every byte read."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = BackgroundHash(lane=0)

    def read(self, n: int = -1, /) -> bytes:
        """Read and hash up to ``n`` bytes."""
        data = self._raw.read(n)
        self._hash.update(data)
        return data

    def readinto(self, buffer: bytearray) -> int:
        """Read into ``buffer`` and hash what was read (a pooled ``buffer`` is held until hashed;
        the caller must not change any other one before :meth:`close`)."""
        n: int = self._raw.readinto(buffer)  # type: ignore[attr-defined]  # files have it
        self._hash.update(memoryview(buffer)[:n])
        return n

    def hexdigest(self) -> str:
        """sha256 of the whole file (reads and hashes whatever was not read yet)."""
        while self.read(_READ):
            pass
        return self._hash.hexdigest()

    def close(self) -> None:
        """Wait for the hashing of what was read."""
        self._hash.close()
