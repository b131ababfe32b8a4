"""Sealed submissions on disk: writing them safely, recovery at start-up, export, ack, status.

A sealed file is written as ``outbox/<id>.age.tmp``, fsynced, renamed to ``<id>.age`` and the folder
fsynced: a ``<id>.age`` is therefore always complete. The index (``intake.store.outbox_index``) is
the list of what should be there; :func:`recover` reconciles the two after a crash.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import structlog

from intake.store import OutboxRow, Store
from intake.store.datadir import fsync_dir

log = structlog.get_logger(__name__)

EXPORT_FORMAT = "witness-intake/export/v1"
RECEIPT_FORMAT = "witness-intake/receipt/v1"
SUFFIX = ".age"
TMP_SUFFIX = ".age.tmp"


class _HashingFile:
    """A write-only file that hashes and counts what passes through (the ciphertext)."""

    def __init__(self, f: BinaryIO) -> None:
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
    tmp = outbox / f"{submission_id}{TMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            hashing = _HashingFile(f)
            produce(hashing)  # type: ignore[arg-type]  # only .write is used
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, final_path(outbox, submission_id))
    fsync_dir(outbox)
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


@dataclass(slots=True)
class Recovery:
    """What start-up recovery found and did."""

    temp_removed: int = 0
    ack_completed: int = 0
    indexed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


async def recover(store: Store) -> Recovery:
    """Remove leftover temp files, index sealed files without a row, report rows without a file.

    Call only at service start-up (never while a submit may be writing a temp file), and after the
    service has finished drafts whose submit was interrupted (they own their sealed files).
    """
    report = Recovery()
    outbox = store.outbox_dir
    for tmp in outbox.glob(f"*{TMP_SUFFIX}"):
        tmp.unlink(missing_ok=True)
        report.temp_removed += 1
    if report.temp_removed:
        fsync_dir(outbox)
    known = {row.submission_id: row for row in await store.outbox.rows()}
    for path in sorted(outbox.glob(f"*{SUFFIX}")):
        submission_id = path.name[: -len(SUFFIX)]
        if submission_id in known and known[submission_id].state == "acknowledged":
            path.unlink()  # an ack interrupted between marking and deleting
            report.ack_completed += 1
        elif submission_id not in known:
            sha256, size = file_sha256(path)
            await store.outbox.add(submission_id, sha256, size, path.stat().st_mtime)
            report.indexed.append(submission_id)
            log.warning("outbox_file_indexed", submission_id=submission_id)
    report.missing = [row.submission_id for row in await missing_files(store)]
    for submission_id in report.missing:
        log.error("outbox_file_missing", submission_id=submission_id)
    return report


async def missing_files(store: Store) -> list[OutboxRow]:
    """Indexed queued/exported submissions whose sealed file is gone."""
    rows = await store.outbox.rows(("queued", "exported"))
    return [r for r in rows if not (store.outbox_dir / r.filename).exists()]


@dataclass(slots=True)
class ExportResult:
    """Which submissions were copied, and which could not be (missing or corrupt)."""

    copied: list[OutboxRow] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)


async def export(store: Store, out: Path, *, include_all: bool, now: float) -> ExportResult:
    """Copy sealed files (not yet exported, or all unacknowledged) + ``manifest.json`` to ``out``.

    Each copy is verified against the indexed sha256 before it counts; copied ones are marked
    exported. Nothing on the server is deleted. An existing manifest in ``out`` is merged.
    """
    states = ("queued", "exported") if include_all else ("queued",)
    os.makedirs(out, exist_ok=True)
    result = ExportResult()
    for row in await store.outbox.rows(states):
        reason = _copy_verified(store.outbox_dir / row.filename, out / row.filename, row.sha256)
        if reason is None:
            result.copied.append(row)
        else:
            result.failed.append((row.submission_id, reason))
    _write_manifest(out, result.copied, now)
    await store.outbox.mark_exported([r.submission_id for r in result.copied], now)
    return result


def _copy_verified(src: Path, dst: Path, sha256: str) -> str | None:
    if not src.exists():
        return "sealed file missing on the server"
    tmp = dst.with_name(dst.name + ".part")
    with src.open("rb") as fin, tmp.open("wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())
    if file_sha256(tmp)[0] != sha256:
        tmp.unlink()
        return "sha256 of the copy does not match the index"
    os.replace(tmp, dst)
    return None


def _write_manifest(out: Path, rows: list[OutboxRow], now: float) -> None:
    path = out / "manifest.json"
    entries: dict[str, dict[str, Any]] = {}
    if path.exists():
        try:
            old = json.loads(path.read_text("utf-8"))
            for e in old.get("submissions", []):
                if (out / str(e.get("file", ""))).exists():
                    entries[str(e["id"])] = e
        except (ValueError, KeyError, AttributeError, TypeError):
            log.warning("export_manifest_unreadable", path=str(path))
    for r in rows:
        entries[r.submission_id] = {
            "id": r.submission_id,
            "sha256": r.sha256,
            "size": r.size,
            "file": r.filename,
        }
    manifest = {
        "format": EXPORT_FORMAT,
        "exported_at": iso(now),
        "submissions": [*entries.values()],
    }
    tmp = out / "manifest.json.part"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    os.replace(tmp, path)
    fsync_dir(out)


def iso(ts: float) -> str:
    """UTC ISO 8601 with a Z, to the second."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class AckResult:
    """Outcome per receipt entry."""

    deleted: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)


def parse_receipt(data: Any) -> list[tuple[str, str]]:
    """(submission id, ciphertext sha256) pairs from a ``receipt.json`` object.

    Tolerant: entries may name the submission by ``id``/``submission_id`` or by ``file``
    (``<id>.age``, any folder). Raises ValueError naming what is wrong.
    """
    if not isinstance(data, Mapping) or data.get("format") != RECEIPT_FORMAT:
        raise ValueError(f"not a receipt: 'format' must be {RECEIPT_FORMAT!r}")
    entries = data.get("decrypted")
    if not isinstance(entries, list):
        raise ValueError("receipt: 'decrypted' must be a list")
    pairs: list[tuple[str, str]] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("sha256"), str):
            raise ValueError(f"receipt: decrypted[{i}] needs a sha256")
        name = entry.get("id") or entry.get("submission_id")
        if not isinstance(name, str) and isinstance(entry.get("file"), str):
            name = Path(entry["file"]).name.removesuffix(SUFFIX)
        if not isinstance(name, str) or not name:
            raise ValueError(f"receipt: decrypted[{i}] needs an id or a file")
        pairs.append((name, entry["sha256"].lower()))
    return pairs


async def ack(store: Store, pairs: list[tuple[str, str]], *, now: float) -> AckResult:
    """Delete sealed files whose ciphertext sha256 the offline side confirmed. Idempotent."""
    result = AckResult()
    for submission_id, sha256 in pairs:
        row = await store.outbox.get(submission_id)
        if row is None:
            result.unknown.append(submission_id)
        elif row.sha256 != sha256:
            result.mismatched.append(submission_id)
            log.error("ack_sha256_mismatch", submission_id=submission_id)
        elif row.state == "acknowledged":
            result.already.append(submission_id)
        else:
            # marked first: a crash before the unlink leaves a file recovery deletes, never a
            # queued row whose file is gone
            await store.outbox.mark_acknowledged(submission_id, now)
            (store.outbox_dir / row.filename).unlink(missing_ok=True)
            fsync_dir(store.outbox_dir)
            result.deleted.append(submission_id)
    return result
