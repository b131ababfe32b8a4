"""Open one sealed file into ``<out>/<submission-id>/``, all or nothing.

Everything is written into a fresh temp folder inside the output folder; it is renamed to its final
name only after the whole age file authenticated (the STREAM payload read to its authenticated end),
the tar and ``submission.json`` validated, and the report written. Any failure removes the temp
folder, so a rejected file leaves nothing behind.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

import crypto
from crypto.armor import BEGIN as ARMOR_BEGIN
from crypto.format import VERSION_PREFIX
from intake import safefs
from intake.offline.extract import Extracted, extract_submission
from intake.offline.hashing import HashingReader
from intake.offline.open_errors import (
    CONFLICT,
    DAMAGED,
    INVALID,
    MANIFEST,
    MISNAMED,
    NO_KEY,
    NOT_AGE,
    READ,
    WRITE,
    ArchiveError,
    OpenError,
)
from intake.submission.document import MAX_SUBMISSION_JSON
from intake.submission.tarreader import Readable

TEMP_PREFIX = ".intake-tmp-"
_READ_BLOCK = 64 * 1024
_AGE_MAGIC = (VERSION_PREFIX, ARMOR_BEGIN)  # what a damaged age file still starts with

# Writes extra files (report, custody record…) into the temp folder before it is released; gets
# the sealed file's sha256 too (computed in the same pass as the decryption).
Finisher = Callable[[Extracted, Path, str], object]


@dataclass(frozen=True, slots=True)
class Opened:
    """A submission released into ``folder``; ``sha256`` is that of the sealed file."""

    extracted: Extracted
    folder: Path
    sha256: str


def file_sha256(path: Path) -> str:
    """sha256 of a regular file (never a link or a FIFO: raises OpenError), streamed."""
    with os.fdopen(_open_source(path), "rb", buffering=0) as raw:
        return HashingReader(raw).hexdigest()


def _open_source(path: Path) -> int:
    """A descriptor of the sealed file; it comes from a stick, so links and FIFOs are refused."""
    try:
        return safefs.open_regular(path, shown=Path(path.name))
    except safefs.UnsafePathError as exc:
        raise OpenError(READ, str(exc).removeprefix(f"{path.name} ")) from None
    except OSError as exc:
        raise OpenError(READ, exc.strerror or type(exc).__name__) from None


def open_sealed(
    path: Path,
    identities: Sequence[crypto.Identity],
    out: Path,
    *,
    expected_sha256: str | None = None,
    finish: Finisher | None = None,
) -> Opened:
    """Decrypt ``path`` into ``out/<submission-id>/``; raise :class:`OpenError` leaving nothing."""
    try:
        tmp = _make_temp(out)
    except OSError as exc:
        raise OpenError(WRITE, f"{out}: {exc.strerror}") from None
    try:
        extracted, sha = _decrypt_into(path, identities, tmp)
        if expected_sha256 is not None and sha != expected_sha256:
            raise OpenError(MANIFEST, "sha256 differs from the one listed at export")
        folder = out / extracted.submission.submission_id
        taken = os.path.lexists(folder)
        misnamed = path.name != f"{folder.name}.age"
        if misnamed and not taken:
            raise OpenError(MISNAMED, _misnamed(folder.name))
        if finish is not None:
            finish(extracted, tmp, sha)
        if taken:
            _check_folder(folder)
            also = f"; and this file is not named {folder.name}.age" if misnamed else ""
            raise OpenError(
                CONFLICT,
                f"{folder.name}/ already holds a different sealed file{also}",
                submission_id=folder.name,
                sha256=sha,
                same_content=_same_json(folder, tmp),
                ack_secret=extracted.submission.ack_secret,
            )
        os.rename(tmp, folder)
    except OSError as exc:
        _remove(tmp)
        raise OpenError(WRITE, f"{exc.filename or out}: {exc.strerror}") from None
    except BaseException:
        _remove(tmp)
        raise
    return Opened(extracted=extracted, folder=folder, sha256=sha)


def _misnamed(submission_id: str) -> str:
    return (
        f"it holds submission {submission_id}, whose file the server names "
        f"{submission_id}.age; a file under another name may be a forgery made to take a real "
        f"submission's place. Rename it to {submission_id}.age only if you know where it came from"
    )


def _make_temp(out: Path) -> Path:
    """A new private folder ``out/.intake-tmp-<random>`` (what ``tempfile.mkdtemp`` does,
    without importing ``tempfile`` and ``shutil`` at start-up)."""
    for _ in range(100):
        tmp = out / f"{TEMP_PREFIX}{os.urandom(8).hex()}"
        try:
            os.mkdir(tmp, 0o700)
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(errno.EEXIST, "no usable temporary folder name", str(out))


def _remove(tmp: Path) -> None:
    import shutil  # only on failure

    shutil.rmtree(tmp, ignore_errors=True)


def _check_folder(folder: Path) -> None:
    """An existing ``<out>/<id>`` must be a real folder: a planted link is never written through."""
    mode = os.lstat(folder).st_mode
    if not stat.S_ISDIR(mode):
        raise OpenError(
            WRITE, f"{folder.name} in the output folder is {safefs.kind_of(mode)}; refused"
        )


def _same_json(folder: Path, tmp: Path) -> bool:
    """Whether an existing output folder holds exactly the submission.json just decrypted."""
    try:
        existing = safefs.read_bounded(folder / "submission.json", MAX_SUBMISSION_JSON)
    except (OSError, safefs.UnsafePathError):
        return False
    return existing == (tmp / "submission.json").read_bytes()


def _decrypt_into(
    path: Path, identities: Sequence[crypto.Identity], tmp: Path
) -> tuple[Extracted, str]:
    raw = os.fdopen(_open_source(path), "rb", buffering=0)  # 1 MiB reads: no buffer needed
    with raw:
        hashing = HashingReader(raw)
        try:
            extracted = _extract_authenticated(hashing, identities, tmp, partial(_magic, raw))
            return extracted, hashing.hexdigest()
        finally:
            hashing.close()


def _magic(raw: BinaryIO) -> bytes:
    """The first bytes of the file (read only when a header fails, to name the failure)."""
    raw.seek(0)
    return raw.read(64)


def _extract_authenticated(
    src: HashingReader, identities: Sequence[crypto.Identity], tmp: Path, magic: Callable[[], bytes]
) -> Extracted:
    """Decrypt and extract, then read to the authenticated end; map crypto errors to kinds."""
    try:
        plaintext = crypto.decrypt(src, identities)
        try:
            extracted = extract_submission(plaintext, tmp)
        except ArchiveError as exc:
            # a damaged file is reported as damaged, not as a bad archive; what follows the bad
            # part is not padding, and must not hide the reason with one of its own
            _drain(plaintext, padding=False)
            raise OpenError(INVALID, str(exc)) from None
        _drain(plaintext)  # authenticates the last chunk: nothing is released before this
    except crypto.NoIdentityMatchError:
        raise OpenError(
            NO_KEY, "none of the given identities opens it, or its header is damaged"
        ) from None
    except (crypto.HeaderMACError, crypto.PayloadError) as exc:
        raise OpenError(DAMAGED, _reason(exc)) from None
    except (crypto.HeaderError, crypto.ArmorError) as exc:
        kind = DAMAGED if magic().startswith(_AGE_MAGIC) else NOT_AGE
        raise OpenError(kind, _reason(exc)) from None
    return extracted


def _drain(plaintext: Readable, *, padding: bool = True) -> None:
    """Read to the authenticated end. Bytes after the tar's end-of-archive are only padding
    (``padding=False``: the archive was already refused; only authenticate)."""
    while block := plaintext.read(_READ_BLOCK):
        if padding and block.count(0) != len(block):
            raise OpenError(INVALID, "unexpected data after the end of the archive")


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__
