"""The data dir on disk: created private, checked before use, files written atomically.

Layout::

    <data>/            0700  owned by the service user
      server.key       0600  32 random bytes — only when no better place is configured
                             (systemd credential, INTAKE_SERVER_KEY_FILE on tmpfs)
      keyslots         0600  the key of every live record, one fixed slot each, overwritten in
                             place (intake.store.keyslots)
      intake.sqlite3   0600  sealed records (ciphertext), outbox index (+ -wal, -shm)
      drafts/<id>/     0700  encrypted attachment blobs of one open draft
      outbox/<id>.age  0600  sealed submissions waiting for export

Policy (see docs/architecture.md, "Store"): a missing data dir is created 0700. An existing one that
is group/world accessible, or owned by another user, is *refused* with :class:`UnsafeDataDirError`
instead of being silently fixed: an operator must find out how it got that way, because the server
key may already have been read. The error says the exact ``chmod`` that fixes it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from intake.durable import fsync_dir as fsync_dir  # (re-exported: the store's modules use it)
from intake.store.exceptions import UnsafeDataDirError

DB_NAME = "intake.sqlite3"
KEY_NAME = "server.key"
KEYSLOTS_NAME = "keyslots"
DRAFTS_DIR = "drafts"
OUTBOX_DIR = "outbox"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` with mode 0700 if missing, else check it is private and ours."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=True)
    st = path.stat()
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeDataDirError(f"{path} is not a directory")
    _check_private(path, st, "directory", "700")
    return path


def check_private_file(path: Path) -> None:
    """Refuse a file that others can read or that another user owns."""
    st = path.lstat()
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeDataDirError(f"{path} is not a regular file (symlinks are refused)")
    _check_private(path, st, "file", "600")


def _check_private(path: Path, st: os.stat_result, what: str, mode: str) -> None:
    if st.st_uid != os.geteuid():
        raise UnsafeDataDirError(
            f"{what} {path} is owned by uid {st.st_uid}, not by this service (uid {os.geteuid()})"
        )
    if st.st_mode & 0o077:
        raise UnsafeDataDirError(
            f"{what} {path} has mode {stat.S_IMODE(st.st_mode):o}, accessible to other users; "
            f"check who could have read it, then fix with: chmod {mode} {path}"
        )


def create_private_file(path: Path) -> None:
    """Create an empty 0600 file if it does not exist (so SQLite's -wal/-shm inherit 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    check_private_file(path)


def write_new_file(path: Path, data: bytes) -> bool:
    """Atomically create ``path`` (0600) holding ``data``; False if it already existed.

    Written to a temp name, fsynced, then hard-linked into place: ``link`` fails if the target
    exists, so two processes starting at once can never both create (and disagree on) a key.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
        created = True
    except FileExistsError:
        created = False
    finally:
        os.unlink(tmp)
    fsync_dir(path.parent)
    return created
