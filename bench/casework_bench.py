"""Casework benchmark: adding files to an ``intake decrypt`` output folder of 10,000 testimonies.

Issue 12: each run used to re-parse every ``submission.json`` of the folder and hold them all —
adding 1 file to 10,000 took seconds and ~88 MB. Now a run renders only its own rows
(:mod:`intake.offline.indexes`). Measured here, each job a real ``intake decrypt`` process under
GNU ``time`` (its own peak RSS), best of ``--repeat``:

- reference: open 1 file into an empty folder (the same work without an archive);
- add 1 and add 100 files to the 10,000-testimony folder;
- the same two jobs with the code before this change (``--before REV``, a git revision; its
  ``intake`` runs from a temporary worktree on a copy of the folder), and the full rebuild a
  run does when it must (another header style: ``--ids``).

Ratio = job ÷ reference: O(new files) means add-1 ≈ 1 and add-100 ≈ what opening 100 costs.
Testimonies are the bundled questionnaire answered at random (tests/support/casework.py),
0–2 small attachments each. Optionally ``--browser``: load and filter times of the folder's
index.html in headless chromium.

    .venv/bin/python -m bench.casework_bench [--count 10000] [--repeat 3] [--before 54cb2b6]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import crypto
from tests.support.casework import make_testimony, seal

ROOT = Path(__file__).resolve().parent.parent


def make_sources(folder: Path, first: int, count: int, recipient: crypto.Recipient) -> Path:
    """``count`` sealed testimonies numbered from ``first`` in ``folder``."""
    folder.mkdir(parents=True)
    rng = random.Random(first)
    for n in range(first, first + count):
        sub, files = make_testimony(n, rng, custody=False)  # readable by the code before too
        (folder / f"{sub['submission_id']}.age").write_bytes(seal(sub, files, [recipient]))
    return folder


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=tempfile.gettempdir(),  # not the checkout: sys.path[0] would shadow PYTHONPATH
            check=False,
        )
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr.decode()[-2000:])
            raise SystemExit(f"bench: {argv[:3]} failed ({proc.returncode})")
        return elapsed, int(rss.read().split()[-1]) / 1024


_MAIN = "import sys; from intake.cli import main; sys.exit(main(sys.argv[1:]))"


def decrypt_argv(src: Path, key: Path, out: Path, *extra: str) -> list[str]:
    """``intake decrypt`` as a process (``python -c``, so PYTHONPATH can pick the code)."""
    return [sys.executable, "-c", _MAIN, "decrypt", str(src), "-i", str(key), "-o", str(out),
            *extra]  # fmt: skip


def best(results: list[tuple[float, float]]) -> tuple[float, float]:
    return min(r[0] for r in results), max(r[1] for r in results)


def old_code(rev: str, tmp: Path) -> dict[str, str]:
    """An environment whose ``import intake`` is the code at ``rev`` (a temporary worktree)."""
    tree = tmp / "before"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
                   check=True, capture_output=True)  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(tree)}
    probe = subprocess.run([sys.executable, "-c", "import intake; print(intake.__file__)"],
                           env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True,
                           check=True)  # fmt: skip
    if not probe.stdout.startswith(str(tree)):
        raise SystemExit(f"bench: --before does not load {tree} ({probe.stdout.strip()})")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", help="git revision of the code before (e.g. 54cb2b6)")
    parser.add_argument("--dir", type=Path, help="where to work (default: a temp dir)")
    parser.add_argument("--browser", action="store_true", help="also time index.html in chromium")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="casework-bench-", dir=args.dir))
    try:
        bench(args, tmp)
    finally:
        if args.before:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(tmp / "before")], check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)


def bench(args: argparse.Namespace, tmp: Path) -> None:
    identity = crypto.generate_identity(post_quantum=False)
    key = tmp / "staff.key"
    key.write_text(f"{identity}\n")
    recipient = identity.recipient()
    t0 = time.perf_counter()
    archive = make_sources(tmp / "archive", 0, args.count, recipient)
    singles = [
        make_sources(tmp / f"one{i}", 1_000_000 + i, 1, recipient) for i in range(args.repeat * 3)
    ]
    hundreds = [make_sources(tmp / f"hundred{i}", 2_000_000 + 1000 * i, 100, recipient)
                for i in range(args.repeat * 2)]  # fmt: skip
    print(f"generated {args.count} + extras in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    out = tmp / "out"
    initial = run(decrypt_argv(archive, key, out))
    print(f"opened {args.count} into an empty folder: {initial[0]:.1f} s", file=sys.stderr)
    before_out = tmp / "out-before"
    env_before = old_code(args.before, tmp) if args.before else None
    if env_before:
        shutil.copytree(out, before_out, symlinks=True)
    rows: list[tuple[str, tuple[float, float]]] = []
    reference = best(
        [run(decrypt_argv(singles[i], key, tmp / f"empty{i}")) for i in range(args.repeat)]
    )
    rows.append(("reference: open 1 file into an empty folder", reference))
    one = best([run(decrypt_argv(singles[args.repeat + i], key, out)) for i in range(args.repeat)])
    rows.append((f"add 1 file to {args.count:,}", one))
    hundred = best([run(decrypt_argv(hundreds[i], key, out)) for i in range(args.repeat)])
    rows.append((f"add 100 files to {args.count:,}", hundred))
    if env_before:
        old = [
            decrypt_argv(singles[2 * args.repeat + i], key, before_out) for i in range(args.repeat)
        ]
        old_one = best([run(argv, env_before) for argv in old])
        rows.append((f"before ({args.before}): add 1 file to {args.count:,}", old_one))
        old = [decrypt_argv(hundreds[args.repeat + i], key, before_out) for i in range(args.repeat)]
        old_hundred = best([run(argv, env_before) for argv in old])
        rows.append((f"before ({args.before}): add 100 files to {args.count:,}", old_hundred))
    rebuild = run(decrypt_argv(singles[0], key, out, "--ids"))  # a repeat + another header style
    rows.append((f"full rebuild of the indexes ({args.count:,}, --ids)", rebuild))
    print(f"\n{args.count:,} testimonies; load average {os.getloadavg()[0]:.2f}\n")
    print("| job | wall | peak RSS | ratio to reference |")
    print("|---|---|---|---|")
    for name, (seconds, rss) in rows:
        print(f"| {name} | {seconds:.2f} s | {rss:.1f} MB | **{seconds / reference[0]:.2f}** |")
    size = (out / "index.html").stat().st_size / 1e6
    print(
        f"\nindex.html {size:.1f} MB, index.csv {(out / 'index.csv').stat().st_size / 1e6:.1f} MB"
    )
    if args.browser:
        browser_figures(out / "index.html")


def browser_figures(page: Path) -> None:
    """Load and filter times of ``page`` in headless chromium (the test's own set-up)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    from tests.support.browser import CHROMEDRIVER, CHROMIUM, FLAGS

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tempfile.mkdtemp(prefix='bench-chromium-')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        start = time.perf_counter()
        driver.get(page.as_uri())
        while driver.execute_script("return document.body.dataset.ready") != "1":
            time.sleep(0.05)
        wall = (time.perf_counter() - start) * 1000
        script = float(driver.execute_script("return document.body.dataset.loadMs"))
        driver.find_element(By.ID, "search").send_keys("okrestina")
        search = float(driver.execute_script("return document.body.dataset.filterMs"))
        driver.find_element(By.CSS_SELECTOR, "button[data-sort=place]").click()
        sort = float(driver.execute_script("return document.body.dataset.filterMs"))
        print(f"chromium: load {wall:.0f} ms (script {script:.0f} ms), search update "
              f"{search:.0f} ms, sort by place {sort:.0f} ms")  # fmt: skip
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
