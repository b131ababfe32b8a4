"""One ``intake decrypt`` run over a plan of sealed files: open each, then update the indexes.

A failed file prints one line naming it and the run goes on — whatever failed, even an error
nobody foresaw; the caller exits non-zero if any failed. A file already decrypted into the output
folder (same ciphertext sha256, per ``receipt.json``) is reported and skipped, so re-runs are
idempotent. Each released folder gets its report, custody record and summary before it is renamed
into place; the indexes are then brought up to date from the summaries of this run only
(:mod:`intake.offline.indexes`). Outputs are not fsynced one by one; the whole output folder is
flushed once, before ``receipt.json`` names them (the server deletes what the receipt lists).
The output folder is walked without following links and created 0700 (:func:`safefs.open_dir`);
if this run created it and nothing was released into it, it is removed again. An index or
receipt that cannot be written is a line too, not the end of the run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import crypto
from intake import safefs, tui
from intake.offline.custody import (
    KeyWitness,
    Provenance,
    custody_record,
    tool_version,
    write_custody,
)
from intake.offline.custody import file_sha256 as small_file_sha256
from intake.offline.extract import Extracted
from intake.offline.indexes import IndexSettings, update_indexes
from intake.offline.open_errors import CONFLICT, MANIFEST, UNLISTED, OpenError
from intake.offline.opener import TEMP_PREFIX, open_sealed
from intake.offline.progress import Progress
from intake.offline.questions import QuestionBook
from intake.offline.receipt import RECEIPT_NAME, ReceiptEntry, load_receipt, write_receipt
from intake.offline.repeats import Done, is_repeat
from intake.offline.report import REPORT_NAME, write_report
from intake.offline.sources import Plan, SealedFile
from intake.offline.summary import build_summary, write_summary

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Casework:
    """How this run writes for staff: language, CSV header style, questionnaires, Uwazi."""

    language: str = "en"
    ids: bool = False
    book: QuestionBook = field(default_factory=QuestionBook.load)
    uwazi: bool = False

    def index_settings(self) -> IndexSettings:
        """The part the indexes need."""
        return IndexSettings(language=self.language, ids=self.ids, book=self.book)


@dataclass(slots=True)
class Summary:
    """Counts of one run."""

    decrypted: int = 0
    skipped: int = 0
    failed: int = 0
    unwritten: int = 0  # outputs (indexes, Uwazi batch, receipt) that could not be written

    def line(self) -> str:
        """The closing line printed after a run."""
        text = f"{self.decrypted} decrypted, {self.skipped} already done, {self.failed} failed"
        return text + (f", {self.unwritten} output file(s) not written" if self.unwritten else "")


def run_batch(
    plan: Plan,
    identities: Sequence[crypto.Identity],
    out: Path,
    ui: Progress,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    casework: Casework | None = None,
) -> Summary:
    """Open every file of ``plan`` into ``out``; update the indexes and receipt.json at the end.

    Raises :class:`safefs.UnsafePathError` for a link anywhere in ``out``, :class:`BusyError`, or
    ``OSError`` when the folder cannot be made; every other failure is a line and the run goes on.
    """
    run = _Run(identities, out, ui, clock, casework or Casework())
    fd, created = safefs.open_dir(out, create=True)
    try:
        with _locked(fd, out):
            return _run_locked(plan, run)
    finally:
        os.close(fd)
        if created and not any(out.iterdir()):
            out.rmdir()  # nothing was released: leave no trace, not even the folder


class BusyError(OSError):
    """Another ``intake decrypt`` is writing into the same output folder."""


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Lock the existing output folder ``out`` (walked without following links), for commands
    that add to it (``intake uwazi``); raises :class:`safefs.UnsafePathError` or ``OSError``."""
    fd, _ = safefs.open_dir(out, create=False)
    try:
        with _locked(fd, out):
            yield
    finally:
        os.close(fd)


@contextmanager
def _locked(fd: int, out: Path) -> Iterator[None]:
    """Hold an advisory lock on the output folder itself (no lock file is left behind)."""
    if sys.platform == "win32":  # pragma: no cover - no flock; staff laptops are usually Linux
        yield
        return
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BusyError(f"{out}: another intake decrypt is writing into it") from None
    yield  # closing the descriptor (the caller does) releases the lock


