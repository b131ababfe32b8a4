"""Disk trouble is told from other failures, from the real errors a full or read-only disk gives."""

from __future__ import annotations

import errno
import sqlite3
import subprocess
from pathlib import Path

import pytest

from intake.store.trouble import Trouble, storage_trouble


def _tmpfs(where: Path, options: str) -> None:
    where.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc}); run as root")


def _fill_database(path: Path) -> sqlite3.Error:
    db = sqlite3.connect(path)
    try:
        db.execute("CREATE TABLE t (b BLOB)")
        for _ in range(100):
            db.execute("INSERT INTO t VALUES (?)", (b"\0" * 65536,))
            db.commit()
    except sqlite3.Error as exc:
        return exc
    finally:
        db.close()
    raise AssertionError("the database never filled the disk")


def _fill_file(path: Path) -> OSError:
    try:
        with path.open("wb") as f:
            f.write(b"\0" * 2_000_000)
            f.flush()
    except OSError as exc:
        return exc
    raise AssertionError("the file never filled the disk")


def test_a_full_disk_from_sqlite_and_from_a_file_write(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    _tmpfs(disk, "size=1m")
    try:
        assert storage_trouble(_fill_database(disk / "x.sqlite3")) == Trouble("disk full")
        assert storage_trouble(_fill_file(disk / "f")) == Trouble("disk full")
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_wrapped_errors_are_followed_and_others_are_not_trouble(tmp_path: Path) -> None:
    try:
        try:
            raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "drafts"))
        except OSError as inner:
            raise RuntimeError("could not store the attachment") from inner
    except RuntimeError as outer:
        found = storage_trouble(outer)
    assert found == Trouble("read-only file system", str(tmp_path / "drafts"))
    assert found.describe() == f"cannot write to {tmp_path / 'drafts'}: read-only file system"
    assert found.advice.startswith("remount it read-write")
    assert storage_trouble(ValueError("bad answer")) is None
    assert storage_trouble(OSError(errno.ECONNREFUSED, "refused")) is None
    assert storage_trouble(None) is None
