"""index.html: self-contained, inert with hostile testimony, and working in a real browser.

The folder is made the real way (sealed files, ``intake decrypt``); expected counts are computed
here from the submissions themselves, then compared with what the page shows after each action.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import crypto
from tests.support.browser import browser, console, shown, wait_ready
from tests.support.casework import HOSTILE
from tests.support.casework_folder import decrypt, key_file, sealed_folder

__all__ = ["browser"]  # the fixture, imported for the tests below
COUNT = 130  # more than one page of 100


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    base = tmp_path_factory.mktemp("overview")
    identity = crypto.generate_identity(post_quantum=False)
    subs = sealed_folder(base / "src", COUNT, identity, hostile=0.2)
    out = base / "out"
    assert decrypt(base / "src", key_file(base, identity), out) == 0
    return out, subs


def _answers(sub: dict[str, Any]) -> dict[str, Any]:
    return {a["question_id"]: a["value"] for a in sub["answers"] if not a.get("skipped")}


def _block(page: str, name: str) -> str:
    match = re.search(rf'<script id={name} type="application/json">(.*?)</script>', page, re.S)
    assert match is not None
    return match.group(1)


def _sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_page_is_self_contained_and_hash_pinned(folder: tuple[Path, list[Any]]) -> None:
    page = (folder[0] / "index.html").read_text("utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = csp.group(1).replace("&#x27;", "'")
    assert policy.startswith("default-src 'none';")
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(scripts) == 1
    assert len(styles) == 1
    assert f"script-src '{_sha(scripts[0])}'" in policy
    assert f"style-src '{_sha(styles[0])}'" in policy
    assert "unsafe-inline" not in policy
    assert not re.search(r"(src|href)=[\"']?(https?:|//)", page)
    assert "<link" not in page
    assert "<img" not in page


def test_hostile_testimony_cannot_leave_the_data_block(folder: tuple[Path, list[Any]]) -> None:
    out, subs = folder
    page = (out / "index.html").read_text("utf-8")
    block = _block(page, "rows")
    assert "<" not in block  # so neither </script> nor <!-- can appear inside it
    rows = [json.loads(line) for line in block.strip().splitlines()]
    assert len(rows) == COUNT
    values = {a[2] for r in rows for a in r["a"] if isinstance(a[2], str)}
    planted = {v for s in subs for v in _answers(s).values() if isinstance(v, str)}
    assert planted & set(HOSTILE)  # the fixture does plant hostile answers
    assert planted <= values  # and they come back byte for byte


def _load(driver: Any, out: Path) -> None:
    driver.get((out / "index.html").as_uri())
    wait_ready(driver)


def _errors(driver: Any) -> list[dict[str, Any]]:
    return [e for e in console(driver) if e["level"] in ("SEVERE", "WARNING")]


def test_search_filters_sorting_and_totals_in_chromium(
    browser: Any, folder: tuple[Path, list[dict[str, Any]]]
) -> None:
    out, subs = folder
    _load(browser, out)
    assert _errors(browser) == []  # the CSP blocks nothing of ours; no script error
    assert shown(browser) == COUNT
    assert len(browser.find_elements(By.CSS_SELECTOR, "#list tbody tr")) == 100  # one page

    # search: a place only witnesses write, case-insensitive, across every answer
    term = "жодино"
    expected = sum(
        any(isinstance(v, str) and term in v.lower() for v in _answers(s).values()) for s in subs
    )
    box = browser.find_element(By.ID, "search")
    box.send_keys("ЖОДИНО")
    assert 0 < shown(browser) == expected
    box.clear()
    box.send_keys(" ")  # an input event with an empty query: everything again
    assert shown(browser) == COUNT

    # a choice of any question: treatment = beaten (a multi-choice)
    beaten = sum("beaten" in (_answers(s).get("treatment") or []) for s in subs)
    browser.find_element(By.CSS_SELECTOR, "#by-answer summary").click()
    Select(
        browser.find_element(By.CSS_SELECTOR, "select[data-question=treatment]")
    ).select_by_value("beaten")
    assert shown(browser) == beaten
    # the totals agree: the "beaten" row of the treatment table counts every shown row
    Select(browser.find_element(By.ID, "totals-of")).select_by_value("treatment")
    cell = browser.find_element(By.CSS_SELECTOR, "#per-month tr[data-option=beaten] td")
    assert cell.text == str(beaten)

    # consent scope and attachments on top of it
    both = sum(
        "beaten" in (_answers(s).get("treatment") or [])
        and "un_osce" in (_answers(s).get("use_consent") or [])
        for s in subs
    )
    Select(browser.find_element(By.ID, "consent")).select_by_value("un_osce")
    assert shown(browser) == both
    browser.find_element(By.ID, "clear").click()
    assert shown(browser) == COUNT

    with_files = sum(bool(s["attachments"]) for s in subs)
    browser.find_element(By.ID, "files").click()
    assert shown(browser) == with_files
    browser.find_element(By.ID, "clear").click()

    # incident date range (partial dates count by their first day… and their last)
    in_2020 = sum(str(_answers(s).get("happened_on", "9999")) < "2021" for s in subs)
    browser.execute_script(
        "const to = document.getElementById('to'); to.value = '2020-12-31';"
        "to.dispatchEvent(new Event('change'))"
    )
    assert shown(browser) == in_2020

    # sorting by receipt, ascending, then paging to the second page
    browser.find_element(By.ID, "clear").click()
    browser.find_element(By.CSS_SELECTOR, "button[data-sort=receipt]").click()
    first = browser.find_element(By.CSS_SELECTOR, "#list tbody tr td a").text
    assert first == min(s["receipt"] for s in subs)
    browser.find_element(By.ID, "next").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#list tbody tr")) == COUNT - 100
    assert _errors(browser) == []


def test_hostile_answers_stay_text(browser: Any, folder: tuple[Path, list[Any]]) -> None:
    out, _ = folder
    _load(browser, out)
    browser.find_element(By.ID, "search").send_keys("onerror")
    assert shown(browser) > 0
    assert (
        browser.execute_script("return document.querySelectorAll('img, iframe, object').length")
        == 0
    )
    assert browser.execute_script("return typeof window.alert_called") == "undefined"
    scripts = browser.execute_script("return document.scripts.length")
    assert scripts == 3  # defs, rows, and ours: nothing from the testimony became a script
    assert _errors(browser) == []


def test_csp_blocks_anything_not_ours(
    browser: Any, folder: tuple[Path, list[Any]], tmp_path: Path
) -> None:
    """A page someone tampered with: an extra script, a remote image, an inline style. The
    policy blocks each one, and says so in the console."""
    out, _ = folder
    page = (out / "index.html").read_text("utf-8")
    tampered = page.replace(
        "<main id=app>",
        '<div style="color:red" id=styled>x</div><img src="http://127.0.0.1:9/x.png">'
        "<script>window.pwned = 1</script><main id=app>",
    )
    copy = out / "tampered.html"
    copy.write_text(tampered, "utf-8")
    try:
        browser.get(copy.as_uri())
        wait_ready(browser)
        assert browser.execute_script("return window.pwned") is None
        color = browser.execute_script(
            "return getComputedStyle(document.getElementById('styled')).color"
        )
        assert color != "rgb(255, 0, 0)"
        violations = [
            e["message"] for e in console(browser) if "Content Security Policy" in e["message"]
        ]
        assert any("script" in v for v in violations)
        assert any("img-src" in v or "image" in v for v in violations)
        assert any("style" in v for v in violations)
    finally:
        copy.unlink()


def test_huge_answers_are_cut_on_the_page_not_in_the_report() -> None:
    from intake.offline.overview import MAX_TEXT, overview_row

    row = {"a": [["story", "long_text", "Ж" * 1_000_000, None, 0]], "f": []}
    (answer,) = overview_row(row)["a"]
    assert len(answer[2]) == MAX_TEXT
    assert answer[2].endswith("[…]")


@pytest.mark.parametrize("language", ["en", "be", "ru", "uk"])
def test_the_line_shown_without_javascript_is_in_the_staff_language(language: str) -> None:
    import datetime as dt

    from intake.offline.labels import labels_for
    from intake.offline.layout import Layout
    from intake.offline.overview import overview_head

    head = overview_head(Layout(language), 0, dt.datetime(2026, 12, 7, tzinfo=dt.UTC)).decode()
    shown = head.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert labels_for(language)["ov_no_script"] in shown
    if language != "en":
        assert "JavaScript is needed" not in shown


def test_additions_are_listed_under_their_testimony(browser: Any, tmp_path: Path) -> None:
    """Follow-up (issue 13): an addition is shown under the testimony with its case link, in the
    page, the spreadsheet and both reports; one whose link matches nothing is marked unlinked."""
    import csv
    import random

    from tests.support.casework import make_testimony, seal

    identity = crypto.generate_identity(post_quantum=False)
    rng = random.Random(3)
    link, stray = "ab" * 16, "cd" * 16
    recipient = str(crypto.HybridIdentity(bytes(32)).recipient())
    docs = []
    for n, extra in enumerate(
        [
            {"followup": {"recipient": recipient, "mailbox_tag": "ef" * 32, "case_link": link}},
            {"followup_of": link},
            {"followup_of": stray},
        ]
    ):
        sub, files = make_testimony(n, rng, hostile=0)
        sub.update(extra)
        src = tmp_path / "src"
        src.mkdir(exist_ok=True)
        (src / f"{sub['submission_id']}.age").write_bytes(seal(sub, files, [identity.recipient()]))
        docs.append(sub)
    out = tmp_path / "out"
    assert decrypt(tmp_path / "src", key_file(tmp_path, identity), out) == 0
    _load(browser, out)
    assert _errors(browser) == []
    assert shown(browser) == 2  # the testimony (its addition under it) and the stray addition
    rows = browser.find_elements(By.CSS_SELECTOR, "#list tbody tr")
    ids = [r.get_attribute("data-id") for r in rows]
    original, linked, unlinked = (d["submission_id"] for d in docs)
    assert ids.index(linked) == ids.index(original) + 1
    assert "related" in (rows[ids.index(linked)].get_attribute("class") or "")
    assert "Addition" in rows[ids.index(linked)].text
    assert "no testimony in this folder" in rows[ids.index(unlinked)].text
    table = list(csv.DictReader((out / "index.csv").open(encoding="utf-8-sig")))
    by_id = {r["Submission id"]: r for r in table}
    assert by_id[original]["Case link"] == by_id[linked]["Case link"] == link
    assert by_id[linked]["Addition"] == "1"
    assert by_id[original]["Addition"] == ""
    assert "intake reply" in (out / original / "report.html").read_text("utf-8")
    assert link in (out / linked / "report.html").read_text("utf-8")
