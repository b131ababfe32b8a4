"""report.html, index.csv and receipt.json: testimony is untrusted input, outputs stay inert."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_offline_support import PHOTO, submission_dict, submission_tar

from intake.offline.extract import Extracted, extract_submission
from intake.offline.labels import labels_for, languages
from intake.offline.receipt import ReceiptEntry, load_receipt, write_receipt
from intake.offline.report import render_report
from intake.offline.spreadsheet import guard_cell, render_index, write_index
from intake.submission.document import parse_submission

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&</textarea>"


def _extracted(tmp_path: Path, sub: dict, files: dict[str, bytes] | None = None) -> Extracted:
    dest = tmp_path / "dest"
    dest.mkdir()
    return extract_submission(io.BytesIO(submission_tar(sub, files)), dest)


def test_report_escapes_every_piece_of_testimony(tmp_path: Path) -> None:
    sub = submission_dict(story=XSS)
    sub["answers"][0]["prompt"] = XSS
    sub["answers"][3]["prompt"] = "<b>photos</b>"
    sub["attachments"][0]["filename"] = 'x"><script>alert(3)</script>.png'
    page = render_report(_extracted(tmp_path, sub))
    assert "<script" not in page.lower()
    assert "onerror=" not in page.replace("onerror=alert(2)&gt;", "")
    assert "<b>photos" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;script&gt;alert(3)" in page


def test_report_is_self_contained(tmp_path: Path) -> None:
    page = render_report(_extracted(tmp_path, submission_dict()))
    assert 'http-equiv="Content-Security-Policy"' in page
    assert "default-src &#x27;none&#x27;" in page
    assert not re.search(r"(src|href)=\"(https?:|//)", page)
    assert "<link" not in page
    assert "<script" not in page
    assert 'src="attachments/1-photo.png"' in page  # the image, from the local folder
    assert "✓" in page


def test_report_marks_a_mismatched_attachment(tmp_path: Path) -> None:
    files = {"attachments/1-photo.png": PHOTO + b"tampered"}
    page = render_report(_extracted(tmp_path, submission_dict(), files))
    assert "✗" in page
    assert 'src="attachments/1-photo.png"' not in page  # not shown inline once it failed


@pytest.mark.parametrize("language", ["en", "be", "ru", "uk"])
def test_report_in_the_submission_language(tmp_path: Path, language: str) -> None:
    labels = labels_for(language)
    page = render_report(_extracted(tmp_path, submission_dict(language=language)))
    assert f'<html lang="{language}">' in page
    for key in ("answers", "attachments", "skipped", "matched", "receipt"):
        assert labels[key] in page


def test_every_language_has_every_label() -> None:
    reference = set(labels_for("en"))
    assert {"en", "be", "ru", "uk"} <= languages()
    for language in languages():
        assert set(labels_for(language)) == reference
    assert labels_for("pt-BR") == labels_for("en")  # unknown: English


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


def test_receipt_round_trip_and_stale_entries(tmp_path: Path) -> None:
    (tmp_path / "A1").mkdir()
    (tmp_path / "A1" / "submission.json").write_text("{}")
    entries = {
        "A1": ReceiptEntry("A1", "A1.age", "a" * 64),
        "B2": ReceiptEntry("B2", "B2.age", "b" * 64),  # its folder is gone
    }
    write_receipt(tmp_path, entries, datetime(2026, 11, 25, 12, 0, 0, 123, tzinfo=UTC))
    text = (tmp_path / "receipt.json").read_text()
    assert '"created_at": "2026-11-25T12:00:00Z"' in text
    loaded, problem = load_receipt(tmp_path)
    assert problem is None
    assert list(loaded) == ["A1"]
    (tmp_path / "receipt.json").write_text("not json")
    assert load_receipt(tmp_path)[0] == {}
    assert "receipt.json: ignored" in (load_receipt(tmp_path)[1] or "")


def test_option_labels_shown_escaped_with_ids(tmp_path: Path) -> None:
    sub = submission_dict()
    sub["answers"][1:1] = [
        {"question_id": "kind", "type": "choice", "prompt": "Kind?", "value": "street",
         "label": "<i>On the street</i>"},
        {"question_id": "what", "type": "multi_choice", "prompt": "What?",
         "value": ["beaten", "threatened"], "labels": ["Білі", "Пагражалі"]},
        {"question_id": "bare", "type": "multi_choice", "prompt": "Bare?", "value": ["a", "b"]},
        {"question_id": "where", "type": "location", "prompt": "Where?",
         "value": {"latitude": 53.9, "longitude": 27.56}},
    ]  # fmt: skip
    page = render_report(_extracted(tmp_path, sub))
    assert "&lt;i&gt;On the street&lt;/i&gt; <span class=id>[street]</span>" in page
    assert "Білі, Пагражалі <span class=id>[beaten, threatened]</span>" in page
    assert "<div class=value>a, b</div>" in page
    assert "53.9, 27.56 (latitude, longitude)" in page


def test_labels_are_escaped_exactly_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from intake.offline import report

    english = labels_for("en")
    monkeypatch.setattr(report, "labels_for", lambda _: {**english, "answers": "Q & A <1>"})
    report._labels.cache_clear()
    try:
        page = render_report(_extracted(tmp_path, submission_dict()))
    finally:
        report._labels.cache_clear()
    assert "<h2>Q &amp; A &lt;1&gt;</h2>" in page
    assert "&amp;amp;" not in page
