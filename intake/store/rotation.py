"""Replacing the server key when a data dir from before key slots is upgraded.

Versions before key slots (schema v1/v2) wrapped every draft's key under a key derived from the
server key, in rows SQLite copied into its WAL and freed pages, and kept witnesses' keyed hashes
(also derived from it) in clear columns. Those copies stay in the file system's free blocks after
the upgrade, and the server key used to stay the same — so whoever seized the disk (and the key,
when it lived beside the data) could still open the old drafts of witnesses long gone, and test
Telegram ids against their hashes. Upgrading therefore replaces the key: the copies become noise.

The order, so that a crash at any instant loses nothing (each start finishes what is pending):

1. :func:`begin`: a new random key is written to ``<key>.next`` beside the key (0600, fsynced);
2. the key-slot file is opened accepting either key's check value, its header rewritten with the
   new one, and every slot that opens under the old key re-sealed under the new one in place
   (:func:`intake.store.sealed.rewrap_slot`), then synced; the migration then carries the old
   drafts over under the new key (their lookup tags recomputed under the new witness secret);
3. after the migration's commit and the WAL's truncation, :func:`finish` overwrites the key file
   **in place** with the new key (``pwrite`` + ``fsync``: on ext4/xfs the old bytes are gone, as
   for a key slot), then zeroes ``<key>.next`` in place, fsyncs and unlinks it.

While ``<key>.next`` exists, a start resumes at 2 with the key file's key as the old one (it is
the old key until 3 is done, then both are the new key). A systemd credential cannot be rewritten
by the service: an upgrade is refused with what to do instead (docs/operations.md §4c).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from intake.store.datadir import check_private_file, fsync_dir, write_new_file
from intake.store.exceptions import StoreError
from intake.store.serverkey import KEY_SIZE, KeySource, ServerKeys

log = structlog.get_logger(__name__)

NEXT_SUFFIX = ".next"


@dataclass(frozen=True, slots=True)
class Rotation:
    """A replacement of the server key in progress: ``old`` until it is done, ``new`` after."""

    source: KeySource
    old: ServerKeys
    new: ServerKeys
    secret: bytes = field(repr=False)


def next_path(source: KeySource) -> Path:
    """Where the new key waits until the key file is overwritten with it."""
    return source.path.with_name(source.path.name + NEXT_SUFFIX)


def pending(source: KeySource) -> bool:
    """Whether a replacement began and did not finish (a crash): the next start resumes it."""
    return next_path(source).exists()


def begin(source: KeySource, old: ServerKeys, *, schema_version: int) -> Rotation:
    """Make (or, resuming, read) the new key; refuse if the key file cannot be rewritten."""
    if source.origin == "systemd credential":
        raise StoreError(
            f"this data dir has schema v{schema_version}, from before key slots: upgrading it "
            "replaces the server key (the old one opens what those versions left in free disk "
            "blocks), and a systemd credential cannot be rewritten by the service. Start this "
            "version once with the key as a file — copy the decrypted credential to a tmpfs, "
            "e.g. /run/witness-intake/server.key (0600), and set INTAKE_SERVER_KEY_FILE to it "
            "instead of LoadCredentialEncrypted= — then make the credential from that rotated "
            "file and shred it (docs/operations.md §4c, 'Upgrading')"
        )
    path = next_path(source)
    if not os.access(source.path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise StoreError(
            f"this data dir has schema v{schema_version}, from before key slots: upgrading it "
            f"replaces the server key, but {source.path} ({source.origin}) or its folder is not "
            "writable by this service: make them writable for this one start "
            "(docs/operations.md §4c, 'Upgrading')"
        )
    if not path.exists():
        write_new_file(path, os.urandom(KEY_SIZE))  # fsynced, with its folder
    check_private_file(path)
    secret = path.read_bytes()
    if len(secret) != KEY_SIZE:
        raise StoreError(f"{path} is {len(secret)} bytes, expected {KEY_SIZE}: a torn new key")
    return Rotation(source, old, ServerKeys.from_secret(secret), secret)


def finish(rotation: Rotation) -> None:
    """Overwrite the key file with the new key in place, then destroy ``<key>.next``."""
    _overwrite(rotation.source.path, rotation.secret)
    path = next_path(rotation.source)
    _overwrite(path, bytes(KEY_SIZE))
    path.unlink()
    fsync_dir(path.parent)
    log.info("store_server_key_rotated")


def _overwrite(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if os.pwrite(fd, data, 0) != len(data):
            raise StoreError(f"short write to {path}")
        os.fsync(fd)
    finally:
        os.close(fd)
