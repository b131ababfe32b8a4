"""``intake.safefs`` on a real file system: links refused anywhere, FIFOs never block, limits."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from intake import safefs


def test_open_dir_creates_private_folders_and_says_if_it_did(tmp_path: Path) -> None:
    fd, created = safefs.open_dir(tmp_path / "a" / "b", create=True)
    os.close(fd)
    assert created
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    fd, created = safefs.open_dir(tmp_path / "a" / "b", create=True)
    os.close(fd)
    assert not created
    with pytest.raises(FileNotFoundError):
        safefs.open_dir(tmp_path / "nope", create=False)


def test_open_dir_refuses_a_link_at_any_depth(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "inner").mkdir(parents=True)
    (tmp_path / "link").symlink_to(real)
    for path in (tmp_path / "link", tmp_path / "link" / "inner", tmp_path / "link" / "new"):
        with pytest.raises(safefs.UnsafePathError, match=f"{tmp_path / 'link'} is a symbolic link"):
            safefs.open_dir(path, create=True)
    assert sorted(p.name for p in real.iterdir()) == ["inner"]  # nothing created through it
    (tmp_path / "file").write_text("x")
    with pytest.raises(safefs.UnsafePathError, match="is a regular file, not a folder"):
        safefs.open_dir(tmp_path / "file" / "x", create=True)


def test_open_dir_works_on_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    fd, created = safefs.open_dir(Path("rel") / "out", create=True)
    os.close(fd)
    assert created
    assert (tmp_path / "rel" / "out").is_dir()


def test_create_new_never_opens_what_is_there(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "link").symlink_to(victim)
    fd, _ = safefs.open_dir(tmp_path, create=False)
    try:
        for name in ("link", "victim"):
            with pytest.raises(safefs.UnsafePathError, match="already exists"):
                safefs.create_new(fd, name, tmp_path / name)
        new = safefs.create_new(fd, "new", tmp_path / "new")
        os.close(new)
    finally:
        os.close(fd)
    assert victim.read_text() == "keep"
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o600


def test_open_regular_refuses_fifos_links_and_folders_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")  # no writer: a plain open() would block forever
    (tmp_path / "file").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "file")
    cases = {"fifo": "a FIFO", "link": "a symbolic link", ".": "a folder"}
    for name, kind in cases.items():
        with pytest.raises(safefs.UnsafePathError, match=kind):
            safefs.open_regular(tmp_path / name)
    fd = safefs.open_regular(tmp_path / "file")
    try:
        assert os.get_blocking(fd)
        assert os.read(fd, 10) == b"x"
    finally:
        os.close(fd)


def test_read_bounded_refuses_large_files_even_sparse_ones(tmp_path: Path) -> None:
    big = tmp_path / "big"
    with big.open("wb") as f:
        f.truncate(1 << 30)
    with pytest.raises(safefs.UnsafePathError, match="1,073,741,824 bytes, more than the 1,000"):
        safefs.read_bounded(big, 1000)
    (tmp_path / "small").write_bytes(b"a" * 1000)
    assert safefs.read_bounded(tmp_path / "small", 1000) == b"a" * 1000
