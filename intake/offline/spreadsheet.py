"""``<out>/index.csv``: one row per submission, ready for a spreadsheet or a pivot table.

Headers are human (the question's short text in the staff language; ``--ids`` gives the question
ids instead, stable across languages). Fixed columns first (receipt, id, submitted, language,
questionnaire, sensitive answers, attachment count, their sha256, whether all verified, skipped
questions), then one group per question, consent scope and contact first:

- text: the witness's words; number: a number, then the witness's words as written, 1 if they
  said it was rough ("about 5") and the two ends of a range ("5-6", numbers); yes/no: label and
  code;
- choice: label (staff language) and code; multi-choice: labels, codes, and one 0/1 column per
  option; date: ``YYYY-MM-DD`` plus its precision (a witness's ``2020-08`` is ``2020-08-01``,
  precision ``month``) and the words it was read from; location: ``lat, lon`` and one column
  each; files: their names.

Last, the case link that joins a testimony and its additions, and 1 on an addition (issue 13).

A skipped answer is an empty cell (and listed in the skipped column); not asked is empty too.
UTF-8 with a BOM so spreadsheets show Cyrillic; every text cell that a spreadsheet would run as a
formula gets a leading apostrophe; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from intake import durable
from intake.offline.labels import labels_for
from intake.offline.layout import Layout
from intake.offline.questions import QuestionBook, StaffQuestion
from intake.offline.summary import summary_from_folder
from intake.submission.document import Submission

INDEX_NAME = "index.csv"
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: (id header, label key of the human header) of the fixed columns, in order
_FIXED = (
    ("receipt", "receipt"),
    ("submission_id", "submission_id"),
    ("submitted_at", "submitted"),
    ("language", "language"),
    ("questionnaire", "csv_questionnaire"),
    ("sensitive", "csv_sensitive"),
    ("attachments", "csv_files"),
    ("attachments_sha256", "csv_files_sha"),
    ("attachments_verified", "csv_files_ok"),
    ("skipped", "csv_skipped"),
)
#: the last columns: the case link (the same on a testimony and its additions, issue 13) and 1
#: on an addition made with a follow-up code — last, so that columns known before keep their place
_CASE = (("case_link", "csv_case"), ("addition", "csv_addition"))
FIXED = tuple(name for name, _ in _FIXED)
Cell = str | int | float


def guard_cell(text: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ TAB CR LF (or their
    full-width forms, which some spreadsheets also accept) gets a leading ``'``."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def header(layout: Layout) -> list[str]:
    """The header row for ``layout`` (human or ids)."""
    t = labels_for(layout.language)
    cells = list(FIXED) if layout.ids else [t[key] for _, key in _FIXED]
    for q in layout.ordered():
        cells.extend(_question_headers(q, layout.ids, t))
    cells += [name if layout.ids else t[key] for name, key in _CASE]
    return [guard_cell(c) for c in cells]


def _question_headers(q: StaffQuestion, ids: bool, t: Mapping[str, str]) -> list[str]:
    name = q.id if ids else q.short

    def sub(key: str) -> str:
        return f"{q.id}.{key}" if ids else f"{q.short} ({t['csv_' + key]})"

    if q.type in ("choice", "yes_no"):
        return [name, sub("code")]
    if q.type == "multi_choice":
        per_option = [f"{q.id}.{o}" if ids else f"{q.short}: {label}" for o, label in q.options]
        return [name, sub("code"), *per_option]
    if q.type == "date":
        return [name, sub("precision"), sub("written")]
    if q.type == "number":
        return [name, sub("written"), sub("approximate"), sub("range_low"), sub("range_high")]
    if q.type == "location":
        return [name, sub("latitude"), sub("longitude")]
    return [name]


def csv_row(row: Mapping[str, Any], layout: Layout) -> list[Cell]:
    """One summary row as CSV cells (text cells formula-guarded)."""
    t = labels_for(layout.language)
    answers = {a[0]: a for a in row["a"]}
    files = row["f"]
    skipped = [a[0] for a in row["a"] if a[4]]
    sensitive = [
        (q.id if layout.ids else q.short)
        for q in layout.questions.values()
        if q.sensitive and q.id in answers and not answers[q.id][4]
    ]
    verified = [f[5] for f in files]
    cells: list[Cell] = [
        row["r"],
        row["id"],
        row["t"].replace("T", " ").removesuffix("Z"),
        row["l"],
        f"{row['q']} v{row['qv']}",
        "; ".join(sensitive),
        len(files),
        "; ".join(f[4] for f in files),
        "" if not files or None in verified else int(all(verified)),
        ", ".join(skipped),
    ]
    names = {f[0]: f[1] for f in files}
    for q in layout.ordered():
        width = len(_question_headers(q, True, t))
        answer = answers.get(q.id)
        if answer is None or answer[4]:
            cells.extend([""] * width)
            continue
        said = _said_cells(q, answer[5])
        group = _cells(q, answer[2], answer[3], t, names)
        group = (group + [""] * width)[: width - len(said)] + said
        cells.extend((group + [""] * width)[:width])
    cells += [row.get("link", ""), 1 if row.get("add") else ""]
    return [guard_cell(c) if isinstance(c, str) else c for c in cells]


def _cells(
    q: StaffQuestion, value: Any, labels: Any, t: Mapping[str, str], names: Mapping[str, str]
) -> list[Cell]:
    if q.type == "yes_no" and isinstance(value, bool):
        return [t["yes"] if value else t["no"], "yes" if value else "no"]
    if q.type in ("choice", "multi_choice"):
        ids = value if isinstance(value, list) else [value]
        shown = labels if isinstance(labels, list) and len(labels) == len(ids) else ids
        known = q.labels()
        text = [known.get(str(i)) or str(w) for i, w in zip(ids, shown, strict=True)]
        group: list[Cell] = ["; ".join(text), "; ".join(map(str, ids))]
        if q.type == "multi_choice":
            chosen = set(map(str, ids))
            group.extend(int(o in chosen) for o, _ in q.options)
        return group
    if q.type == "date" and isinstance(value, str):
        return list(split_date(value, t))
    if q.type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return [value]
    if q.type == "location" and isinstance(value, dict):
        lat, lon = value.get("latitude"), value.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            return [f"{lat}, {lon}", lat, lon]
        return [str(value.get("text", ""))]
    if q.type == "media" and isinstance(value, list):
        return ["; ".join(names.get(p, p) for p in value)]
    return [value if isinstance(value, str) else _plain(value)]


def _said_cells(q: StaffQuestion, said: Mapping[str, Any] | None) -> list[Cell]:
    """What the witness wrote beside a date (after its precision) or a number (after the number):
    their words, 1 if they said it was rough, the range's two ends — numbers stay numbers."""
    said = said or {}
    written = said.get("written")
    words: Cell = written if isinstance(written, str) else ""
    if q.type == "date":
        return [words]
    if q.type != "number":
        return []
    ends = said.get("range")
    low, high = ends if isinstance(ends, list) and len(ends) == 2 else ("", "")
    return [words, 1 if said.get("approximate") is True else "", low, high]


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else str(value)


