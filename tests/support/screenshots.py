"""The screenshots in docs/casework.md, taken with the real browser the tests use.

    .venv/bin/python -m tests.support.screenshots [--language en]

Makes 150 generated testimonies (the bundled questionnaire, a few hostile answers), decrypts
them with ``intake decrypt``, and photographs index.html (filtered by one treatment) and one
report.html in headless chromium, into docs/casework-overview.png and docs/casework-report.png.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import crypto
from tests.support.browser import CHROMEDRIVER, CHROMIUM, FLAGS
from tests.support.casework_folder import decrypt, key_file, sealed_folder

DOCS = Path(__file__).resolve().parents[2] / "docs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="en")
    args = parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base = Path(tempfile.mkdtemp(prefix="intake-shots-"))
    identity = crypto.generate_identity(post_quantum=False)
    subs = sealed_folder(base / "src", 150, identity, hostile=0.03)
    out = base / "out"
    decrypt(base / "src", key_file(base, identity), out, "--language", args.language)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={base / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_window_size(1400, 1000)
        driver.get((out / "index.html").as_uri())
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.body.dataset.ready")
        )
        driver.find_element(By.CSS_SELECTOR, "#by-answer summary").click()
        Select(
            driver.find_element(By.CSS_SELECTOR, "select[data-question=treatment]")
        ).select_by_value("beaten")
        Select(driver.find_element(By.ID, "totals-of")).select_by_value("treatment")
        driver.set_window_size(1400, 1500)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(DOCS / "casework-overview.png"))
        with_files = next(s for s in subs if s["attachments"] and s["language"] == "be")
        driver.get((out / with_files["submission_id"] / "report.html").as_uri())
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1100, min(height + 40, 5000))
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(DOCS / "casework-report.png"))
    finally:
        driver.quit()
    print(f"wrote {DOCS / 'casework-overview.png'} and {DOCS / 'casework-report.png'}")


if __name__ == "__main__":
    main()
