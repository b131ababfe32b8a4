"""``intake export``: copy sealed files and ``manifest.json`` to a folder (a USB stick).

The stick is hostile: it may hold links planted where we write (``manifest.json.part →
<data>/server.key`` once made an export overwrite the server key). So the folder is walked
without following links (:func:`safefs.open_dir`), every file is written under a fresh random
temp name created with ``O_EXCL | O_NOFOLLOW`` relative to that folder, fsynced, dropped from the
page cache and read back from the stick and compared before it is renamed into place, and
nothing already on the stick is ever written through or over: a file of the same name that is
not the same bytes is reported and left alone. The manifest lists what this export copied and
the files of earlier exports still on the stick that the index knows; nothing is read from the
stick's old manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from intake import safefs
from intake.outbox.files import EXPORT_FORMAT, iso
from intake.store import OutboxRow, Store

log = structlog.get_logger(__name__)

MANIFEST = "manifest.json"
_BLOCK = 1 << 20
_OWN_TEMP = re.compile(r"\.[A-Za-z0-9][A-Za-z0-9._-]*\.[0-9a-f]{12}\.part")


@dataclass(slots=True)
class ExportResult:
    """Which submissions were copied, which already were there, which could not be (and why)."""

    copied: list[OutboxRow] = field(default_factory=list)
    present: list[OutboxRow] = field(default_factory=list)  # identical copy already on the stick
    failed: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)


class CopyError(Exception):
    """One file could not be exported; the message says why (the others go on)."""


async def export(store: Store, out: Path, *, include_all: bool, now: float) -> ExportResult:
    """Copy sealed files (not yet exported, or all unacknowledged) + ``manifest.json`` to ``out``.

    Each copy is read back from the stick and compared before it counts; copied ones are marked
    exported. Nothing on the server is deleted. Raises :class:`safefs.UnsafePathError` for a link
    in ``out`` or an ``out`` inside the data dir, ``OSError`` if the manifest cannot be written.
    """
    states = ("queued", "exported") if include_all else ("queued",)
    _refuse_data_dir(out, store.data_dir)
    dir_fd, _ = safefs.open_dir(out, create=True)
    try:
        _remove_own_temps(dir_fd)
        result = ExportResult()
        for row in await store.outbox.rows(states):
            try:
                fresh = _export_one(store.outbox_dir / row.filename, dir_fd, out, row)
            except CopyError as exc:
                result.failed.append((row.submission_id, str(exc)))
                continue
            (result.copied if fresh else result.present).append(row)
        done = {r.submission_id for r in (*result.copied, *result.present)}
        earlier = [r for r in await store.outbox.rows() if r.submission_id not in done]
        listed = [*result.copied, *result.present, *_on_stick(dir_fd, earlier)]
        _write_manifest(dir_fd, out, listed, now)
    finally:
        os.close(dir_fd)
    await store.outbox.mark_exported(sorted(done), now)
    return result


def _refuse_data_dir(out: Path, data_dir: Path) -> None:
    real, data = Path(os.path.realpath(out)), Path(os.path.realpath(data_dir))
    if real == data or real.is_relative_to(data):
        raise safefs.UnsafePathError(f"{out} is inside the server's data dir {data_dir}; refused")


def _remove_own_temps(dir_fd: int) -> None:
    """Temp files an interrupted export left (only names of our own pattern, never followed)."""
    for name in os.listdir(dir_fd):
        if _OWN_TEMP.fullmatch(name):
            mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
            if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
                os.unlink(name, dir_fd=dir_fd)


def _export_one(src: Path, dir_fd: int, out: Path, row: OutboxRow) -> bool:
    """Copy one sealed file; False if an identical copy was already on the stick."""
    try:
        fin = os.open(src, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise CopyError("sealed file missing on the server") from None
    except OSError as exc:
        raise CopyError(f"cannot read the sealed file ({exc.strerror})") from None
    try:
        if _already_there(dir_fd, out, row):
            return False
        _copy(fin, dir_fd, out, row)
        return True
    except OSError as exc:
        raise CopyError(f"cannot write to {out} ({exc.strerror})") from None
    finally:
        os.close(fin)


def _already_there(dir_fd: int, out: Path, row: OutboxRow) -> bool:
    """Whether the stick already holds exactly this file; refuse anything else of that name."""
    try:
        st = os.stat(row.filename, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    if stat.S_ISREG(st.st_mode) and st.st_size == row.size:
        fd = safefs.open_regular(row.filename, dir_fd=dir_fd, shown=out / row.filename)
        try:
            if _sha256(fd) == row.sha256:
                return True
        finally:
            os.close(fd)
    raise CopyError(
        f"{out / row.filename} already exists ({safefs.kind_of(st.st_mode)}) and is not this "
        "sealed file; not overwritten — remove it or export to an empty folder"
    )


def _copy(fin: int, dir_fd: int, out: Path, row: OutboxRow) -> None:
    """Write ``fin`` under a temp name, verify it as read back from the stick, rename it."""
    tmp = f".{row.filename}.{os.urandom(6).hex()}.part"
    fd = safefs.create_new(dir_fd, tmp, out / tmp)
    try:
        digest = hashlib.sha256()
        while piece := os.read(fin, _BLOCK):
            digest.update(piece)
            _write_all(fd, piece)
        if digest.hexdigest() != row.sha256:
            raise CopyError("the sealed file on the server does not match its sha256 in the index")
        _check_readback(fd, dir_fd, tmp, row.sha256, out / row.filename)
        if _exists(dir_fd, row.filename):  # appeared meanwhile: never replace it
            raise CopyError(f"{out / row.filename} appeared during the copy; not overwritten")
        os.rename(tmp, row.filename, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        os.fsync(dir_fd)
    except BaseException:
        _unlink_quietly(dir_fd, tmp)
        raise
    finally:
        os.close(fd)


def _check_readback(fd: int, dir_fd: int, name: str, sha256: str, shown: Path) -> None:
    """fsync, drop the file from the page cache, and compare what the stick gives back.

    Read through a new descriptor of ``name`` that must be the very file written through ``fd``.
    """
    os.fsync(fd)
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # so the re-read reaches the device
    back = safefs.open_regular(name, dir_fd=dir_fd, shown=shown)
    try:
        written, read = os.fstat(fd), os.fstat(back)
        if (written.st_dev, written.st_ino) != (read.st_dev, read.st_ino):
            raise CopyError(f"{shown}: the temp file was replaced during the copy")
        if _sha256(back) != sha256:
            raise CopyError(f"{shown}: the copy reads back differently from what was written")
    finally:
        os.close(back)


def _on_stick(dir_fd: int, rows: Iterable[OutboxRow]) -> list[OutboxRow]:
    """Rows (of earlier exports) whose file is on the stick as a regular file of the right size."""
    found = []
    for row in rows:
        try:
            st = os.stat(row.filename, dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size == row.size:
            found.append(row)
    return found


def _write_manifest(dir_fd: int, out: Path, rows: list[OutboxRow], now: float) -> None:
    entries: list[dict[str, Any]] = [
        {"id": r.submission_id, "sha256": r.sha256, "size": r.size, "file": r.filename}
        for r in sorted(rows, key=lambda r: (r.created_at, r.submission_id))
    ]
    body = {"format": EXPORT_FORMAT, "exported_at": iso(now), "submissions": entries}
    data = (json.dumps(body, indent=2) + "\n").encode("utf-8")
    tmp = f".{MANIFEST}.{os.urandom(6).hex()}.part"
    fd = safefs.create_new(dir_fd, tmp, out / tmp)
    try:
        _write_all(fd, data)
        _check_readback(fd, dir_fd, tmp, hashlib.sha256(data).hexdigest(), out / MANIFEST)
        # rename replaces a file (or a planted link itself) named manifest.json, never its target
        os.rename(tmp, MANIFEST, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        os.fsync(dir_fd)
    except BaseException:
        _unlink_quietly(dir_fd, tmp)
        raise
    finally:
        os.close(fd)


def _sha256(fd: int) -> str:
    digest = hashlib.sha256()
    while piece := os.read(fd, _BLOCK):
        digest.update(piece)
    return digest.hexdigest()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:  # a write may be partial
        view = view[os.write(fd, view) :]


def _exists(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _unlink_quietly(dir_fd: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        log.warning("export_temp_not_removed")