def split_date(value: str, t: Mapping[str, str] | None = None) -> tuple[str, str]:
    """``2020-08`` → (``2020-08-01``, month): one date format, the precision beside it."""
    parts = value.split("-")
    full = "-".join([*parts, "01", "01"][:3])
    precision = ("year", "month", "day")[min(len(parts), 3) - 1]
    return full, (t[f"precision_{precision}"] if t else precision)


def write_rows(rows: Iterable[Sequence[Cell]]) -> str:
    """CSV text of ``rows`` (CRLF line ends, as RFC 4180 and spreadsheets expect)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def render_index(
    submissions: Sequence[Submission],
    *,
    language: str = "en",
    ids: bool = False,
    book: QuestionBook | None = None,
) -> str:
    """The whole CSV text (without BOM) for ``submissions``, oldest first (for tests and tools;
    ``intake decrypt`` streams the same rows from its index cache)."""
    book = book or QuestionBook.load()
    layout = Layout(language=language, ids=ids)
    ordered = sorted(submissions, key=lambda s: (s.submitted_at, s.submission_id))
    summaries = [summary_from_folder(s, None) for s in ordered]
    for summary in summaries:
        layout.absorb(summary, book)
    return write_rows([header(layout), *(csv_row(s["row"], layout) for s in summaries)])


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp name in the same folder, then rename over ``path`` (durably)."""
    with durable.replacing(path) as out:
        out.write(data)


def write_index(out: Path, submissions: Sequence[Submission], **options: Any) -> Path:
    """Atomically write ``<out>/index.csv`` for ``submissions`` (see :func:`render_index`)."""
    path = out / INDEX_NAME
    write_atomic(path, (BOM + render_index(submissions, **options)).encode("utf-8"))
    return path
