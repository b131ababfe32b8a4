"""``intake export``: copy sealed files and ``manifest.json`` to a folder (a USB stick)."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from intake.outbox.files import EXPORT_FORMAT, file_sha256, iso
from intake.store import OutboxRow, Store
from intake.store.datadir import fsync_dir

log = structlog.get_logger(__name__)


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
