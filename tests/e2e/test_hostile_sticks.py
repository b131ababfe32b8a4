"""``intake export`` to a prepared stick and ``intake ack`` of forged receipts, as real processes.

Before: ``manifest.json.part → <data>/server.key`` on the stick overwrote the server key, and
``<A>.age.part → <data>/outbox/<B>.age`` wrote A over B's sealed testimony; a receipt.json built
from manifest.json (ids and ciphertext sha256, both public on the stick) deleted every listed
submission; a receipt that was a FIFO hung ``intake ack`` and a link was followed.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.support.sticks import StaffKey, age_keygen, error_lines, intake, seed_server, tmpfs


@pytest.fixture
def key(tmp_path: Path) -> StaffKey:
    return age_keygen(tmp_path)


@pytest.fixture
async def server(tmp_path: Path, key: StaffKey) -> tuple[Path, list[str]]:
    """A data dir holding two sealed submissions made by the real service."""
    data = tmp_path / "data"
    return data, await seed_server(data, key.recipient, 2)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _states(data: Path) -> dict[str, str]:
    with sqlite3.connect(data / "intake.sqlite3") as db:
        return dict(db.execute("SELECT submission_id, state FROM outbox").fetchall())


def test_export_never_writes_through_links_planted_on_the_stick(
    tmp_path: Path, server: tuple[Path, list[str]]
) -> None:
    data, (a, b) = server
    key_before, b_before = _digest(data / "server.key"), _digest(data / "outbox" / f"{b}.age")
    with tmpfs(tmp_path / "stick") as stick:
        (stick / "manifest.json.part").symlink_to(data / "server.key")
        (stick / f"{a}.age.part").symlink_to(data / "outbox" / f"{b}.age")
        (stick / "manifest.json").symlink_to(data / "server.key")
        (stick / f"{b}.age").symlink_to(data / "outbox" / f"{a}.age")
        run = intake("export", "--out", stick, cwd=tmp_path, env={"INTAKE_DATA_DIR": str(data)})
        assert _digest(data / "server.key") == key_before, "the server key was overwritten"
        assert _digest(data / "outbox" / f"{b}.age") == b_before, "B was overwritten"
        assert run.returncode == 1, run.stderr
        assert error_lines(run.stderr) == [
            f"intake: error: {b}: {stick / b}.age already exists (a symbolic link) and is not "
            "this sealed file; not overwritten — remove it or export to an empty folder; "
            "not exported"
        ]
        assert _digest(stick / f"{a}.age") == _digest(data / "outbox" / f"{a}.age")
        assert not (stick / "manifest.json").is_symlink()  # the link was replaced, not followed
        manifest = json.loads((stick / "manifest.json").read_text())
        assert [e["id"] for e in manifest["submissions"]] == [a]
        assert (stick / f"{a}.age.part").is_symlink()  # the planted link itself is left alone
        assert _states(data) == {a: "exported", b: "queued"}


def test_export_refuses_a_link_anywhere_in_the_folder_path(
    tmp_path: Path, server: tuple[Path, list[str]]
) -> None:
    data, _ = server
    env = {"INTAKE_DATA_DIR": str(data)}
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    with tmpfs(tmp_path / "stick") as stick:
        (stick / "exports").symlink_to(elsewhere)
        run = intake("export", "--out", stick / "exports" / "2026", cwd=tmp_path, env=env)
        assert run.returncode == 2, run.stderr
        assert f"intake: error: {stick / 'exports'} is a symbolic link" in run.stderr
        assert list(elsewhere.iterdir()) == []
        into_data = intake("export", "--out", data / "outbox" / "x", cwd=tmp_path, env=env)
        assert into_data.returncode == 2, into_data.stderr
        assert "is inside the server's data dir" in into_data.stderr
        assert sorted(p.suffix for p in (data / "outbox").iterdir()) == [".age", ".age"]
        assert set(_states(data).values()) == {"queued"}


def test_export_to_a_full_stick_leaves_no_partial_file(
    tmp_path: Path, server: tuple[Path, list[str]]
) -> None:
    data, ids = server
    with tmpfs(tmp_path / "stick", size="64k") as stick:
        _fill(stick / "filler")
        run = intake("export", "--out", stick, cwd=tmp_path, env={"INTAKE_DATA_DIR": str(data)})
        assert run.returncode == 2, run.stderr
        errors = error_lines(run.stderr)
        assert any("No space left on device" in line for line in errors), run.stderr
        assert sorted(p.name for p in stick.iterdir()) == ["filler"]  # no .part left behind
        assert set(_states(data).values()) == {"queued"}
        assert len(ids) == 2


def _fill(path: Path) -> None:
    """Write zeros until the file system is full."""
    with path.open("wb", buffering=0) as f:
        try:
            while f.write(b"\0" * 4096):
                pass
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            return
    raise AssertionError("the tmpfs never filled up")


async def test_a_receipt_built_from_the_manifest_deletes_nothing(
    tmp_path: Path, key: StaffKey, server: tuple[Path, list[str]]
) -> None:
    data, ids = server
    env = {"INTAKE_DATA_DIR": str(data)}
    with tmpfs(tmp_path / "stick") as stick:
        assert intake("export", "--out", stick, cwd=tmp_path, env=env).returncode == 0
        manifest = json.loads((stick / "manifest.json").read_text())
        forged = tmp_path / "forged.json"
        public = ("id", "file", "sha256")  # all a thief of the stick knows
        entries = [{k: e[k] for k in public} for e in manifest["submissions"]]
        forged.write_text(json.dumps({"format": "witness-intake/receipt/v1", "decrypted": entries}))
        run = intake("ack", forged, cwd=tmp_path, env=env)
        assert run.returncode == 1, run.stderr
        assert len(error_lines(run.stderr)) == 2
        assert "does not prove it was decrypted" in run.stderr
        assert "0 deleted" in run.stdout
        assert sorted(p.stem for p in (data / "outbox").glob("*.age")) == sorted(ids)

        out = tmp_path / "out"
        decrypted = intake("decrypt", stick, "-i", key.identity, "-o", out, cwd=tmp_path)
        assert decrypted.returncode == 0, decrypted.stderr
    real = intake("ack", out / "receipt.json", cwd=tmp_path, env=env)
    assert real.returncode == 0, real.stderr
    assert "2 deleted" in real.stdout
    assert list((data / "outbox").glob("*.age")) == []


@pytest.mark.parametrize("kind", ["symlink", "fifo", "huge", "nested"])
def test_ack_refuses_a_hostile_receipt_at_once(
    tmp_path: Path, server: tuple[Path, list[str]], kind: str
) -> None:
    data, ids = server
    real = tmp_path / "real.json"
    real.write_text(json.dumps({"format": "witness-intake/receipt/v1", "decrypted": []}))
    receipt = tmp_path / "receipt.json"
    if kind == "symlink":
        receipt.symlink_to(real)
    elif kind == "fifo":
        os.mkfifo(receipt)
    elif kind == "huge":
        with receipt.open("wb") as f:
            f.truncate(1 << 30)  # a sparse 1 GiB file
    else:
        receipt.write_text("[" * 100_000)
    run = intake("ack", receipt, cwd=tmp_path, env={"INTAKE_DATA_DIR": str(data)}, timeout=20)
    assert run.returncode == 2, run.stderr
    expected = {
        "symlink": "is a symbolic link",
        "fifo": "is a FIFO (named pipe), not a regular file",
        "huge": "1,073,741,824 bytes, more than the 67,108,864 allowed",
        "nested": "nested deeper than 32 levels",
    }[kind]
    (line,) = error_lines(run.stderr)
    assert line.startswith(f"intake: error: cannot use receipt {receipt}: "), line
    assert expected in line, line
    assert len(list((data / "outbox").glob("*.age"))) == len(ids)
