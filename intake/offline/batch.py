"""One ``intake decrypt`` run over a plan of sealed files: open each, then rebuild the indexes.

A failed file prints one line and the run goes on; the caller exits non-zero if any failed. A file
already decrypted into the output folder (same ciphertext sha256, per ``receipt.json``) is reported
and skipped, so re-runs are idempotent.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import crypto
from intake.offline.errors import MANIFEST, OpenError
from intake.offline.index import load_submissions, write_index
from intake.offline.opener import TEMP_PREFIX, file_sha256, open_sealed
from intake.offline.progress import Progress
from intake.offline.receipt import ReceiptEntry, load_receipt, write_receipt
from intake.offline.report import REPORT_NAME, write_report
from intake.offline.sources import Plan, SealedFile


@dataclass(slots=True)
class Summary:
    """Counts of one run."""

    decrypted: int = 0
    skipped: int = 0
    failed: int = 0

    def line(self) -> str:
        """The closing line printed after a run."""
        return f"{self.decrypted} decrypted, {self.skipped} already done, {self.failed} failed"


def run_batch(
    plan: Plan,
    identities: Sequence[crypto.Identity],
    out: Path,
    ui: Progress,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Summary:
    """Open every file of ``plan`` into ``out``; write index.csv and receipt.json at the end."""
    summary = Summary()
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(out, ui)
    known, problem = load_receipt(out)
    if problem:
        ui.say(f"intake: warning: {problem}", error=True)
    for name, reason in plan.failures:
        ui.say(f"intake: error: {name}: {reason}", error=True)
        summary.failed += 1
        ui.advance()
    for sealed in plan.files:
        _one(sealed, identities, out, known, ui, summary)
        ui.advance()
    _rebuild(out, known, ui, clock())
    if created and not any(out.iterdir()):
        out.rmdir()  # every file failed: leave no trace, not even the folder
    return summary


def _one(
    sealed: SealedFile,
    identities: Sequence[crypto.Identity],
    out: Path,
    known: dict[str, ReceiptEntry],
    ui: Progress,
    summary: Summary,
) -> None:
    name = sealed.path.name
    try:
        done = _already_done(sealed, known)
        if done is not None:
            ui.say(f"{name}: already decrypted into {out / done.id}/ (skipped)")
            summary.skipped += 1
            return
        opened = open_sealed(
            sealed.path, identities, out, expected_sha256=sealed.sha256, finish=write_report
        )
    except OpenError as exc:
        ui.say(f"intake: error: {name}: {exc}", error=True)
        summary.failed += 1
        return
    except OSError as exc:
        ui.say(f"intake: error: {name}: cannot read ({exc.strerror})", error=True)
        summary.failed += 1
        return
    sub = opened.extracted.submission
    known[sub.submission_id] = ReceiptEntry(id=sub.submission_id, file=name, sha256=opened.sha256)
    summary.decrypted += 1
    ui.say(f"{name}: decrypted → {opened.folder / REPORT_NAME}")
    for check in opened.extracted.checks:
        if not check.ok:
            ui.say(
                f"intake: warning: {name}: {check.attachment.path} does not match the sha256/size "
                "in submission.json (marked ✗ in the report)",
                error=True,
            )


def _already_done(sealed: SealedFile, known: dict[str, ReceiptEntry]) -> ReceiptEntry | None:
    """The receipt entry of an identical file decrypted before, hashing only plausible repeats."""
    name = sealed.path.name
    candidates = [e for e in known.values() if e.file == name or f"{e.id}.age" == name]
    if sealed.sha256 is not None:
        candidates += [e for e in known.values() if e.sha256 == sealed.sha256]
    if not candidates:
        return None
    sha = file_sha256(sealed.path)
    if sealed.sha256 is not None and sha != sealed.sha256:
        raise OpenError(MANIFEST, "sha256 differs from the one listed at export")
    return next((e for e in candidates if e.sha256 == sha), None)


def _remove_stale_temps(out: Path, ui: Progress) -> None:
    """Temp folders left by an interrupted run hold unreleased plaintext: remove them."""
    for stale in out.glob(f"{TEMP_PREFIX}*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
            ui.say(f"intake: warning: removed {stale.name} left by an interrupted run", error=True)


def _rebuild(out: Path, known: dict[str, ReceiptEntry], ui: Progress, now: datetime) -> None:
    submissions, problems = load_submissions(out)
    for problem in problems:
        ui.say(f"intake: warning: {problem}", error=True)
    if submissions:
        write_index(out, submissions)
    if known:
        present = {s.submission_id for s in submissions}
        write_receipt(out, {k: v for k, v in known.items() if k in present}, now)
