"""What ``intake decrypt SRC`` should open: one ``.age`` file, or an export folder.

An export folder holds ``*.age`` and ``manifest.json`` (written by ``intake export``: id, ciphertext
sha256 and size of each file). Sizes are checked here; the sha256 is checked while decrypting, in
the same pass. A listed file that is missing, or whose size differs, is a failure; an unlisted
``.age`` file is still opened, with a warning.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.age")


class SourceError(Exception):
    """SRC cannot be used at all (missing, unreadable manifest…)."""


@dataclass(frozen=True, slots=True)
class SealedFile:
    """One file to open, with what the manifest promised about it (if anything)."""

    path: Path
    sha256: str | None = None
    size: int | None = None


@dataclass(slots=True)
class Plan:
    """Files to open, per-file failures found before opening, and warnings."""

    files: list[SealedFile] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    warnings: list[str] = field(default_factory=list)


def plan_sources(src: Path) -> Plan:
    """Resolve SRC into a :class:`Plan`; raise :class:`SourceError` if SRC is unusable."""
    plan = Plan()
    if src.is_file():
        plan.files.append(SealedFile(path=src))
        return plan
    if not src.is_dir():
        raise SourceError(f"{src}: no such file or folder")
    present = {p.name: p for p in sorted(src.glob("*.age")) if p.is_file()}
    manifest_path = src / MANIFEST_NAME
    if not manifest_path.is_file():
        if not present:
            raise SourceError(f"{src}: no .age files and no {MANIFEST_NAME} in this folder")
        plan.warnings.append(f"{src}: no {MANIFEST_NAME}; files are not checked against an export")
        plan.files.extend(SealedFile(path=p) for p in present.values())
        return plan
    listed = _read_manifest(manifest_path)
    for name, (sha, size) in sorted(listed.items()):
        path = present.pop(name, None)
        if path is None:
            plan.failures.append((name, f"listed in {MANIFEST_NAME} but missing"))
        elif path.stat().st_size != size:
            actual = path.stat().st_size
            plan.failures.append(
                (name, f"does not match {MANIFEST_NAME} (size {actual}, listed {size})")
            )
        else:
            plan.files.append(SealedFile(path=path, sha256=sha, size=size))
    for name, path in present.items():
        plan.warnings.append(f"{name}: not listed in {MANIFEST_NAME}; opening it anyway")
        plan.files.append(SealedFile(path=path))
    plan.files.sort(key=lambda f: f.path.name)
    return plan


def _read_manifest(path: Path) -> dict[str, tuple[str, int]]:
    """file name -> (sha256, size). Accepts a list, or an object with ``files``/``submissions``."""
    try:
        data: Any = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{path}: unreadable ({exc})") from None
    entries = data
    if isinstance(data, dict):
        entries = next((data[k] for k in ("files", "submissions", "entries") if k in data), None)
    if not isinstance(entries, list):
        raise SourceError(f"{path}: expected a list of files")
    out: dict[str, tuple[str, int]] = {}
    for i, entry in enumerate(entries):
        where = f"{path}: entry {i + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise SourceError(f"{where}: expected an object with an id")
        name = entry.get("file", f"{entry['id']}.age")
        sha, size = entry.get("sha256"), entry.get("size")
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise SourceError(f"{where}: invalid file name")
        if not isinstance(sha, str) or not _SHA256_RE.fullmatch(sha):
            raise SourceError(f"{where}: invalid sha256")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise SourceError(f"{where}: invalid size")
        out[name] = (sha, size)
    return out
