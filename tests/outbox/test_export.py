"""Export to a stick: verified copies and a manifest; never deletes, refuses corrupt files."""

from __future__ import annotations

import json
from pathlib import Path

from intake import outbox
from intake.store import Store
from tests.support.outbox import queued as _queued


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
