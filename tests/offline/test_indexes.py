"""The index cache: a run renders only its own rows, and a full rebuild gives the same indexes.

Every test decrypts for real; "same indexes" compares the incremental result byte for byte with a
cache-less rebuild of the same folder (the build time inside index.html aside).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

import crypto
from intake.offline import indexes
from intake.offline.indexes import CACHE_DIR
from tests.support.casework_folder import decrypt, key_file, sealed_folder


@pytest.fixture(scope="module")
def identity() -> crypto.Identity:
    return crypto.generate_identity(post_quantum=False)


def _batches(tmp_path: Path, identity: crypto.Identity) -> tuple[Path, Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    sealed_folder(first, 12, identity, seed=1)
    sealed_folder(second, 5, identity, seed=2, start=500)
    return first, second, key_file(tmp_path, identity)


def _html(out: Path) -> str:
    page = (out / "index.html").read_text("utf-8")
    return re.sub(r'"built":"[^"]*"', '"built":""', page)


def _rows(out: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO((out / "index.csv").read_text("utf-8-sig"))))


def _rebuilt_copy(out: Path, tmp_path: Path, key: Path) -> Path:
    """The same folder with the cache removed, indexed again from scratch."""
    copy = tmp_path / "copy"
    shutil.copytree(out, copy, symlinks=True)
    shutil.rmtree(copy / CACHE_DIR)
    empty = tmp_path / "nothing"
    empty.mkdir(exist_ok=True)
    (empty / "x.age").write_bytes(b"not age")  # a run with nothing new: only the indexes
    decrypt(empty, key, copy)
    return copy


def test_second_run_appends_and_matches_a_rebuild(
    tmp_path: Path, identity: crypto.Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, key = _batches(tmp_path, identity)
    out = tmp_path / "out"
    assert decrypt(first, key, out) == 0
    rebuilds: list[bool] = []
    real = indexes._rebuild

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        rebuilds.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(indexes, "_rebuild", spy)
    assert decrypt(second, key, out) == 0
    assert rebuilds == []  # appended, not rebuilt
    assert len(_rows(out)) == 1 + 12 + 5
    assert (out / CACHE_DIR / "ids.txt").read_text().split()[-5:] == sorted(
        p.stem for p in second.glob("*.age")
    )
    monkeypatch.setattr(indexes, "_rebuild", real)
    copy = _rebuilt_copy(out, tmp_path, key)
    assert sorted(map(tuple, _rows(copy))) == sorted(map(tuple, _rows(out)))
    assert _html(copy).count("\n") == _html(out).count("\n")


def test_a_crash_between_appends_and_state_is_repaired(
    tmp_path: Path, identity: crypto.Identity
) -> None:
    first, second, key = _batches(tmp_path, identity)
    out = tmp_path / "out"
    assert decrypt(first, key, out) == 0
    before = _rows(out)
    with (out / CACHE_DIR / "rows.csv").open("ab") as f:  # half a row a killed run appended
        f.write(b'"R9999","01HALFWRITTEN",')
    assert decrypt(second, key, out) == 0
    rows = _rows(out)
    assert len(rows) == len(before) + 5
    assert not any("01HALFWRITTEN" in cell for row in rows for cell in row)


def test_removed_or_foreign_folders_force_a_rebuild(
    tmp_path: Path, identity: crypto.Identity
) -> None:
    first, second, key = _batches(tmp_path, identity)
    out = tmp_path / "out"
    assert decrypt(first, key, out) == 0
    gone = sorted(p.stem for p in first.glob("*.age"))[0]
    shutil.rmtree(out / gone)
    broken = out / "01NOTASUBMISSION"
    broken.mkdir()
    (broken / "submission.json").write_text("{not json")
    assert decrypt(second, key, out, "--ids") == 0
    ids = [row[1] for row in _rows(out)[1:]]
    assert gone not in ids
    assert "01NOTASUBMISSION" not in ids
    assert len(ids) == 11 + 5


def test_folders_of_an_older_version_get_their_summary(
    tmp_path: Path, identity: crypto.Identity, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder released before summaries existed (only submission.json and report.html)."""
    first, second, key = _batches(tmp_path, identity)
    out = tmp_path / "out"
    assert decrypt(first, key, out) == 0
    for folder in out.iterdir():
        if folder.is_dir() and not folder.name.startswith("."):
            (folder / "summary.json").unlink()
            (folder / "custody.json").unlink()
    shutil.rmtree(out / CACHE_DIR)
    assert decrypt(second, key, out) == 0
    assert len(_rows(out)) == 1 + 12 + 5
    summary = json.loads(next(out.glob("*/summary.json")).read_text())
    assert summary["format"] == "witness-intake/summary/v2"


def test_another_language_or_header_style_rebuilds(
    tmp_path: Path, identity: crypto.Identity
) -> None:
    first, second, key = _batches(tmp_path, identity)
    out = tmp_path / "out"
    assert decrypt(first, key, out, "--language", "uk") == 0
    assert _rows(out)[0][0] == "Код підтвердження"  # the code named as the bot names it
    assert decrypt(second, key, out, "--ids") == 0
    header = _rows(out)[0]
    assert header[0] == "receipt"
    assert "treatment.beaten" in header
    assert len(_rows(out)) == 1 + 12 + 5


def test_nothing_released_leaves_nothing(tmp_path: Path, identity: crypto.Identity) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "bad.age").write_bytes(b"age-encryption.org/v1\n-> X25519 garbage\n")
    out = tmp_path / "out"
    assert decrypt(src, key_file(tmp_path, identity), out) == 1
    assert not out.exists()