class _Run:
    """What every file of one run shares: keys (each wrapped to tell which one opened a file),
    the output folder, the clock and the staff settings."""

    def __init__(
        self,
        identities: Sequence[crypto.Identity],
        out: Path,
        ui: Progress,
        clock: Callable[[], datetime],
        casework: Casework,
    ) -> None:
        self.keys = [KeyWitness(i) for i in identities]
        self.out, self.ui, self.clock, self.casework = out, ui, clock, casework
        self.listed_ids: frozenset[str] = frozenset()  # ids the source's manifest lists

    def finisher(self, sealed: SealedFile, into: dict[str, Any]) -> Callable[..., None]:
        """Writes custody.json, report.html and summary.json into the folder being released."""

        def finish(extracted: Extracted, folder: Path, sha256: str) -> None:
            check_listing(sealed, extracted.submission.submission_id, self.listed_ids)
            key = next(k for k in self.keys if k.used)
            fingerprint, kind = key.description()
            provenance = Provenance(
                file=sealed.path.name,
                sha256=sha256,
                size=sealed.path.stat().st_size,
                listed_sha256=sealed.sha256,
                key_fingerprint=fingerprint,
                key_type=kind,
                decrypted_at=self.clock(),
                tool_version=tool_version(),
            )
            json_sha = small_file_sha256(folder / "submission.json")
            record = custody_record(extracted, provenance, json_sha)
            write_custody(folder, record)
            cw = self.casework
            write_report(extracted, folder, language=cw.language, book=cw.book, custody=record)
            into["summary"] = build_summary(extracted, record)
            write_summary(folder, into["summary"])

        for key in self.keys:
            key.used = False
        return finish


def check_listing(sealed: SealedFile, submission_id: str, listed_ids: frozenset[str]) -> None:
    """A file holds the submission its manifest entry names; an unlisted file cannot hold one
    the manifest lists for another file (a forgery made to take that submission's place)."""
    if sealed.listed_id is not None and submission_id != sealed.listed_id:
        raise OpenError(MANIFEST, f"it is listed as {sealed.listed_id} but holds {submission_id}")
    if sealed.unlisted and submission_id in listed_ids:
        raise OpenError(
            UNLISTED,
            f"yet it holds {submission_id}, which manifest.json lists for another file; it may "
            "be a forgery made to take that submission's place",
        )


def _run_locked(plan: Plan, run: _Run) -> Summary:
    summary = Summary()
    run.listed_ids = plan.listed_ids
    out, ui = run.out, run.ui
    _remove_stale_temps(out, ui)
    known, problem = load_receipt(out)
    if problem:
        ui.say(tui.line("warning", str(problem)), error=True)
    for name, reason in plan.failures:
        ui.say(tui.line("error", f"{name}: {reason}"), error=True)
        summary.failed += 1
        ui.advance()
    if plan.more_missing:
        line = f"… and {plan.more_missing:,} more files listed in manifest.json are missing"
        ui.say(tui.line("error", line), error=True)
        summary.failed += plan.more_missing
    done = Done(known)
    try:
        for sealed in plan.files:
            _one(sealed, run, done, summary)
            ui.advance()
    finally:  # even when interrupted: list what was released so far
        summary.unwritten = _rebuild(run, known, done.fresh)
    return summary


