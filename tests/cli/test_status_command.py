"""``intake status``: a sealed file missing from the outbox is reported."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from intake.cli.status_command import status as status_main
from intake.store import Store
from tests.support.cli import in_thread as _in_thread
from tests.support.outbox import queued as _queued


async def test_status_reports_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    store = await Store.open(data)
    await _queued(store, "aaa", b"A")
    await store.close()
    os.unlink(data / "outbox" / "aaa.age")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(data))
    assert await _in_thread(status_main, argparse.Namespace()) == 1
    assert "aaa (queued) is missing" in capsys.readouterr().err


async def test_status_warns_of_a_server_key_beside_the_data_until_it_is_in_ram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, ram = tmp_path / "data", Path("/dev/shm") / f"intake-test-{os.getpid()}"
    await (await Store.open(data)).close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(data))
    monkeypatch.delenv("INTAKE_SERVER_KEY_FILE", raising=False)
    assert await _in_thread(status_main, argparse.Namespace()) == 0
    err = capsys.readouterr().err
    assert f"intake: warning: the server key is read from {data / 'server.key'}, on a disk" in err
    moved = _key_to_ram(data, ram)
    try:
        monkeypatch.setenv("INTAKE_SERVER_KEY_FILE", str(moved))
        assert await _in_thread(status_main, argparse.Namespace()) == 0
        assert "server key" not in capsys.readouterr().err  # on tmpfs: nothing to warn about
    finally:
        moved.unlink(missing_ok=True)
        ram.rmdir()


def _key_to_ram(data: Path, ram: Path) -> Path:
    ram.mkdir(mode=0o700)
    moved = ram / "server.key"
    moved.write_bytes((data / "server.key").read_bytes())
    moved.chmod(0o600)
    (data / "server.key").unlink()
    return moved
