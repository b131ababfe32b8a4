"""``<out>/index.csv``: one row per submission in the output folder, rebuilt on every run.

Columns: ``submission_id, receipt, submitted_at, language``, then one per question id (the union,
in the order first asked, submissions taken oldest first). Cells are neutral (option ids, ``yes`` /
``no``), so rows in different languages line up. The file is UTF-8 with a BOM so spreadsheets
show Cyrillic correctly, and cells a spreadsheet would run as a formula get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path

from intake.questionnaire import values
from intake.submission.document import (
    Answer,
    Submission,
    SubmissionFormatError,
    format_timestamp,
    parse_submission,
)

INDEX_NAME = "index.csv"
FIXED_COLUMNS = ("submission_id", "receipt", "submitted_at", "language")
SKIPPED = "(skipped)"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def load_submissions(
    out: Path, cached: Mapping[str, Submission] | None = None
) -> tuple[list[Submission], list[str]]:
    """Every ``<out>/<id>/submission.json`` (oldest first), and a problem line for each bad one.

    ``cached`` holds submissions this run just wrote (by id): those are not read again.
    """
    cached = cached or {}
    found: list[Submission] = []
    problems: list[str] = []
    if not out.is_dir():
        return found, problems
    for folder in sorted(out.iterdir()):
        path = folder / "submission.json"
        if folder.name in cached:
            found.append(cached[folder.name])
            continue
        if folder.name.startswith(".") or not folder.is_dir() or not path.is_file():
            continue
        try:
            sub = parse_submission(path.read_bytes())
        except (OSError, SubmissionFormatError) as exc:
            problems.append(f"{path}: skipped in index.csv ({exc})")
            continue
        if sub.submission_id != folder.name:
            problems.append(f"{path}: skipped in index.csv (folder name differs from its id)")
            continue
        found.append(sub)
    found.sort(key=lambda s: (s.submitted_at, s.submission_id))
    return found, problems


def guard_cell(text: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ TAB CR LF gets a ``'``."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def cell_value(answer: Answer) -> str:
    """One answer as a language-neutral spreadsheet cell (before formula guarding)."""
    if answer.skipped:
        return SKIPPED
    value = answer.value
    if answer.type == "yes_no":
        return "yes" if value else "no"
    if answer.type == "location":
        place = values.place_text(value)
        return place if place is not None else f"{value['latitude']}, {value['longitude']}"
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def render_index(submissions: list[Submission]) -> str:
    """The CSV text (without BOM)."""
    question_ids: dict[str, None] = {}
    for sub in submissions:
        for answer in sub.answers:
            question_ids.setdefault(answer.question_id, None)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*FIXED_COLUMNS, *(guard_cell(q) for q in question_ids)])
    for sub in submissions:
        by_id = {a.question_id: cell_value(a) for a in sub.answers}
        fixed = [sub.submission_id, sub.receipt, format_timestamp(sub.submitted_at), sub.language]
        row = fixed + [by_id.get(q, "") for q in question_ids]
        writer.writerow([guard_cell(c) for c in row])
    return buffer.getvalue()


def write_index(out: Path, submissions: list[Submission]) -> Path:
    """Atomically (re)write ``<out>/index.csv``."""
    path = out / INDEX_NAME
    write_atomic(path, render_index(submissions).encode("utf-8-sig"))
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp name in the same folder, then rename over ``path``."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        with os.fdopen(os.open(tmp, flags, 0o600), "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
