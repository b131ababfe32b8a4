"""The key-slot file: the only place on disk where the key of a live record exists.

Layout of ``<data>/keyslots`` (see docs/architecture.md, "Store")::

    offset 0     header, 128 bytes: MAGIC, format version (u16), slot size (u16),
                 check value (16 bytes, derived from the server key), zeros
    offset 128   slot 0, 128 bytes
    offset 256   slot 1 …   (slot n at 128 · (n + 1); all zero = free)

Why a file of fixed slots overwritten in place: SQLite's WAL and rollback journal, and every file
written by rename, leave old copies in freed blocks of the file system. A slot is changed only by
``pwrite`` at its own offset followed by ``fdatasync``; on ext4/xfs with ordered or writeback data
that rewrites the same block, so zeroing a slot destroys the last stored copy of the key
(verified on a loop-mounted ext4 image, tests/store/test_keyslots.py). The file is never renamed
or rewritten; it grows by appending zeroed slots. It starts at 4 KiB so it is never kept inline in
an inode (ext4 ``inline_data`` would put it in the journalled inode table). A 128-byte slot never
straddles a 512-byte sector, so one slot write is one sector write.

This module only moves opaque slot bytes; what a slot holds is :mod:`intake.store.sealed`'s.
Writes are synced in groups: many slot writes queued at once share one ``fdatasync``.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import heapq
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from intake.store.datadir import check_private_file, fsync_dir
from intake.store.exceptions import StoreError

MAGIC = b"witness-intake key slots\n"
FORMAT_VERSION = 1
SLOT_SIZE = 128
HEADER_SIZE = 128
CHECK_SIZE = 16
INITIAL_SLOTS = (4096 - HEADER_SIZE) // SLOT_SIZE  # a 4 KiB file: never inline in an inode
MAX_GROWTH = 4096  # slots added at most per growth step (512 KiB)
_HEADER = struct.Struct(f">{len(MAGIC)}sHH{CHECK_SIZE}s")
_EMPTY = bytes(SLOT_SIZE)


def offset(index: int) -> int:
    """Byte offset of slot ``index`` in the file."""
    return HEADER_SIZE + index * SLOT_SIZE


def _header(check: bytes) -> bytes:
    return _HEADER.pack(MAGIC, FORMAT_VERSION, SLOT_SIZE, check).ljust(HEADER_SIZE, b"\0")


class KeySlotFile:
    """An open key-slot file, locked for this process (one ``intake run`` per data dir)."""

    def __init__(self, path: Path, fd: int, count: int, used: set[int]) -> None:
        """Use :meth:`open`."""
        self.path = path
        self._fd = fd
        self.count = count
        self._free = [i for i in range(count) if i not in used]
        heapq.heapify(self._free)
        self._grow_lock = asyncio.Lock()
        self._written = 0  # generation of the last pwrite
        self._synced = 0  # generation known to be on disk
        self._syncing: asyncio.Task[None] | None = None
        self.syncs = 0  # fdatasync calls made (tests and the benchmark: how well writes group)

    @classmethod
    def open(
        cls, path: Path, check: bytes, *, previous: bytes | None = None
    ) -> tuple[KeySlotFile, dict[int, bytes]]:
        """Open (creating if missing) and lock the file; return it and every non-zero slot.

        ``check`` is the value the header must hold for the server key in use: a file made under
        another key is refused instead of being taken as a file of torn slots (which would be
        zeroed, destroying every open draft because of a configuration mistake). ``previous``:
        while the server key is being replaced (:mod:`intake.store.rotation`), a header with the
        old key's check value is accepted too and rewritten in place with ``check``.
        """
        if len(check) != CHECK_SIZE or (previous is not None and len(previous) != CHECK_SIZE):
            raise ValueError(f"check value must be {CHECK_SIZE} bytes")
        if not path.exists():
            _create(path, check)
        check_private_file(path)
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"{path} is in use by another process: only one `intake run` may serve a "
                    "data dir at a time"
                ) from None
            size = os.fstat(fd).st_size
            raw = os.pread(fd, size, 0)
            if previous is not None and _stored_check(raw) == previous != check:
                if os.pwrite(fd, _header(check), 0) != HEADER_SIZE:
                    raise StoreError(f"short write to the header of {path}")
                os.fdatasync(fd)
                raw = _header(check) + raw[HEADER_SIZE:]
            _check_header(path, raw[:HEADER_SIZE], check)
            count = (size - HEADER_SIZE) // SLOT_SIZE  # a torn growth's partial tail is ignored
            slots = {
                i: raw[offset(i) : offset(i) + SLOT_SIZE]
                for i in range(count)
                if raw[offset(i) : offset(i) + SLOT_SIZE] != _EMPTY
            }
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, count, set(slots)), slots

    def close(self) -> None:
        """Release the lock and close the file (after every sync finished)."""
        with contextlib.suppress(OSError):
            os.close(self._fd)

    # slots ----------------------------------------------------------------------------------

    async def allocate(self) -> int:
        """A free slot index (the lowest), growing the file when none is left."""
        if not self._free:
            async with self._grow_lock:
                if not self._free:
                    await self._grow()
        return heapq.heappop(self._free)

    def release(self, index: int) -> None:
        """Give a slot back for reuse (only once its zeros are durable, or it was never used)."""
        heapq.heappush(self._free, index)

    def write(self, index: int, data: bytes) -> None:
        """Overwrite slot ``index`` in place (durable after :meth:`sync`)."""
        if len(data) != SLOT_SIZE or not 0 <= index < self.count:
            raise ValueError(f"bad slot write: index {index}, {len(data)} bytes")
        if os.pwrite(self._fd, data, offset(index)) != SLOT_SIZE:
            raise StoreError(f"short write to {self.path} slot {index}")
        self._written += 1

    def clear(self, index: int) -> None:
        """Overwrite slot ``index`` with zeros (durable after :meth:`sync`)."""
        self.write(index, _EMPTY)

    def iter_used(self) -> Iterator[int]:
        """Indices not in the free list (for tests and checks)."""
        free = set(self._free)
        return (i for i in range(self.count) if i not in free)

    async def sync(self) -> None:
        """Return once every slot write made before this call is on disk (grouped fdatasync)."""
        target = self._written
        while self._synced < target:
            if self._syncing is None or self._syncing.done():
                self._syncing = asyncio.create_task(self._sync_once())
            await asyncio.shield(self._syncing)

    async def _sync_once(self) -> None:
        generation = self._written
        await asyncio.to_thread(os.fdatasync, self._fd)
        self.syncs += 1
        self._synced = max(self._synced, generation)

    async def _grow(self) -> None:
        added = min(max(self.count, INITIAL_SLOTS), MAX_GROWTH)
        start = offset(self.count)
        zeros = bytes(added * SLOT_SIZE)
        if os.pwrite(self._fd, zeros, start) != len(zeros):
            raise StoreError(f"could not grow {self.path}")
        await asyncio.to_thread(os.fsync, self._fd)  # the size changes: a full fsync
        for i in range(self.count, self.count + added):
            heapq.heappush(self._free, i)
        self.count += added


def _create(path: Path, check: bytes) -> None:
    """A new file of :data:`INITIAL_SLOTS` zeroed slots, written once under a temp name."""
    data = _header(check) + bytes(INITIAL_SLOTS * SLOT_SIZE)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # never replaces a file another process created meanwhile
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    fsync_dir(path.parent)


def _stored_check(raw: bytes) -> bytes | None:
    if len(raw) < HEADER_SIZE or not raw.startswith(MAGIC):
        return None
    return bytes(_HEADER.unpack_from(raw)[3])


def _check_header(path: Path, raw: bytes, check: bytes) -> None:
    if len(raw) < HEADER_SIZE or not raw.startswith(MAGIC):
        raise StoreError(f"{path} is not a key-slot file (bad header)")
    _, version, slot_size, stored = _HEADER.unpack_from(raw)
    if version != FORMAT_VERSION or slot_size != SLOT_SIZE:
        raise StoreError(f"{path} has format v{version} with {slot_size}-byte slots, unsupported")
    if stored != check:
        raise StoreError(
            f"{path} was made with another server key: restore the server key it was made with, "
            "or move the file away to start over (open drafts are lost; sealed submissions and "
            "the outbox are kept)"
        )
