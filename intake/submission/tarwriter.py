"""The submission tar, written straight into the age writer: a POSIX (PAX) tar built on the fly.

The tar (uncompressed) holds ``submission.json`` first, then each attachment at
``attachments/<n>-<safe-name>``. Attachments are fed chunk by chunk: the plaintext never touches
disk and is never whole in memory. Member metadata says nothing about the server (uid/gid 0, no
user or group names, mode 0600, mtime = the submission time). The reader is
:mod:`intake.submission.tarreader`.
"""

from __future__ import annotations

import hashlib
import queue
import tarfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol


class PackageError(Exception):
    """An attachment did not match what the draft recorded (size or sha256)."""


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


@dataclass(frozen=True, slots=True)
class Member:
    """One attachment to pack: its tar path, expected size and sha256, and its plaintext chunks."""

    path: str
    size: int
    sha256: str
    chunks: Callable[[], Iterator[bytes]]


_NUL_BLOCK = bytes(tarfile.BLOCKSIZE)
_THREAD_HASH = 256 * 1024  # attachments larger than this are hashed on a worker thread


def _info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _header(name: str, size: int, mtime: int) -> bytes:
    """The member's header block(s), exactly as ``tarfile`` writes them in PAX format."""
    return _info(name, size, mtime).tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def _padding(size: int) -> bytes:
    return _NUL_BLOCK[: -size % tarfile.BLOCKSIZE]


class _Digest:
    """sha256 of one attachment, on a worker thread once it is large: hashlib releases the GIL,
    so the check overlaps encryption instead of adding to it. Chunks must not change afterwards
    (they are ``bytes`` from the draft store)."""

    def __init__(self, size: int) -> None:
        self._digest = hashlib.sha256()
        self._queue: queue.Queue[bytes | memoryview | None] | None = None
        self._thread: threading.Thread | None = None
        if size > _THREAD_HASH:
            self._queue = queue.Queue(8)
            self._thread = threading.Thread(target=self._work, name="sha256", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        assert self._queue is not None
        while (data := self._queue.get()) is not None:
            self._digest.update(data)

    def update(self, data: bytes | memoryview) -> None:
        if self._queue is None:
            self._digest.update(data)
        else:
            self._queue.put(data)

    def close(self) -> None:
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None

    def hexdigest(self) -> str:
        self.close()
        return self._digest.hexdigest()


def _write_member(out: _Writable, member: Member) -> None:
    """Stream one attachment into ``out``, checking it against the draft's record (size, sha256)."""
    digest = _Digest(member.size)
    seen = 0
    try:
        for chunk in member.chunks():
            digest.update(chunk)
            room = member.size - seen
            seen += len(chunk)
            if seen > member.size:
                if room:
                    out.write(chunk[:room])
                raise PackageError(f"attachment {member.path} is longer than recorded")
            out.write(chunk)
        sha256 = digest.hexdigest()
    finally:
        digest.close()
    if seen != member.size or sha256 != member.sha256:
        raise PackageError(f"attachment {member.path} does not match its recorded size/sha256")
    out.write(_padding(member.size))


def write_tar(
    out: _Writable, submission_json: bytes, members: Sequence[Member], mtime: int
) -> None:
    """Write the submission tar to ``out`` (anything with ``write``), streaming every member.

    The bytes are exactly what ``tarfile``'s ``w|`` stream mode writes (PAX format), built
    directly: headers from ``TarInfo.tobuf``, attachment chunks passed to ``out`` as they come
    (no 10 KiB re-buffering and 16 KiB re-reads), the end padded to a whole 10 KiB record.
    """
    header = _header("submission.json", len(submission_json), mtime)
    out.write(header)
    out.write(submission_json)
    out.write(_padding(len(submission_json)))
    total = len(header) + len(submission_json) + len(_padding(len(submission_json)))
    for member in members:
        header = _header(member.path, member.size, mtime)
        out.write(header)
        _write_member(out, member)
        total += len(header) + member.size + len(_padding(member.size))
    end = 2 * tarfile.BLOCKSIZE  # two zero blocks, then zeros up to a whole record
    out.write(bytes(end + (-(total + end) % tarfile.RECORDSIZE)))
