"""Witness text cannot rearrange what staff read around it, measured in a real chromium.

Files are sealed with stock ``age`` and opened with ``intake decrypt``; the pages are then laid
out by Debian's chromium, and the position of every character of staff text is read back
(``Range.getBoundingClientRect``): left-to-right text must advance to the right. Before: the
overview joined all key facts into one text node, so a choice label holding U+202E reversed the
facts after it; in the report a U+2029 before U+202E ended the isolation of the witness's words,
and the question-id marker after them was drawn ``[noitseuq_tsrif]``. Two testimonies with one
receipt code (a forged file can reuse a real one) are flagged on the overview.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.support.browser import browser, wait_ready
from tests.support.sticks import age_keygen, intake, seal_submission, submission

__all__ = ["browser"]  # the fixture, imported for the tests below
RLO, PS = "\u202e", "\u2029"
# U+2029 and the other characters that end a bidi paragraph, each before an override
BREAKS = ["\u2029", "\x1c", "\x1d", "\x1e", "\x85"]

_POSITIONS = """
const xs = [];
const walk = document.createTreeWalker(arguments[0], NodeFilter.SHOW_TEXT);
for (let n = walk.nextNode(); n; n = walk.nextNode()) {
  for (let i = 0; i < n.length; i++) {
    const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
    const box = r.getBoundingClientRect();
    if (box.width > 0) xs.push(box.left);
  }
}
return xs;
"""


def _choice(qid: str, prompt: str, option: str, label: str) -> dict[str, Any]:
    return {"question_id": qid, "type": "choice", "prompt": prompt, "value": option,
            "label": label}  # fmt: skip


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bidi")
    key = age_keygen(base)
    src = base / "stick"
    src.mkdir()
    texts = [
        {"question_id": f"first_question{n}", "type": "text", "prompt": "Tell us.",
         "value": f"Seen{b}{RLO}ABC"}
        for n, b in enumerate(BREAKS)
    ]  # fmt: skip
    answers = [
        _choice("kind", "Kind", "k1", f"Seen {RLO}ABC"),
        _choice("kind_two", "Kind two", "k2", "Second label"),
        _choice("third", "Third", "k3", f"Seen{PS}{RLO}ABC"),
        *texts,
    ]
    seal_submission(submission("bidi", answers=answers), key.recipient, src / "bidi.age")
    twin = submission("twin", submitted_at="2026-11-26T10:00:00Z")  # same receipt code
    seal_submission(twin, key.recipient, src / "twin.age")
    seal_submission(submission("other", receipt="AAAA-2222"), key.recipient, src / "other.age")
    run = intake("decrypt", src, "-i", key.identity, "-o", base / "out", cwd=base)
    assert run.returncode == 0, run.stderr
    return base / "out"


def _advances(driver: Any, element: Any) -> bool:
    xs = driver.execute_script(_POSITIONS, element)
    assert len(xs) > 2
    return bool(xs == sorted(xs))


def test_report_markers_keep_their_order_after_a_paragraph_separator(
    browser: Any, out: Path
) -> None:
    browser.get((out / "bidi" / "report.html").as_uri())
    markers = browser.find_elements(By.CSS_SELECTOR, "span.id")
    texts = [m.text for m in markers]
    assert "[k3]" in texts
    assert all(f"[first_question{n}]" in texts for n in range(len(BREAKS)))
    reversed_ = [m.text for m in markers if not _advances(browser, m)]
    assert reversed_ == []
    assert "[U+2029]" in browser.find_element(By.TAG_NAME, "body").text  # shown, not obeyed


def test_overview_facts_are_each_isolated(browser: Any, out: Path) -> None:
    browser.get((out / "index.html").as_uri())
    wait_ready(browser)
    row = next(
        r for r in browser.find_elements(By.CSS_SELECTOR, "#list tbody tr") if "Kind two" in r.text
    )
    facts = row.find_elements(By.CSS_SELECTOR, "td.facts bdi.fact")
    assert [f.text.split(":")[0] for f in facts][:2] == ["Kind", "Kind two"]
    assert _advances(browser, facts[1])  # "Kind two: Second label", not reversed
    assert facts[0].rect["x"] < facts[1].rect["x"]  # and it stays after the first fact
    assert "[U+2029]" in row.text
    title = row.find_element(By.CSS_SELECTOR, "td.facts > span").get_attribute("title")
    assert "\u2068Kind two\u2069: \u2068Second label\u2069" in title


def test_a_receipt_code_shared_by_two_testimonies_is_flagged(browser: Any, out: Path) -> None:
    browser.get((out / "index.html").as_uri())
    wait_ready(browser)
    flagged = {
        r.find_element(By.CSS_SELECTOR, "td a").text
        for r in browser.find_elements(By.CSS_SELECTOR, "#list tbody tr")
        if r.find_elements(By.CSS_SELECTOR, "span.shared")
    }
    rows = browser.find_elements(By.CSS_SELECTOR, "#list tbody tr")
    assert len(rows) == 3
    assert flagged == {"K7QX-29MD"}  # bidi and twin share it; other has its own
