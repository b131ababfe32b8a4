"""What ``intake decrypt SRC`` should open: one ``.age`` file, or an export folder.

An export folder holds ``*.age`` and ``manifest.json`` (written by ``intake export``: id, ciphertext
sha256 and size of each file), read by :mod:`intake.offline.manifest` as a bounded stream. Sizes
are checked here; the sha256 is checked while decrypting, in the same pass. A listed file that is
missing, or whose size differs, is a failure; an unlisted ``.age`` file is still opened, with a
warning, after every listed one (so it cannot take the folder of a listed submission first; the
batch also refuses it if it holds an id the manifest lists). The folder comes from a stick: a
``.age`` that is a symbolic link, a FIFO or anything but a regular file is a failure naming it,
and an unusable manifest is a warning (the files are then opened without its check, each still
authenticated by age), never a reason to stop.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from intake import safefs
from intake.offline.manifest import MANIFEST_NAME, Manifest, read_manifest


class SourceError(Exception):
    """SRC cannot be used at all (missing, not a file or folder, no sealed files…)."""


@dataclass(frozen=True, slots=True)
class SealedFile:
    """One file to open, with what the manifest promised about it (if anything)."""

    path: Path
    sha256: str | None = None
    size: int | None = None
    listed_id: str | None = None  # the submission id the manifest lists for this file
    unlisted: bool = False  # a manifest was read and does not list this file


@dataclass(slots=True)
class Plan:
    """Files to open, per-file failures found before opening, and warnings."""

    files: list[SealedFile] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    warnings: list[str] = field(default_factory=list)
    more_missing: int = 0  # listed in the manifest and missing, beyond those in ``failures``
    listed_ids: frozenset[str] = frozenset()  # every id the manifest lists


def plan_sources(src: Path) -> Plan:
    """Resolve SRC into a :class:`Plan`; raise :class:`SourceError` if SRC is unusable."""
    plan = Plan()
    try:
        mode = os.stat(src).st_mode  # SRC itself was named by staff: a link to it is followed
    except FileNotFoundError:
        raise SourceError(f"{src}: no such file or folder") from None
    except OSError as exc:
        raise SourceError(f"{src}: {exc.strerror}") from None
    if stat.S_ISREG(mode):
        plan.files.append(SealedFile(path=src))
        return plan
    if not stat.S_ISDIR(mode):
        raise SourceError(f"{src} is {safefs.kind_of(mode)}, not a sealed file or a folder")
    found = _sealed_names(src)
    regular = sorted(name for name, st in found.items() if stat.S_ISREG(st.st_mode))
    for name in sorted(set(found) - set(regular)):
        kind = safefs.kind_of(found[name].st_mode)
        plan.failures.append((name, f"is {kind}, not a regular file; refused"))
    manifest = _manifest(src, found, plan)
    if manifest is None:
        plan.files.extend(SealedFile(path=src / name) for name in regular)
        return plan
    plan.warnings.extend(manifest.problems)
    if manifest.problem_count > len(manifest.problems):
        more = manifest.problem_count - len(manifest.problems)
        plan.warnings.append(f"{MANIFEST_NAME}: … and {more:,} more problems (not shown)")
    plan.failures.extend((n, f"listed in {MANIFEST_NAME} but missing") for n in manifest.missing)
    plan.more_missing = manifest.missing_count - len(manifest.missing)
    plan.listed_ids = frozenset(manifest.ids)
    for name in regular:
        _plan_file(plan, src / name, found[name].st_size, manifest)
    plan.files.sort(key=lambda f: f.unlisted)  # listed files first (stable: by name within)
    return plan


def _sealed_names(src: Path) -> dict[str, os.stat_result]:
    """``*.age`` names in the folder and their ``lstat`` (links are not followed)."""
    found: dict[str, os.stat_result] = {}
    with os.scandir(src) as entries:
        for entry in entries:
            if entry.name.endswith(".age"):
                try:
                    found[entry.name] = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # removed meanwhile
    return found


def _manifest(src: Path, found: dict[str, os.stat_result], plan: Plan) -> Manifest | None:
    """The folder's manifest, or None (after a warning) if there is none usable."""
    path = src / MANIFEST_NAME
    if not os.path.lexists(path):
        if not found:
            raise SourceError(f"{src}: no .age files and no {MANIFEST_NAME} in this folder")
        plan.warnings.append(f"{src}: no {MANIFEST_NAME}; files are not checked against an export")
        return None
    try:
        with os.fdopen(safefs.open_regular(path), "rb", buffering=0) as raw:
            return read_manifest(raw, found.keys())
    except safefs.UnsafePathError as exc:
        reason = str(exc)
    except OSError as exc:
        reason = f"{path}: {exc.strerror}"
    plan.warnings.append(f"{reason}; files are not checked against an export")
    return None


def _plan_file(plan: Plan, path: Path, size: int, manifest: Manifest) -> None:
    name = path.name
    listed = manifest.listed.get(name)
    if name in manifest.refused:
        plan.failures.append((name, manifest.refused[name]))
    elif listed is None:
        if manifest.read_all:
            plan.warnings.append(
                f"{name}: not listed in {MANIFEST_NAME}; opening it anyway, after the listed ones"
            )
        plan.files.append(SealedFile(path=path, unlisted=True))
    elif size != listed.size:
        plan.failures.append(
            (name, f"does not match {MANIFEST_NAME} (size {size}, listed {listed.size})")
        )
    else:
        plan.files.append(
            SealedFile(path=path, sha256=listed.sha256, size=listed.size, listed_id=listed.id)
        )
