"""``intake ack`` with the real console script: after export and decrypt (twice), only matching
files are deleted; a bad, unknown or forged receipt deletes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import crypto
from tests.support.cli import assert_clean_failure, run_cli
from tests.support.sealing import write_identity


def test_export_decrypt_twice_then_ack(
    tmp_path: Path, staff: crypto.Identity, server: Path
) -> None:
    env = {"INTAKE_DATA_DIR": str(server)}
    export = tmp_path / "usb"
    proc = run_cli("export", "--out", export, env=env)
    assert proc.returncode == 0, proc.stderr
    key = write_identity(tmp_path / "staff.key", staff)
    out = export / "reports"  # an output folder inside the source folder
    for _ in range(2):  # idempotent
        proc = run_cli("decrypt", export, "-i", key, "--out", out)
        assert proc.returncode == 0, proc.stderr
    assert len([p for p in out.iterdir() if p.is_dir() and p.name[0] != "."]) == 1
    receipt = json.loads((out / "receipt.json").read_text())
    assert len(receipt["decrypted"]) == 1
    proc = run_cli("ack", out / "receipt.json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "1 deleted" in proc.stdout + proc.stderr
    assert not list((server / "outbox").glob("*.age"))
    proc = run_cli("status", env=env)
    assert proc.returncode == 0
    assert "Acknowledged: 1" in proc.stdout


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage", "garbage"),
        ("empty", ""),
        ("list", "[]"),
        ("no_list", '{"format": "witness-intake/receipt/v1"}'),
        ("bad_item", '{"format": "witness-intake/receipt/v1", "decrypted": [5]}'),
    ],
)
def test_ack_bad_receipt(tmp_path: Path, server: Path, name: str, content: str) -> None:
    receipt = tmp_path / f"{name}.json"
    receipt.write_text(content)
    proc = run_cli("ack", receipt, env={"INTAKE_DATA_DIR": str(server)})
    assert_clean_failure(proc, 2)
    assert len(list((server / "outbox").glob("*.age"))) == 1  # nothing deleted


def test_ack_unknown_ids_keeps_everything(tmp_path: Path, server: Path) -> None:
    receipt = tmp_path / "r.json"
    item = {"id": "nosuchsubmission", "file": "x.age", "sha256": "0" * 64}
    receipt.write_text(json.dumps({"format": "witness-intake/receipt/v1", "decrypted": [item]}))
    proc = run_cli("ack", receipt, env={"INTAKE_DATA_DIR": str(server)})
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1
    assert "nosuchsubmission" in proc.stderr
    assert len(list((server / "outbox").glob("*.age"))) == 1


def test_ack_mismatched_sha_is_kept(tmp_path: Path, staff: crypto.Identity, server: Path) -> None:
    env = {"INTAKE_DATA_DIR": str(server)}
    assert run_cli("export", "--out", tmp_path / "usb", env=env).returncode == 0
    out = tmp_path / "reports"
    proc = run_cli(
        "decrypt",
        tmp_path / "usb",
        "-i",
        write_identity(tmp_path / "staff.key", staff),
        "--out",
        out,
    )
    assert proc.returncode == 0, proc.stderr
    receipt = json.loads((out / "receipt.json").read_text())
    receipt["decrypted"][0]["sha256"] = "f" * 64
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(receipt))
    proc = run_cli("ack", forged, env=env)
    assert "Traceback" not in proc.stderr
    assert proc.returncode != 0
    assert "1 mismatched" in proc.stdout + proc.stderr
    assert len(list((server / "outbox").glob("*.age"))) == 1
