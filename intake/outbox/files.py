"""Sealed submission files in ``<data>/outbox``: written complete or not at all, hashed, named.

A sealed file is written as ``outbox/<id>.age.tmp``, fsynced, renamed to ``<id>.age`` and the folder
fsynced: a ``<id>.age`` is therefore always complete. The index (``intake.store.outbox_index``) is
the list of what should be there; :func:`recover` reconciles the two after a crash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from intake import durable

EXPORT_FORMAT = "witness-intake/export/v1"
SUFFIX = ".age"
TMP_SUFFIX = ".age.tmp"


class _HashingFile:
    """A write-only file that hashes and counts what passes through (the ciphertext)."""

    def __init__(self, f: durable.DurableFile) -> None:
        self._f = f
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._f.write(data)


def final_path(outbox: Path, submission_id: str) -> Path:
    """``outbox/<id>.age``."""
    return outbox / f"{submission_id}{SUFFIX}"


def write_sealed(
    outbox: Path, submission_id: str, produce: Callable[[BinaryIO], None]
) -> tuple[str, int]:
    """Run ``produce(file)`` into a temp file, fsync, rename into place, fsync the folder.

    Returns (sha256 hex, size) of the ciphertext. Blocking: call it in a worker thread.
    """
    tmp = outbox / f"{submission_id}{TMP_SUFFIX}"  # (a crash's leftover is replaced)
    with durable.replacing(final_path(outbox, submission_id), tmp=tmp) as f:
        hashing = _HashingFile(f)
        produce(hashing)  # type: ignore[arg-type]  # only .write is used
    return hashing.digest.hexdigest(), hashing.size


def file_sha256(path: Path) -> tuple[str, int]:
    """sha256 hex and size of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while piece := f.read(1 << 20):
            digest.update(piece)
            size += len(piece)
    return digest.hexdigest(), size


def iso(ts: float) -> str:
    """UTC ISO 8601 with a Z, to the second."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
