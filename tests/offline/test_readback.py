"""readback: files of the output folder are read like files from a stick."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from intake import safefs
from intake.offline import readback


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.json"
    path.write_text('{"secret": "keep me"}')
    return path


def test_read_json_takes_only_a_bounded_regular_file_of_strict_json(
    tmp_path: Path, victim: Path
) -> None:
    assert readback.read_json(victim) == {"secret": "keep me"}
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # a plain open() would block here forever
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100 + "]" * 100)
    nan = tmp_path / "nan.json"
    nan.write_text('{"n": NaN}')
    for path in (link, fifo, deep, nan, tmp_path / "missing.json"):
        assert readback.read_json(path) is None, path
    assert readback.read_json(victim, limit=10) is None


def test_read_ascii_refuses_links_and_other_text(tmp_path: Path, victim: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("A\nB\n")
    assert readback.read_ascii(ids).split() == ["A", "B"]
    ids.write_text("A\n\u0411\n")
    with pytest.raises(safefs.UnsafePathError, match="not the list of ids"):
        readback.read_ascii(ids)
    link = tmp_path / "link.txt"
    link.symlink_to(victim)
    with pytest.raises(safefs.UnsafePathError, match="symbolic link"):
        readback.read_ascii(link)


def test_own_folder_replaces_a_planted_link_without_touching_its_target(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "state.json").write_text("{}")
    planted = tmp_path / ".intake-index"
    planted.symlink_to(target)
    line = readback.own_folder(planted)
    assert line == f"{planted} was a symbolic link; replaced by a new folder"
    assert planted.is_dir()
    assert not planted.is_symlink()
    assert list(planted.iterdir()) == []
    assert (target / "state.json").read_text() == "{}"
    assert readback.own_folder(planted) is None  # a real folder is kept as it is
    stray = tmp_path / "stray"
    stray.write_text("x")
    assert readback.own_folder(stray) == f"{stray} was a regular file; replaced by a new folder"
    assert stray.is_dir()


def test_cut_to_truncates_only_a_regular_file(tmp_path: Path, victim: Path) -> None:
    part = tmp_path / "rows.csv"
    part.write_bytes(b"0123456789")
    assert readback.cut_to(part, 4)
    assert part.read_bytes() == b"0123"
    assert not readback.cut_to(part, 5)  # shorter than the state says: not intact
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    with pytest.raises(OSError, match="symbolic links"):  # ELOOP: O_NOFOLLOW
        readback.cut_to(link, 1)
    assert victim.read_text() == '{"secret": "keep me"}'
