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
