"""The server commands (``status``, ``export``, ``ack``) on the configured data dir: a round trip,
and refusals when there is none — never creating one."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from intake.cli.ack_command import ack as ack_main
from intake.cli.export_command import export as export_main
from intake.cli.status_command import status as status_main
from intake.store import Store
from tests.support.cli import assert_clean_failure, run_cli
from tests.support.cli import in_thread as _in_thread
from tests.support.outbox import queued as _queued


async def test_cli_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    store = await Store.open(data)
    sha_a = await _queued(store, "aaa", b"A" * 10)
    await store.close()
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("INTAKE_DATA_DIR", str(data))

    assert await _in_thread(status_main, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "Open drafts: 0" in out  # the bot's /queue lines (intake.ops.status.queue_lines)
    assert "Waiting for export: 1 (oldest " in out
    assert ", sealed 20" in out
    assert f" GiB in {data}\n" in out

    usb = tmp_path / "usb"
    assert await _in_thread(export_main, argparse.Namespace(out=usb, all=False)) == 0
    assert "exported aaa.age" in capsys.readouterr().out

    receipt = tmp_path / "receipt.json"
    entries = [{"id": "aaa", "sha256": sha_a}, {"id": "nope", "sha256": "0" * 64}]
    receipt.write_text(json.dumps({"format": "witness-intake/receipt/v1", "decrypted": entries}))
    ack_args = argparse.Namespace(receipt=receipt, legacy_sha256_ack=True)  # no ack_hash rows
    assert await _in_thread(ack_main, ack_args) == 1
    captured = capsys.readouterr()
    assert "deleted aaa" in captured.out
    assert "nope: not known" in captured.err

    assert await _in_thread(status_main, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "Acknowledged: 1" in out
    assert "Waiting for export: 0\n" in out  # no oldest when nothing waits


async def test_cli_missing_data_dir_and_bad_receipt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path / "nowhere"))
    assert await _in_thread(status_main, argparse.Namespace()) == 2
    assert "no intake data dir" in capsys.readouterr().err
    bad = tmp_path / "r.json"
    bad.write_text("{not json")
    assert await _in_thread(ack_main, argparse.Namespace(receipt=bad)) == 2


@pytest.mark.parametrize("command", [("status",), ("export", "--out", "x"), ("ack", "r.json")])
def test_queue_commands_without_data_dir(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "r.json").write_text('{"format": "witness-intake/receipt/v1", "decrypted": []}')
    env = {"INTAKE_DATA_DIR": str(tmp_path / "new")}
    proc = run_cli(*command, env=env, cwd=tmp_path)
    assert_clean_failure(proc, 2)
    assert not (tmp_path / "new").exists()


def test_status_does_not_initialise_an_empty_folder(tmp_path: Path) -> None:
    """`intake status` on an existing empty folder creates server.key and a database there
    (outbox_cli → Store.open); a read-only command must not create the server's secrets (e.g.
    run as root before the service user's first start, leaving root-owned files)."""
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o700)
    proc = run_cli("status", env={"INTAKE_DATA_DIR": str(empty)}, cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in empty.iterdir()) == [], proc.stdout
