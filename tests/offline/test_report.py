"""report.html: testimony is untrusted input, the page stays inert and self-contained."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from intake.offline.extract import Extracted, extract_submission
from intake.offline.labels import labels_for
from intake.offline.report import render_report
from tests.support.submissions import PHOTO, submission_dict, submission_tar

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
def test_report_in_the_staff_language(tmp_path: Path, language: str) -> None:
    labels = labels_for(language)
    page = render_report(_extracted(tmp_path, submission_dict(language="be")), language=language)
    assert f'<html lang="{language}">' in page
    for key in ("answers", "attachments", "skipped", "matched", "receipt"):
        assert labels[key] in page


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
    assert (
        "<bdi dir=auto>&lt;i&gt;On the street&lt;/i&gt;</bdi> <span class=id>[street]</span>"
        in page
    )
    assert "Білі</bdi>, <bdi dir=auto>Пагражалі</bdi> <span class=id>[beaten, threatened]" in page
    assert "<bdi dir=auto>a</bdi>, <bdi dir=auto>b</bdi> <span class=id>[a, b]</span>" in page
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


@pytest.mark.parametrize(
    ("language", "unit", "code"),
    [("en", "bytes", "Receipt code"), ("be", "байты", "Код пацвярджэння"),
     ("ru", "байта", "Код подтверждения"), ("uk", "байти", "Код підтвердження")],
)  # fmt: skip
def test_sizes_agree_with_their_number_and_the_code_has_one_name(
    tmp_path: Path, language: str, unit: str, code: str
) -> None:
    """Issue 11, point 12: "72 байтів" → "72 байти"; the report names the code as the bot does."""
    sub = submission_dict(language=language)
    size = sub["attachments"][0]["size"]
    page = render_report(_extracted(tmp_path, sub), language=language)  # staff headings
    assert code in page
    assert size % 10 in (2, 3, 4)
    assert size % 100 not in (12, 13, 14)
    assert 1000 <= size < 10_000  # four digits: no grouping, and never "1,032" (be/ru/uk: 1.032)
    assert f"{size} {unit}" in page
    if language == "be":
        assert "Далучаныя файлы" in page


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "as the witness wrote it"), ("be", "як напісаў сведка"),
     ("ru", "как написал свидетель"), ("uk", "як написав свідок")],
)  # fmt: skip
def test_a_rough_number_or_a_read_date_shows_what_the_witness_wrote(
    tmp_path: Path, language: str, said: str
) -> None:
    """A witness who wrote "каля 5" or "2-3" days said less than 5 or 2: the words stand beside."""
    sub = submission_dict(language="be")
    sub["answers"][2:3] = [
        {"question_id": "others", "type": "number", "prompt": "How many?", "value": 5,
         "written": "каля 5", "approximate": True},
        {"question_id": "days", "type": "number", "prompt": "Days?", "value": 2,
         "written": "2-3", "range": [2, 3]},
        {"question_id": "exact", "type": "number", "prompt": "Exactly?", "value": 3,
         "written": "3"},
        {"question_id": "when", "type": "date", "prompt": "When?", "value": "2020-08-10",
         "written": "10 жніўня 20"},
    ]  # fmt: skip
    page = render_report(_extracted(tmp_path, sub), language=language)
    for value, written in (("5", "каля 5"), ("2", "2-3"), ("2020-08-10", "10 жніўня 20")):
        assert (
            f'{value} <span class=seen>({said}: <bdi lang="be" dir=auto>{written}</bdi>)</span>'
            in page
        )
    assert page.count(f"({said}:") == 3  # "3" as typed is the value itself


def test_sizes_are_grouped_as_the_staff_language_writes_them() -> None:
    """A comma is the decimal sign in be/ru/uk: "11,899 байтаў" would read as eleven and a bit."""
    from intake.offline.report import _labels
    from intake.offline.report_custody import sized

    assert sized(11_899, _labels("be")) == "11\u00a0899 байтаў"
    assert sized(11_899, _labels("en")) == "11,899 bytes"
    assert sized(72, _labels("uk")) == "72 байти"


def test_files_sent_with_a_text_answer_are_shown_beside_it(tmp_path: Path) -> None:
    voice, photo = b"OggS voice", PHOTO
    files = {"attachments/1-voice.ogg": voice, "attachments/2-photo.png": photo}
    sub = submission_dict(attachments=files)
    sub["answers"][1]["files"] = [*files]  # the story: a voice message and a photo with it
    sub["answers"][3] = {**sub["answers"][3], "value": None, "skipped": True}
    for att in sub["attachments"]:
        att["question_id"] = "story"
    sub["attachments"][0]["mime"] = "audio/ogg"
    page = render_report(_extracted(tmp_path, sub, files))
    story = page.split("[story]", 1)[1].split("</section>", 1)[0]
    assert "They held us for three days." in story
    assert "1-voice.ogg" in story
    assert 'src="attachments/2-photo.png"' in story  # the photo itself, beside the words