def _one(sealed: SealedFile, run: _Run, done: Done, summary: Summary) -> None:
    name, out, ui = sealed.path.name, run.out, run.ui
    released: dict[str, Any] = {}
    try:
        earlier = done.find(sealed)
        if earlier is not None:
            ui.say(f"{name}: already decrypted into {out / earlier.id}/ (skipped)")
            summary.skipped += 1
            return
        opened = open_sealed(
            sealed.path,
            run.keys,
            out,
            expected_sha256=sealed.sha256,
            finish=run.finisher(sealed, released),
        )
    except OpenError as exc:
        if exc.kind == CONFLICT and is_repeat(exc, name, done, out, ui):
            summary.skipped += 1
            return
        ui.say(tui.line("error", f"{name}: {exc}"), error=True)
        summary.failed += 1
        return
    except OSError as exc:
        ui.say(tui.line("error", f"{name}: cannot read ({exc.strerror})"), error=True)
        summary.failed += 1
        return
    except Exception as exc:  # whatever a hostile file triggers, it stops only this file
        _unforeseen(name, exc, ui)
        summary.failed += 1
        return
    sub = opened.extracted.submission
    entry = ReceiptEntry(sub.submission_id, name, opened.sha256, sub.ack_secret)
    done.add(entry, released)
    summary.decrypted += 1
    ui.say(f"{name}: decrypted → {opened.folder / REPORT_NAME}")
    for check in opened.extracted.checks:
        if not check.ok:
            ui.say(
                tui.line(
                    "warning",
                    f"{name}: {check.attachment.path} does not match the sha256/size "
                    "in submission.json (marked ✗ in the report)",
                ),
                error=True,
            )


def _unforeseen(name: str, exc: Exception, ui: Progress) -> None:
    """One line for an error no check anticipated (the open already removed its temp folder).

    Only the exception's type is shown: its text might quote what the file holds.
    """
    ui.say(
        tui.line(
            "error",
            f"{name}: could not be opened ({type(exc).__name__}); nothing of it was written",
        ),
        error=True,
    )
    if os.environ.get("INTAKE_DEBUG") == "1":
        import traceback

        traceback.print_exception(exc)


def _remove_stale_temps(out: Path, ui: Progress) -> None:
    """Temp folders left by an interrupted run hold unreleased plaintext: remove them."""
    for stale in out.glob(f"{TEMP_PREFIX}*"):
        if stale.is_dir() and not stale.is_symlink():
            import shutil  # rarely needed: not imported at start-up

            shutil.rmtree(stale, ignore_errors=True)
            ui.say(
                tui.line("warning", f"removed {stale.name} left by an interrupted run"), error=True
            )


def _rebuild(run: _Run, known: dict[str, ReceiptEntry], fresh: dict[str, dict[str, Any]]) -> int:
    """Update the indexes (and the Uwazi batch), rewrite receipt.json; how many outputs failed."""
    out, ui, now = run.out, run.ui, run.clock()
    settings = run.casework.index_settings()
    result = _attempt(ui, out, lambda: update_indexes(out, fresh, settings, now))
    failed = int(result is None)
    for problem in result.problems if result is not None else ():
        ui.say(tui.line("warning", str(problem)), error=True)
    if run.casework.uwazi:
        from intake.offline.uwazi import export_uwazi

        cw = run.casework
        lines = _attempt(ui, out, lambda: export_uwazi(out, cw.language, cw.book, now))
        failed += lines is None
        for line in lines or ():
            ui.say(line)
    if known:
        if fresh:
            flush_to_disk(out)  # the receipt lets the server delete: list only durable outputs
        # Entries are released folders (checked as they were loaded or opened); when the indexes
        # could be updated, only those they hold are listed (a damaged folder is left out).
        listed = {k: v for k, v in known.items() if result is None or k in result.indexed}
        written = _attempt(ui, out / RECEIPT_NAME, lambda: write_receipt(out, listed, now))
        failed += written is None
    return failed


def _attempt(ui: Progress, where: Path, write: Callable[[], _T]) -> _T | None:
    """Run one output write; a failure (a folder planted in its place…) is a line, not the end."""
    try:
        return write()
    except safefs.UnsafePathError as exc:
        ui.say(tui.line("error", f"{exc}; not written"), error=True)
    except OSError as exc:
        path = exc.filename2 or exc.filename or where  # os.replace: filename2 is the target
        ui.say(tui.line("error", f"{path}: not written ({exc.strerror})"), error=True)
    return None


def flush_to_disk(out: Path) -> None:
    """Make everything written under ``out`` durable, in one call rather than an fsync per file.

    Linux ``syncfs`` flushes the file system holding ``out`` (data, folders and renames; ~50 ms
    after 1,000 small submissions on the dev VM); elsewhere ``os.sync`` flushes all of them.
    """
    if sys.platform == "linux":
        import ctypes

        fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            if ctypes.CDLL(None, use_errno=True).syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    if hasattr(os, "sync"):
        os.sync()
