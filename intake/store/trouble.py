"""Telling disk trouble from every other failure, and saying where it is and what to do.

A full disk, a read-only remount or a failing device show up as ``sqlite3.OperationalError``
("database or disk is full"), ``OSError`` (ENOSPC, EROFS, EIO…) or anything wrapping them. The
bot must then tell the witness "we could not save this, try again in a while" instead of saying
nothing, the operators must be alerted, and every error line must name the path and the fix.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass
from pathlib import Path

_ERRNO = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EIO: "input/output error",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}
_SQLITE = {
    "SQLITE_FULL": "disk full",
    "SQLITE_READONLY": "read-only file system",
    "SQLITE_IOERR": "input/output error",
    "SQLITE_CANTOPEN": "cannot open the database file",
    "SQLITE_PERM": "permission denied",
}
_ADVICE = {
    "disk full": "free space on the filesystem that holds it",
    "disk quota exceeded": "raise the service user's disk quota or free space",
    "read-only file system": "remount it read-write (check the kernel log: a failing disk is "
    "often remounted read-only)",
    "input/output error": "check the disk (kernel log, SMART) before anything else writes to it",
    "permission denied": "give the service user write access to it (chown/chmod 700)",
    "cannot open the database file": "check that it exists, is writable and the disk is not full",
}


@dataclass(frozen=True)
class Trouble:
    """Disk trouble: what went wrong (``reason``), where (``path``, if known), and the fix."""

    reason: str
    path: str | None = None

    @property
    def advice(self) -> str:
        """What an operator should do about it."""
        return _ADVICE.get(self.reason, "check the disk and the data directory")

    def describe(self, fallback: Path | str | None = None) -> str:
        """One line: ``cannot write to <path>: <reason>``."""
        where = self.path or (str(fallback) if fallback is not None else "the data directory")
        return f"cannot write to {where}: {self.reason}"


def storage_trouble(exc: BaseException | None) -> Trouble | None:
    """The disk trouble behind ``exc`` (following its causes), or None if it is something else."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sqlite3.Error):
            name = getattr(exc, "sqlite_errorname", "") or ""
            for prefix, reason in _SQLITE.items():
                if name.startswith(prefix):
                    return Trouble(reason)
            if "disk is full" in str(exc):
                return Trouble("disk full")
        if isinstance(exc, OSError) and exc.errno in _ERRNO:
            path = exc.filename if isinstance(exc.filename, str) else None
            return Trouble(_ERRNO[exc.errno], path)
        exc = exc.__cause__ or exc.__context__
    return None
