"""sha256 off the main thread: hashlib releases the GIL, so hashing overlaps decryption and I/O.

Opening a sealed file hashes every byte twice (the ciphertext, for the receipt; each attachment,
to check it against ``submission.json``). Done inline that is a third of the work on a large file;
a worker thread per digest takes it off the critical path on a machine with two cores or more.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from typing import BinaryIO

_SMALL = 256 * 1024  # below this, hashing inline is cheaper than a thread hand-off
_QUEUE_DEPTH = 64  # bounds memory: at most this many chunks wait (64 × 64 KiB = 4 MiB)


class BackgroundHash:
    """A sha256 fed with immutable buffers, hashed by a worker thread once data gets large."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._queue: queue.Queue[bytes | memoryview | None] | None = None
        self._thread: threading.Thread | None = None
        self._seen = 0

    def update(self, data: bytes | memoryview) -> None:
        """Add ``data`` (must not change afterwards: pass ``bytes`` or a view of ``bytes``)."""
        self._seen += len(data)
        if self._queue is None:
            if self._seen <= _SMALL:
                self._digest.update(data)
                return
            self._queue = queue.Queue(_QUEUE_DEPTH)
            self._thread = threading.Thread(target=self._work, name="sha256", daemon=True)
            self._thread.start()
        self._queue.put(data)

    def _work(self) -> None:
        assert self._queue is not None
        while (data := self._queue.get()) is not None:
            self._digest.update(data)

    def close(self) -> None:
        """Stop the worker (idempotent); call it on every path, errors included."""
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None

    def hexdigest(self) -> str:
        """The digest of everything added (waits for the worker)."""
        self.close()
        return self._digest.hexdigest()


class HashingReader:
    """Passes ``read(n)`` through to a file while hashing every byte read."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = BackgroundHash()

    def read(self, n: int = -1, /) -> bytes:
        """Read and hash up to ``n`` bytes."""
        data = self._raw.read(n)
        self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        """sha256 of the whole file (reads and hashes whatever was not read yet)."""
        while self.read(1024 * 1024):
            pass
        return self._hash.hexdigest()

    def close(self) -> None:
        """Stop the hashing worker."""
        self._hash.close()
