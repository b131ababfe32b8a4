"""``summary.json``: the compact record of one submission that every index is rebuilt from.

Written into ``<out>/<id>/`` when the submission is opened (with the report, before the folder is
released), so ``index.csv``, ``index.html`` and the Uwazi export never parse and validate every
``submission.json`` of the archive again. Its ``row`` is the overview's row as is; ``prompts``
(the questions as the witness saw them) serve questionnaires this computer does not have.

Row keys (short: 10,000 rows are embedded in one page): ``id``, ``r`` receipt, ``t`` submitted
(UTC ISO), ``l`` witness language, ``q``/``qv`` questionnaire id and version, ``a`` answers as
``[question_id, type, value, labels, skipped]``, ``f`` files as ``[path, filename, mime, size,
sha256 at reception, verified (1/0/null), received_at, received_as]``, ``c`` custody as
``{"s": sealed sha256, "d": decrypted at, "k": key fingerprint}``; ``link`` the case link (32 hex)
of a testimony whose witness took a follow-up code, or of the testimony an addition adds to, with
``add`` = 1 on an addition (issue 13): the overview lists additions under their original.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from intake.offline.custody import write_new
from intake.offline.extract import AttachmentCheck, Extracted
from intake.offline.readback import read_json
from intake.submission.document import (
    Answer,
    Attachment,
    Submission,
    format_timestamp,
    is_attachment_path,
)

SUMMARY_NAME = "summary.json"
SUMMARY_FORMAT = "witness-intake/summary/v2"  # v2: what the witness wrote beside a value
MAX_TEXT = 32_000  # an answer longer than this is cut (a spreadsheet cell holds 32,767)
CUT_MARK = " […]"


def build_summary(extracted: Extracted, custody: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The summary of a submission just extracted (``custody``: its custody.json, if any)."""
    checks = {c.attachment.path: c for c in extracted.checks}
    return _summary(extracted.submission, checks, custody)


def summary_from_folder(
    submission: Submission, custody: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The summary of a folder released by an older version (no summary.json): files are not
    hashed again, so their verification is unknown (``null``) unless custody.json says."""
    checks: dict[str, bool | None] = {}
    for entry in (custody or {}).get("attachments", []):
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            checks[entry["path"]] = entry.get("match") is True
    return _summary(submission, checks, custody)


def _summary(
    sub: Submission,
    checks: Mapping[str, AttachmentCheck | bool | None],
    custody: Mapping[str, Any] | None,
) -> dict[str, Any]:
    decrypted = (custody or {}).get("decrypted", {})
    sealed = (custody or {}).get("sealed_file", {})
    row: dict[str, Any] = {
        "id": sub.submission_id,
        "r": sub.receipt,
        "t": format_timestamp(sub.submitted_at),
        "l": sub.language,
        "q": sub.questionnaire.id,
        "qv": sub.questionnaire.version,
        "a": [_answer(a) for a in sub.answers],
        "f": [_file(att, checks.get(att.path)) for att in sub.attachments],
        "c": {
            "s": sealed.get("sha256") if isinstance(sealed, dict) else None,
            "d": decrypted.get("at") if isinstance(decrypted, dict) else None,
            "k": decrypted.get("key_fingerprint") if isinstance(decrypted, dict) else None,
        },
    }
    if sub.case_link is not None:
        row["link"] = sub.case_link
        if sub.followup_of is not None:
            row["add"] = 1
    return {
        "format": SUMMARY_FORMAT,
        "row": row,
        "prompts": {a.question_id: _cut(a.prompt) for a in sub.answers},
    }


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK


def _answer(answer: Answer) -> list[Any]:
    value = answer.value
    if isinstance(value, str):
        value = _cut(value)
    labels: list[str] | None = None
    if answer.type == "choice" and isinstance(answer.extra.get("label"), str):
        labels = [_cut(answer.extra["label"], 500)]
    raw = answer.extra.get("labels")
    if (
        answer.type == "multi_choice"
        and isinstance(raw, list)
        and all(isinstance(x, str) for x in raw)
        and len(raw) == len(value or [])
    ):
        labels = [_cut(x, 500) for x in raw]
    return [
        answer.question_id,
        answer.type,
        value,
        labels,
        1 if answer.skipped else 0,
        _said(answer),
    ]


def _said(answer: Answer) -> dict[str, Any] | None:
    """What the witness wrote beside a number or date (``written``, ``approximate``, ``range``),
    as checked when the submission was read; None if nothing."""
    said: dict[str, Any] = {}
    written = answer.extra.get("written")
    if isinstance(written, str) and written.strip():
        said["written"] = _cut(written, 500)
    if answer.extra.get("approximate") is True:
        said["approximate"] = True
    if isinstance(answer.extra.get("range"), list) and len(answer.extra["range"]) == 2:
        said["range"] = list(answer.extra["range"])
    return said or None


def _file(att: Attachment, check: AttachmentCheck | bool | None) -> list[Any]:
    verified = check.ok if isinstance(check, AttachmentCheck) else check
    return [
        att.path,
        _cut(att.filename, 500),
        att.mime,
        att.size,
        att.sha256,
        None if verified is None else int(verified),
        format_timestamp(att.received_at) if att.received_at is not None else None,
        att.received_as,
    ]


def write_summary(folder: Path, summary: Mapping[str, Any]) -> Path:
    """Write ``summary.json`` (one compact line) into the folder being released."""
    path = folder / SUMMARY_NAME
    write_new(path, dumps(summary).encode("utf-8") + b"\n")
    return path


def dumps(obj: Any) -> str:
    """Compact JSON safe to embed in an HTML ``<script type="application/json">`` block:
    ``<``, ``>`` and ``&`` are escaped (they only occur inside strings), so no testimony can
    close the block; U+2028/2029 too, for older parsers."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def read_summary(folder: Path) -> dict[str, Any] | None:
    """The folder's summary if present, readable and of this format; None otherwise.

    Read back under the rules for sticks (:func:`~intake.offline.readback.read_json`): the output
    folder may have been prepared by someone else, so a link, a FIFO or a bloated summary is
    "none", and its file paths must be attachment paths (the Uwazi export copies those files).
    """
    data = read_json(folder / SUMMARY_NAME)
    if not isinstance(data, dict) or data.get("format") != SUMMARY_FORMAT:
        return None
    row, prompts = data.get("row"), data.get("prompts")
    if not isinstance(row, dict) or not isinstance(prompts, dict) or not _row_ok(row):
        return None
    if row["id"] != folder.name:
        return None
    return data


def _row_ok(row: Mapping[str, Any]) -> bool:
    """The shape the index writers rely on (the folder is ours, but may be damaged)."""
    strings = all(isinstance(row.get(k), str) for k in ("id", "r", "t", "l", "q"))
    answers = isinstance(row.get("a"), list) and all(
        isinstance(a, list)
        and len(a) == 6
        and isinstance(a[0], str)
        and isinstance(a[1], str)
        and (a[5] is None or isinstance(a[5], dict))
        for a in row["a"]
    )
    files = isinstance(row.get("f"), list) and all(
        isinstance(f, list) and len(f) == 8 and isinstance(f[0], str) and is_attachment_path(f[0])
        for f in row["f"]
    )
    return strings and answers and files and isinstance(row.get("qv"), int)
