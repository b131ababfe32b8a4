"""Safe streaming extraction of a submission tar into a folder.

The plaintext is read once, as a stream (:class:`~intake.submission.tarreader.TarStream`), and never
with ``tarfile.extract``: each member is checked against an allow-list before a byte is written.
Only regular files named exactly ``submission.json`` (first) and then the ``attachments/<n>-<name>``
listed in it, in order, are accepted; absolute paths, ``..``, links, devices, fifos and any other
name are refused. Files are created with ``O_EXCL | O_NOFOLLOW`` and mode 0600 inside ``dest``.
Attachment sha256 and sizes are recomputed while copying.
"""

from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

from intake.offline.hashing import BackgroundHash
from intake.offline.open_errors import ArchiveError
from intake.submission.document import (
    MAX_SUBMISSION_JSON,
    Attachment,
    Submission,
    SubmissionFormatError,
    parse_submission,
)
from intake.submission.tarreader import Readable, TarStream

_KINDS = {
    tarfile.SYMTYPE: "symbolic link",
    tarfile.LNKTYPE: "hard link",
    tarfile.CHRTYPE: "character device",
    tarfile.BLKTYPE: "block device",
    tarfile.FIFOTYPE: "fifo",
    tarfile.DIRTYPE: "directory",
    tarfile.CONTTYPE: "contiguous file",
    tarfile.GNUTYPE_SPARSE: "sparse file",
}


@dataclass(frozen=True, slots=True)
class AttachmentCheck:
    """An attachment as listed, and what was actually found in the archive."""

    attachment: Attachment
    sha256: str
    size: int

    @property
    def ok(self) -> bool:
        """Whether the recomputed sha256 and size match ``submission.json``."""
        return self.sha256 == self.attachment.sha256 and self.size == self.attachment.size


@dataclass(frozen=True, slots=True)
class Extracted:
    """A validated submission written into a folder."""

    submission: Submission
    checks: tuple[AttachmentCheck, ...]


def extract_submission(plaintext: Readable, dest: Path) -> Extracted:
    """Extract the tar read from ``plaintext`` into the existing empty folder ``dest``.

    Raises :class:`ArchiveError` for an unsafe member, a malformed tar, or a tar that does not
    match its ``submission.json``. Errors raised by ``plaintext.read`` (e.g. crypto's
    ``PayloadError``) propagate unchanged. Stops at the tar's end-of-archive marker.
    """
    tar = TarStream(plaintext)
    first = tar.next()
    if first is None:
        raise ArchiveError("empty archive")
    check_member(first, "submission.json")
    if first.size > MAX_SUBMISSION_JSON:
        raise ArchiveError(f"submission.json is too large ({first.size} bytes)")
    raw = b"".join(bytes(v) for v in tar.data(first))
    try:
        submission = parse_submission(raw)
    except SubmissionFormatError as exc:
        text = str(exc)
        raise ArchiveError(
            text if text.startswith("submission.json") else f"submission.json: {text}"
        ) from None
    _write_new(dest / "submission.json", raw)
    (dest / "attachments").mkdir(mode=0o700)

    member = tar.next()
    if member is not None and member.isdir() and member.name.rstrip("/") == "attachments":
        member = tar.next()  # an explicit directory entry is harmless; skip it
    checks = []
    for attachment in submission.attachments:
        if member is None:
            raise ArchiveError(f"{attachment.path} is listed in submission.json but missing")
        check_member(member, attachment.path)
        checks.append(_copy(tar, member, dest / attachment.path, attachment))
        member = tar.next()
    if member is not None:
        check_member(member, None)
    if not tar.buffered_is_padding():
        raise ArchiveError("unexpected data after the end of the archive")
    return Extracted(submission=submission, checks=tuple(checks))


def check_member(member: tarfile.TarInfo, expected: str | None) -> None:
    """Refuse anything but a regular file named exactly ``expected`` (``None``: nothing allowed)."""
    name = member.name
    shown = repr(name[:120])
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"member {shown}: absolute path refused")
    if ".." in name.replace("\\", "/").split("/"):
        raise ArchiveError(f"member {shown}: '..' in path refused")
    if not member.isreg() or member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        kind = _KINDS.get(member.type, f"type {member.type!r}")
        raise ArchiveError(f"member {shown}: {kind} refused (only regular files are allowed)")
    if expected is None:
        raise ArchiveError(f"member {shown}: not listed in submission.json")
    if name != expected:
        raise ArchiveError(f"member {shown}: unexpected name (expected {expected!r})")


def _open_new(path: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)  # Windows has neither flag
    return os.open(path, flags, 0o600)


def _write_new(path: Path, data: bytes) -> None:
    fd = _open_new(path)
    try:
        view = memoryview(data)
        while view:  # a write may be partial
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _copy(
    tar: TarStream, member: tarfile.TarInfo, path: Path, attachment: Attachment
) -> AttachmentCheck:
    """Stream one member to ``path``, hashing on a worker thread; memory stays at a few chunks."""
    digest = BackgroundHash()
    try:
        with open(_open_new(path), "wb", buffering=0) as out:
            for view in tar.data(member):
                digest.update(view)
                while view:  # a raw write may be partial
                    view = view[out.write(view) or 0 :]
    finally:
        digest.close()
    return AttachmentCheck(attachment=attachment, sha256=digest.hexdigest(), size=member.size)
