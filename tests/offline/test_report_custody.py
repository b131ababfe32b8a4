"""report.html for caseworkers: staff language, the witness's words intact, disguised file names
exposed, downloads not pages, custody shown, and printing with the receipt on every page."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import re
from pathlib import Path
from typing import Any

import pytest

import crypto
from intake.offline.labels import labels_for
from intake.questionnaire import load_default
from tests.support.browser import browser, console
from tests.support.casework import make_testimony, seal
from tests.support.casework_folder import decrypt, key_file

__all__ = ["browser"]


def _testimony(seed: int, **changes: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A testimony with files and a treatment answer, in Belarusian."""
    rng = random.Random(seed)
    while True:
        sub, files = make_testimony(seed, rng, hostile=0)
        answered = {a["question_id"] for a in sub["answers"] if not a.get("skipped")}
        if sub["language"] == "be" and sub["attachments"] and "treatment" in answered:
            break
    for att in sub["attachments"]:
        att.update(changes)
    return sub, files


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    base = tmp_path_factory.mktemp("report")
    identity = crypto.generate_identity(post_quantum=False)
    sub, files = _testimony(11, filename="evidence\u202egpj.exe")
    src = base / f"{sub['submission_id']}.age"
    src.write_bytes(seal(sub, files, [identity.recipient()]))
    out = base / "out"
    assert decrypt(src, key_file(base, identity), out, "--language", "ru") == 0
    return out / sub["submission_id"], sub


def test_staff_language_with_the_witness_words_beside(
    released: tuple[Path, dict[str, Any]],
) -> None:
    folder, sub = released
    page = (folder / "report.html").read_text()
    q = load_default()
    assert '<html lang="ru">' in page
    assert labels_for("ru")["answers"] in page
    treatment = q.question("treatment")
    assert treatment.prompt["ru"] in page  # the question in the staff's language
    assert treatment.prompt["be"] in page  # and as the witness saw it
    assert f'<bdi lang="be" dir=auto>{treatment.prompt["be"]}</bdi>' in page
    answer = next(a for a in sub["answers"] if a["question_id"] == "treatment")
    for option_id, witness_label in zip(answer["value"], answer["labels"], strict=True):
        assert treatment.option(option_id).label["ru"] in page  # type: ignore[union-attr]
        assert witness_label in page
    assert page.count("class=flag>Чувствительное</span>") >= 1
    assert page.index(labels_for("ru")["governs"]) < page.index(labels_for("ru")["answers"])


def test_disguised_file_names_are_exposed_and_downloaded(
    released: tuple[Path, dict[str, Any]],
) -> None:
    page = (released[0] / "report.html").read_text()
    assert "\u202e" not in page
    assert "evidence<span class=ctl>[U+202E]</span>gpj.exe" in page
    links = re.findall(r"<a [^>]*>", page)
    assert links
    assert all(" download" in link for link in links)


def test_style_is_pinned_by_hash(released: tuple[Path, dict[str, Any]]) -> None:
    page = (released[0] / "report.html").read_text()
    (style,) = re.findall(r"<style>(.*?)</style>", page, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src &#x27;sha256-{digest}&#x27;" in page
    assert "unsafe-inline" not in page
    assert "<script" not in page


def test_report_opens_cleanly_and_prints_receipt_and_page_on_every_page(
    browser: Any, released: tuple[Path, dict[str, Any]]
) -> None:
    from pypdf import PdfReader

    folder, sub = released
    browser.get((folder / "report.html").as_uri())
    assert [e for e in console(browser) if e["level"] in ("SEVERE", "WARNING")] == []
    pdf = PdfReader(io.BytesIO(base64.b64decode(browser.print_page())))
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        assert sub["receipt"] in text
        assert f"{labels_for('ru')['page']} {n} / {len(pages)}" in text
