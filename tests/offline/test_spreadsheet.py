"""index.csv: formulas are defused, Cyrillic kept, multi-line answers stay in a cell; and ready
for spreadsheets and pivot tables: human headers, labels and codes, real numbers, one date format
with its precision, 0/1 per option, files and their hashes."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from typing import Any

import pytest

from intake.offline.spreadsheet import guard_cell, render_index, write_index
from intake.offline.summary import MAX_TEXT
from intake.questionnaire import load_default
from intake.submission.document import parse_submission
from tests.support.casework import make_testimony
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
    path = write_index(tmp_path, subs, ids=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    said = ["age.written", "age.approximate", "age.range_low", "age.range_high"]
    assert rows[0][10:-2] == [
        "detained", "detained.code", "story", "age", *said, "photos", "extra_q"
    ]  # fmt: skip
    assert rows[0][-2:] == ["case_link", "addition"]
    assert rows[1][12] == '\'=cmd|" /C calc"!A0'
    assert rows[1][19] == ""  # not asked
    assert rows[1][13:18] == [""] * 5  # skipped: empty, and listed in the skipped column
    assert rows[1][9] == "age"
    assert rows[2][12] == "Нас трымалі тры дні"
    assert rows[2][19] == "'@here"
    assert all(not c.startswith(("=", "+", "-", "@")) for row in rows for c in row)


def test_index_multiline_answers_stay_in_one_cell() -> None:
    sub = parse_submission(submission_dict(story="line one\n=line two"))
    rows = list(csv.reader(io.StringIO(render_index([sub]))))
    assert rows[1][12] == "line one\n=line two"
    assert len(rows) == 2


def _subs(count: int = 30, seed: int = 4, **kw: Any) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_testimony(n, rng, **kw)[0] for n in range(count)]


def _table(subs: list[dict[str, Any]], **kw: Any) -> list[dict[str, str]]:
    text = render_index([parse_submission(s) for s in subs], ids=True, **kw)
    return list(csv.DictReader(io.StringIO(text)))


def _answers(sub: dict[str, Any]) -> dict[str, Any]:
    return {a["question_id"]: a for a in sub["answers"]}


def test_cells_are_ready_for_a_pivot_table() -> None:
    subs = _subs(hostile=0)
    rows = {r["submission_id"]: r for r in _table(subs)}
    q = load_default()
    for sub in subs:
        row, answers = rows[sub["submission_id"]], _answers(sub)
        days = answers.get("days_held")
        if days is None or days.get("skipped"):
            assert row["days_held"] == ""
        else:
            assert int(row["days_held"]) == days["value"]  # a number, not text
        if "days_held" in answers and answers["days_held"].get("skipped"):
            assert "days_held" in row["skipped"].split(", ")
        when = answers.get("happened_on")
        if when and not when.get("skipped"):
            value = when["value"]
            precision = {1: "year", 2: "month", 3: "day"}[len(value.split("-"))]
            assert row["happened_on.precision"] == precision
            assert row["happened_on"].startswith(value)
            assert len(row["happened_on"]) == 10
        treatment = answers.get("treatment")
        for option in q.question("treatment").options:
            cell = row[f"treatment.{option.id}"]
            if treatment is None or treatment.get("skipped"):
                assert cell == ""
            else:
                assert cell == str(int(option.id in treatment["value"]))
        contact = answers.get("contact")
        if contact and not contact.get("skipped"):
            assert row["contact.code"] == contact["value"]
            assert row["contact"] == q.question("contact").option(contact["value"]).label["en"]  # type: ignore[union-attr]
        assert row["attachments"] == str(len(sub["attachments"]))
        assert row["attachments_sha256"] == "; ".join(a["sha256"] for a in sub["attachments"])


def test_headers_in_the_staff_language_consent_first() -> None:
    text = render_index([parse_submission(s) for s in _subs(5)], language="be")
    header = next(csv.reader(io.StringIO(text)))
    q = load_default()
    assert header[0] == "Код пацвярджэння"  # the code named as the bot names it
    assert header[10] == q.question("use_consent").short["be"]  # type: ignore[index]
    assert q.question("contact").short["be"] in header[10:16]  # type: ignore[index]


@pytest.mark.parametrize("evil", ["=1+1", "+1", "-1+A1", "@SUM(A1)", "\t=1", "＝1+1", "\r=x"])
def test_formula_guard(evil: str) -> None:
    assert guard_cell(evil) == "'" + evil
    sub = _subs(1, hostile=0)[0]
    place = next(a for a in sub["answers"] if a["question_id"] == "place")
    place.update(value=evil, skipped=False)
    (row,) = _table([sub])
    assert row["place"] == "'" + evil


def test_negative_numbers_stay_numbers() -> None:
    sub = _subs(1, hostile=0)[0]
    sub["answers"].append(
        {"question_id": "balance", "type": "number", "prompt": "?", "value": -2.5}
    )
    sub["questionnaire"]["version"] = 99  # unknown: columns from the answers themselves
    (row,) = _table([sub])
    assert row["balance"] == "-2.5"


def test_huge_answers_are_cut_to_fit_a_cell() -> None:
    sub = _subs(1, hostile=0)[0]
    story = next(a for a in sub["answers"] if a["question_id"] == "what_happened")
    story.update(value="Ж" * 200_000, skipped=False)
    (row,) = _table([sub])
    assert len(row["what_happened"]) == MAX_TEXT
    assert row["what_happened"].endswith("[…]")


def test_a_rough_number_or_a_read_date_keeps_what_the_witness_wrote() -> None:
    """As in report.html: "каля 5", "2-3", "10 жніўня" stand beside the value; numbers stay
    numbers (the value and the two ends of a range), 1 marks a number said to be rough."""
    sub = _subs(1, hostile=0)[0]
    sub["questionnaire"]["version"] = 99  # unknown: columns from the answers themselves
    sub["answers"] += [
        {"question_id": "others", "type": "number", "prompt": "How many?", "value": 5,
         "written": "каля 5", "approximate": True},
        {"question_id": "days", "type": "number", "prompt": "Days?", "value": 2,
         "written": "2-3", "range": [2, 3]},
        {"question_id": "exact", "type": "number", "prompt": "Exactly?", "value": 3},
        {"question_id": "when", "type": "date", "prompt": "When?", "value": "2020-08-10",
         "written": "10 жніўня 2020"},
        {"question_id": "odd", "type": "number", "prompt": "?", "value": -1, "written": "-1"},
    ]  # fmt: skip
    (row,) = _table([sub])
    assert (row["others"], row["others.written"], row["others.approximate"]) == ("5", "каля 5", "1")
    assert (row["others.range_low"], row["others.range_high"]) == ("", "")
    assert (row["days"], row["days.written"], row["days.approximate"]) == ("2", "2-3", "")
    assert (row["days.range_low"], row["days.range_high"]) == ("2", "3")
    assert (row["exact"], row["exact.written"], row["exact.approximate"]) == ("3", "", "")
    assert (row["when"], row["when.precision"], row["when.written"]) == (
        "2020-08-10",
        "day",
        "10 жніўня 2020",
    )
    assert row["odd.written"] == "'-1"  # words are text: a formula guard like any text cell
    text = render_index([parse_submission(sub)], ids=True)
    assert ",2,2-3,,2,3," in text  # unquoted: a spreadsheet reads numbers
    human = next(csv.reader(io.StringIO(render_index([parse_submission(sub)], language="ru"))))
    assert "How many? (как написано)" in human
    assert "Days? (диапазон от)" in human
