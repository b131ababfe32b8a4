"""Export to a stick: verified copies and a manifest; never deletes, refuses corrupt files, and
never writes over or through what the stick already holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake import outbox, safefs
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


async def test_an_identical_copy_is_verified_and_kept_a_different_file_is_refused(
    tmp_path: Path,
) -> None:
    store = await Store.open(tmp_path / "d")
    await _queued(store, "same", b"S" * 100)
    await _queued(store, "other", b"O" * 100)
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "same.age").write_bytes(b"S" * 100)
    inode = (stick / "same.age").stat().st_ino
    (stick / "other.age").write_bytes(b"X" * 100)  # same size, different bytes
    result = await outbox.export(store, stick, include_all=False, now=1)
    assert [r.submission_id for r in result.present] == ["same"]
    assert result.copied == []
    assert result.failed == [
        (
            "other",
            f"{stick / 'other.age'} already exists (a regular file) and is not this sealed file; "
            "not overwritten — remove it or export to an empty folder",
        )
    ]
    assert (stick / "same.age").stat().st_ino == inode  # not rewritten
    assert (stick / "other.age").read_bytes() == b"X" * 100
    assert (await store.outbox.counts())["queued"] == 1
    await store.close()


async def test_the_manifest_lists_earlier_files_still_on_the_stick(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    await _queued(store, "first", b"1" * 10)
    stick = tmp_path / "stick"
    await outbox.export(store, stick, include_all=False, now=1)
    await _queued(store, "second", b"2" * 10)
    (stick / ".first.age.0123456789ab.part").write_bytes(b"left by a crash")
    (stick / "notes.part").write_bytes(b"someone else's")
    second = await outbox.export(store, stick, include_all=False, now=2)
    assert [r.submission_id for r in second.copied] == ["second"]
    manifest = json.loads((stick / "manifest.json").read_text())
    assert [e["id"] for e in manifest["submissions"]] == ["first", "second"]
    names = sorted(p.name for p in stick.iterdir())
    assert names == ["first.age", "manifest.json", "notes.part", "second.age"]
    await store.close()


async def test_export_refuses_a_folder_inside_the_data_dir(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    await _queued(store, "aaa", b"A")
    with pytest.raises(safefs.UnsafePathError, match="inside the server's data dir"):
        await outbox.export(store, tmp_path / "d" / "outbox", include_all=True, now=1)
    assert not (tmp_path / "d" / "outbox" / "manifest.json").exists()
    await store.close()


async def test_a_copy_that_reads_back_differently_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stick that loses writes: simulated by hashing what is read back as something else."""
    import sys

    export_module = sys.modules["intake.outbox.export"]  # the name is shadowed by the function
    store = await Store.open(tmp_path / "d")
    await _queued(store, "aaa", b"A" * 10)
    real = export_module._sha256
    calls = []

    def lossy(fd: int) -> str:
        calls.append(fd)
        return "0" * 64 if len(calls) == 1 else real(fd)

    monkeypatch.setattr(export_module, "_sha256", lossy)
    result = await outbox.export(store, tmp_path / "stick", include_all=False, now=1)
    shown = tmp_path / "stick" / "aaa.age"
    assert result.failed == [
        ("aaa", f"{shown}: the copy reads back differently from what was written")
    ]
    assert sorted(p.name for p in (tmp_path / "stick").iterdir()) == ["manifest.json"]
    assert (await store.outbox.counts())["queued"] == 1
    await store.close()
