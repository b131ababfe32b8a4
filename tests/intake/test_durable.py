"""The one durable-replace helper: the old content or the whole new one, nothing in between,
no temp file left, a planted link never followed (real files)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from intake import durable


def test_the_new_content_replaces_the_old_privately(tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_bytes(b"old")
    with durable.replacing(path) as f:
        assert f.write(memoryview(b"new content")) == 11
        assert path.read_bytes() == b"old"  # nothing visible before the rename
    assert path.read_bytes() == b"new content"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.csv"]


def test_a_failure_leaves_the_old_content_and_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "receipt.json"
    path.write_bytes(b"old")

    def write_half() -> None:
        with durable.replacing(path) as f:
            f.write(b"half of the new")
            raise RuntimeError("disk full, say")

    with pytest.raises(RuntimeError):
        write_half()
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["receipt.json"]


def test_a_stale_temp_file_is_replaced_and_a_planted_link_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "server.key"
    victim.write_bytes(b"KEY")
    tmp = tmp_path / "x.age.tmp"
    os.symlink(victim, tmp)  # left (or planted) where the temp file goes
    with durable.replacing(tmp_path / "x.age", tmp=tmp) as f:
        f.write(b"sealed")
    assert (tmp_path / "x.age").read_bytes() == b"sealed"
    assert victim.read_bytes() == b"KEY"
    assert not os.path.lexists(tmp)
