"""``intake decrypt`` into an output folder someone prepared: the casework files it reads back (the
index cache, summaries, submission.json of earlier runs) are never read or cut through a link,
a FIFO never blocks the run, and what cannot be read is rebuilt or left out with a line.

Before: a ``.intake-index/rows.csv`` linked to another file got that file truncated to the size
``state.json`` named (``os.truncate`` follows links), a FIFO as a ``summary.json`` hung the rebuild,
a link as ``.intake-index`` had the cache written wherever it pointed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.sticks import (
    StaffKey,
    age_keygen,
    error_lines,
    intake,
    seal_submission,
    submission,
)


@pytest.fixture
def key(tmp_path: Path) -> StaffKey:
    return age_keygen(tmp_path)


def _decrypt(tmp_path: Path, key: StaffKey, out: Path, *ids: str, status: int = 0) -> str:
    """Seal ``ids`` onto a fresh stick and decrypt them into ``out``; the run's stderr."""
    stick = tmp_path / f"stick-{ids[0]}"
    stick.mkdir()
    for sid in ids:
        seal_submission(submission(sid), key.recipient, stick / f"{sid}.age")
    run = intake("decrypt", stick, "-i", key.identity, "-o", out, cwd=tmp_path, timeout=60)
    assert run.returncode == status, run.stderr
    return run.stderr


def _indexed(out: Path) -> list[str]:
    rows = (out / "index.csv").read_text("utf-8-sig").splitlines()[1:]
    return sorted(row.split(",")[1] for row in rows)


def test_cache_and_summaries_are_read_without_links_or_fifos(tmp_path: Path, key: StaffKey) -> None:
    out = tmp_path / "out"
    _decrypt(tmp_path, key, out, "AAA", "BBB", "CCC")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n" * 1000)  # longer than rows.csv: the old code cut it short
    rows = out / ".intake-index" / "rows.csv"
    rows.unlink()
    rows.symlink_to(victim)
    (out / "AAA" / "summary.json").unlink()
    os.mkfifo(out / "AAA" / "summary.json")
    elsewhere = tmp_path / "elsewhere.json"
    (out / "CCC" / "submission.json").rename(elsewhere)
    (out / "CCC" / "submission.json").symlink_to(elsewhere)
    (out / "CCC" / "summary.json").unlink()

    stderr = _decrypt(tmp_path, key, out, "DDD")
    assert victim.read_text() == "keep me\n" * 1000
    assert not rows.is_symlink()
    assert _indexed(out) == ["AAA", "BBB", "DDD"]  # AAA's summary made again from its JSON
    assert (out / "AAA" / "summary.json").is_file()
    assert f"{out / 'CCC' / 'submission.json'}: skipped in the indexes (is a symbolic link" in (
        stderr
    )
    receipt = json.loads((out / "receipt.json").read_text())
    assert [e["id"] for e in receipt["decrypted"]] == ["AAA", "BBB", "DDD"]


def test_a_link_in_place_of_the_cache_is_replaced_not_followed(
    tmp_path: Path, key: StaffKey
) -> None:
    out = tmp_path / "out"
    _decrypt(tmp_path, key, out, "AAA")
    planted = tmp_path / "planted-cache"
    (out / ".intake-index").rename(planted)
    before = {p.name: p.read_bytes() for p in planted.iterdir()}
    (out / ".intake-index").symlink_to(planted)

    stderr = _decrypt(tmp_path, key, out, "BBB")
    assert f"{out / '.intake-index'} was a symbolic link; replaced by a new folder" in stderr
    assert {p.name: p.read_bytes() for p in planted.iterdir()} == before
    assert (out / ".intake-index").is_dir()
    assert not (out / ".intake-index").is_symlink()
    assert _indexed(out) == ["AAA", "BBB"]


def test_an_index_that_cannot_be_written_is_a_line_and_the_receipt_still_is(
    tmp_path: Path, key: StaffKey
) -> None:
    out = tmp_path / "out"
    _decrypt(tmp_path, key, out, "AAA")
    (out / "index.html").unlink()
    (out / "index.html").mkdir()  # a folder in its place: os.replace cannot put a file there
    stderr = _decrypt(tmp_path, key, out, "BBB", status=1)
    assert error_lines(stderr) == [
        f"intake: error: {out / 'index.html'}: not written (Is a directory)"
    ], stderr
    assert "1 decrypted, 0 already done, 0 failed, 1 output file(s) not written" in stderr
    receipt = json.loads((out / "receipt.json").read_text())
    assert [e["id"] for e in receipt["decrypted"]] == ["AAA", "BBB"]
