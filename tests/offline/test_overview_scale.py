"""index.html with 10,000 testimonies stays responsive in a real browser.

The page is rendered by the same functions ``intake decrypt`` uses, from 10,000 generated
testimonies (no sealing: this measures the page, not the decryption). The bounds asserted are
loose on purpose — they catch an accidental quadratic step, not a slow machine; the figures are
printed and recorded in docs/benchmarks.md ("Overview").
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from intake.offline.layout import Layout
from intake.offline.overview import overview_head, overview_row, overview_tail
from intake.offline.questions import QuestionBook
from intake.offline.summary import dumps, summary_from_folder
from intake.submission.document import parse_submission
from tests.support.browser import browser, console, shown, wait_ready
from tests.support.casework import make_testimony

__all__ = ["browser"]
ROWS = 10_000


def write_overview(path: Path, count: int, *, language: str = "en", seed: int = 3) -> None:
    """An index.html of ``count`` generated testimonies (files listed, not written)."""
    rng = random.Random(seed)
    book = QuestionBook.load()
    layout = Layout(language=language)
    lines = []
    for n in range(count):
        sub, _ = make_testimony(n, rng)
        summary = summary_from_folder(parse_submission(sub), None)
        layout.absorb(summary, book)
        lines.append(dumps(overview_row(summary["row"])))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    body = "\n".join(lines).encode() + b"\n"
    path.write_bytes(overview_head(layout, count, now) + body + overview_tail())


def _timed(driver: Any, action: Any) -> tuple[float, float]:
    """(wall ms around ``action`` until the page updated, the page's own update ms)."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000, float(driver.execute_script(
        "return document.body.dataset.filterMs"))  # fmt: skip


@pytest.mark.slow
def test_ten_thousand_rows(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    write_overview(page, ROWS)
    start = time.perf_counter()
    browser.get(page.as_uri())
    wait_ready(browser, timeout=120)
    load_wall = (time.perf_counter() - start) * 1000
    script_ms = float(browser.execute_script("return document.body.dataset.loadMs"))
    assert shown(browser) == ROWS
    assert [e for e in console(browser) if e["level"] == "SEVERE"] == []

    search = browser.find_element(By.ID, "search")
    search_wall, search_ms = _timed(browser, lambda: search.send_keys("okrestina"))
    found = shown(browser)
    assert 0 < found < ROWS
    search.clear()
    search.send_keys(" ")
    browser.find_element(By.CSS_SELECTOR, "#by-answer summary").click()
    select = Select(browser.find_element(By.CSS_SELECTOR, "select[data-question=treatment]"))
    choice_wall, choice_ms = _timed(browser, lambda: select.select_by_value("beaten"))
    assert 0 < shown(browser) < ROWS
    sort_wall, sort_ms = _timed(
        browser, lambda: browser.find_element(By.CSS_SELECTOR, "button[data-sort=place]").click()
    )
    size_mb = page.stat().st_size / 1e6
    print(
        f"\noverview {ROWS} rows, {size_mb:.1f} MB: load {load_wall:.0f} ms wall "
        f"(script {script_ms:.0f} ms); search {search_wall:.0f} ms wall ({search_ms:.0f} ms "
        f"update); choice filter {choice_wall:.0f} ms ({choice_ms:.0f}); sort by place "
        f"{sort_wall:.0f} ms ({sort_ms:.0f})"
    )
    assert load_wall < 20_000
    assert max(search_ms, choice_ms, sort_ms) < 2_000
