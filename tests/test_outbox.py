"""The outbox on real files: sealing atomically, recovery, export, ack and status."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from intake import outbox
from intake.cli.ack_command import ack as ack_main
from intake.cli.export_command import export as export_main
from intake.cli.status_command import status as status_main
from intake.store import Store


def _seal(store: Store, submission_id: str, payload: bytes) -> tuple[str, int]:
    return outbox.write_sealed(store.outbox_dir, submission_id, lambda f: f.write(payload))


async def _queued(store: Store, submission_id: str, payload: bytes) -> str:
    sha256, size = _seal(store, submission_id, payload)
    await store.outbox.add(submission_id, sha256, size, store.clock())
    return sha256


async def test_write_sealed_is_atomic_and_hashes(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    sha256, size = _seal(store, "abc", b"ciphertext")
    assert (sha256, size) == (hashlib.sha256(b"ciphertext").hexdigest(), 10)
    assert sorted(p.name for p in store.outbox_dir.iterdir()) == ["abc.age"]
    assert (store.outbox_dir / "abc.age").stat().st_mode & 0o777 == 0o600

    def boom(f: object) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        outbox.write_sealed(store.outbox_dir, "def", boom)
    assert sorted(p.name for p in store.outbox_dir.iterdir()) == ["abc.age"]
    await store.close()


async def test_recover_temp_orphan_and_missing(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    (store.outbox_dir / "half.age.tmp").write_bytes(b"partial")
    _seal(store, "orphan", b"sealed but never indexed")
    await store.outbox.add("gone", "0" * 64, 5, 1.0)
    with capture_logs() as logs:
        report = await outbox.recover(store)
    assert report.temp_removed == 1
    assert report.indexed == ["orphan"]
    assert report.missing == ["gone"]
    assert {"event": "outbox_file_missing", "submission_id": "gone", "log_level": "error"} in logs
    row = await store.outbox.get("orphan")
    assert row is not None
    assert row.sha256 == hashlib.sha256(b"sealed but never indexed").hexdigest()
    assert not (store.outbox_dir / "half.age.tmp").exists()
    await store.close()


async def test_export_copies_marks_and_never_deletes(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    sha_a = await _queued(store, "aaa", b"A" * 100)
    await _queued(store, "bbb", b"B" * 50)
    out = tmp_path / "usb"
    result = await outbox.export(store, out, include_all=False, now=1_700_000_000)
    assert [r.submission_id for r in result.copied] == ["aaa", "bbb"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "witness-intake/export/v1"
    assert manifest["exported_at"] == "2023-11-14T22:13:20Z"
    assert manifest["submissions"][0] == {
        "id": "aaa",
        "sha256": sha_a,
        "size": 100,
        "file": "aaa.age",
    }
    assert (out / "aaa.age").read_bytes() == b"A" * 100
    assert (store.outbox_dir / "aaa.age").exists()  # never deleted by export
    assert (await store.outbox.counts())["exported"] == 2

    again = await outbox.export(store, tmp_path / "usb2", include_all=False, now=1)
    assert again.copied == []
    everything = await outbox.export(store, tmp_path / "usb3", include_all=True, now=1)
    assert len(everything.copied) == 2
    await store.close()


async def test_export_refuses_a_corrupt_file(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    await _queued(store, "aaa", b"A" * 100)
    (store.outbox_dir / "aaa.age").write_bytes(b"tampered")
    result = await outbox.export(store, tmp_path / "usb", include_all=False, now=1)
    assert result.copied == []
    assert result.failed[0][0] == "aaa"
    assert not (tmp_path / "usb" / "aaa.age").exists()
    assert (await store.outbox.counts())["queued"] == 1
    await store.close()


async def test_ack_deletes_only_matching_and_is_idempotent(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    sha_a = await _queued(store, "aaa", b"A")
    await _queued(store, "bbb", b"B")
    receipt = {
        "format": "witness-intake/receipt/v1",
        "decrypted": [
            {"id": "aaa", "file": "aaa.age", "sha256": sha_a},
            {"file": "bbb.age", "sha256": "f" * 64},  # keyed by file name, wrong hash
            {"id": "zzz", "sha256": "e" * 64},
        ],
    }
    pairs = outbox.parse_receipt(receipt)
    result = await outbox.ack(store, pairs, now=5)
    assert (result.deleted, result.mismatched, result.unknown) == (["aaa"], ["bbb"], ["zzz"])
    assert not (store.outbox_dir / "aaa.age").exists()
    assert (store.outbox_dir / "bbb.age").exists()
    again = await outbox.ack(store, pairs, now=6)
    assert again.already == ["aaa"]
    assert again.deleted == []
    assert await store.outbox.counts() == {"queued": 1, "exported": 0, "acknowledged": 1}
    await store.close()


@pytest.mark.parametrize(
    "bad",
    [{}, {"format": "x"}, {"format": "witness-intake/receipt/v1", "decrypted": [{"id": "a"}]}],
)
def test_parse_receipt_rejects_malformed(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="receipt"):
        outbox.parse_receipt(bad)


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
    assert "open drafts: 0" in out
    assert "queued: 1" in out
    assert "free disk:" in out
    assert "oldest unexported:" in out
    assert "none" not in out.split("oldest unexported:")[1][:6]

    usb = tmp_path / "usb"
    assert await _in_thread(export_main, argparse.Namespace(out=usb, all=False)) == 0
    assert "exported aaa.age" in capsys.readouterr().out

    receipt = tmp_path / "receipt.json"
    entries = [{"id": "aaa", "sha256": sha_a}, {"id": "nope", "sha256": "0" * 64}]
    receipt.write_text(json.dumps({"format": "witness-intake/receipt/v1", "decrypted": entries}))
    assert await _in_thread(ack_main, argparse.Namespace(receipt=receipt)) == 1
    captured = capsys.readouterr()
    assert "deleted aaa" in captured.out
    assert "nope: not known" in captured.err

    assert await _in_thread(status_main, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "acknowledged: 1" in out
    assert "oldest unexported: none" in out


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


async def _in_thread(func: object, args: argparse.Namespace) -> int:
    """The CLI runs its own event loop (asyncio.run), so call it off this test's loop."""
    import asyncio

    result: int = await asyncio.to_thread(func, args)  # type: ignore[arg-type]
    return result


async def test_recover_completes_an_interrupted_ack(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    await _queued(store, "aaa", b"A")
    await store.outbox.mark_acknowledged("aaa", 5)  # crash right after marking
    report = await outbox.recover(store)
    assert report.ack_completed == 1
    assert not (store.outbox_dir / "aaa.age").exists()
    assert report.missing == []
    await store.close()
