"""index.csv: formulas are defused, Cyrillic kept, multi-line answers stay in a cell."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from intake.offline.spreadsheet import guard_cell, render_index, write_index
from intake.submission.document import parse_submission
from tests.support.submissions import submission_dict


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("Акрэсціна", "Акрэсціна"),
        ("", ""),
    ],
)
def test_guard_cell(cell: str, expected: str) -> None:
    assert guard_cell(cell) == expected


def test_index_guards_formulas_and_keeps_cyrillic(tmp_path: Path) -> None:
    evil = submission_dict("01CSV0001", story='=cmd|" /C calc"!A0', language="ru")
    second = submission_dict("01CSV0002", story="Нас трымалі тры дні")
    second["answers"].append(
        {"question_id": "extra_q", "type": "text", "prompt": "?", "value": "@here"}
    )
    second["submitted_at"] = "2026-11-26T00:00:00Z"
    subs = [parse_submission(evil), parse_submission(second)]
    path = write_index(tmp_path, subs)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["submission_id", "receipt", "submitted_at", "language",
                       "detained", "story", "age", "photos", "extra_q"]  # fmt: skip
    assert rows[1][5] == '\'=cmd|" /C calc"!A0'
    assert rows[1][8] == ""  # not asked
    assert rows[1][6] == "(skipped)"
    assert rows[2][5] == "Нас трымалі тры дні"
    assert rows[2][8] == "'@here"
    assert all(not c.startswith(("=", "+", "-", "@")) for row in rows for c in row)


def test_index_multiline_answers_stay_in_one_cell() -> None:
    sub = parse_submission(submission_dict(story="line one\n=line two"))
    rows = list(csv.reader(io.StringIO(render_index([sub]))))
    assert rows[1][5] == "line one\n=line two"
    assert len(rows) == 2
