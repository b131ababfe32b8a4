"""The store on real SQLite files: encrypted drafts, attachments, keys, safety, rate limits."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from intake.store import (
    AttachmentTooLargeError,
    DraftCorruptError,
    Store,
    StoreError,
    UnsafeDataDirError,
)


class Clock:
    """A settable clock passed into the store (no monkeypatching)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def _chunks(data: bytes, size: int = 7000) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def test_first_run_creates_private_layout(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = await Store.open(data)
    await store.close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("server.key", "intake.sqlite3"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600
    assert len((data / "server.key").read_bytes()) == 32


async def test_refuses_world_readable_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # noqa: S103 (the unsafe state under test)
    with pytest.raises(UnsafeDataDirError, match="chmod 700"):
        await Store.open(data)


async def test_refuses_readable_server_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    await (await Store.open(data)).close()
    os.chmod(data / "server.key", 0o644)
    with pytest.raises(UnsafeDataDirError, match=r"server\.key"):
        await Store.open(data)


async def test_draft_roundtrip_across_reopen_and_ciphertext_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = await Store.open(data)
    wk = store.witness_key("telegram", 123456789)
    draft = store.new_draft(wk, {"state": {"answer": "CANARY-7731"}, "channel": {}})
    await store.save_draft(draft)
    await store.close()

    store = await Store.open(data)
    assert store.witness_key("telegram", 123456789) == wk
    loaded = await store.load_draft(wk)
    assert loaded is not None
    assert loaded.body["state"]["answer"] == "CANARY-7731"
    assert loaded.version == 1
    await store.close()
    for path in data.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert b"CANARY-7731" not in raw
            assert b"123456789" not in raw


async def test_tampered_draft_is_detected(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {"x": 1})
    await store.save_draft(draft)
    # swap in a body sealed for another version: the associated data must reject it
    other = store.new_draft("wk2", {"x": 2})
    other.key = draft.key
    other.draft_id = draft.draft_id
    other.version = 5
    row = other.to_row(store.keys)
    await store.writer.write([("UPDATE drafts SET body = ? WHERE draft_id = ?", (row[4], row[0]))])
    with pytest.raises(DraftCorruptError):
        await store.load_draft("wk")
    await store.close()


async def test_attachment_streams_encrypted_and_reads_back(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    await store.save_draft(draft)
    payload = os.urandom(200_000) + b"ATTACHMENT-CANARY" + os.urandom(70_000)
    att_id, size, sha = await store.add_attachment(draft, _chunks(payload), max_bytes=1 << 20)
    import hashlib

    assert size == len(payload)
    assert sha == hashlib.sha256(payload).hexdigest()
    assert b"".join(store.read_attachment(draft, att_id)) == payload
    blob = next(store.draft_dir(draft.draft_id).glob("*.blob")).read_bytes()
    assert b"ATTACHMENT-CANARY" not in blob
    await store.close()


@pytest.mark.parametrize("length", [0, 1, 65536, 65537, 131072])
async def test_attachment_chunk_boundaries(tmp_path: Path, length: int) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    data = os.urandom(length)
    att_id, size, _ = await store.add_attachment(draft, _chunks(data, 65536), max_bytes=1 << 20)
    assert size == length
    assert b"".join(store.read_attachment(draft, att_id)) == data
    await store.close()


async def test_attachment_truncation_is_detected(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    att_id, _, _ = await store.add_attachment(draft, _chunks(os.urandom(150_000)), 1 << 20)
    path = next(store.draft_dir(draft.draft_id).glob("*.blob"))
    path.write_bytes(path.read_bytes()[: 8 + 65536 + 16])  # drop everything after chunk 0
    with pytest.raises(DraftCorruptError):
        b"".join(store.read_attachment(draft, att_id))
    await store.close()


async def test_attachment_over_limit_leaves_nothing(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    with pytest.raises(AttachmentTooLargeError):
        await store.add_attachment(draft, _chunks(os.urandom(100_000)), max_bytes=50_000)
    assert list(store.draft_dir(draft.draft_id).iterdir()) == []
    await store.close()


async def test_destroy_removes_row_key_and_blobs(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {"a": "b"})
    await store.save_draft(draft)
    await store.add_attachment(draft, _chunks(b"x" * 10), 100)
    await store.destroy_draft(draft.draft_id)
    assert await store.load_draft("wk") is None
    assert not store.draft_dir(draft.draft_id).exists()
    wal = tmp_path / "d" / "intake.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed and truncated
    await store.close()


async def test_expiry_uses_injected_clock(tmp_path: Path) -> None:
    clock = Clock()
    store = await Store.open(tmp_path / "d", clock=clock, draft_ttl=100)
    draft = store.new_draft("wk", {})
    await store.save_draft(draft)
    assert await store.expired_draft_ids() == []
    clock.now += 100
    assert await store.expired_draft_ids() == [draft.draft_id]
    await store.close()


async def test_orphan_blob_folders_are_swept(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    await store.add_attachment(draft, _chunks(b"abc"), 100)  # never saved: an orphan
    assert await store.sweep_orphans() == 1
    assert not store.draft_dir(draft.draft_id).exists()
    await store.close()


async def test_rate_limit_counts_per_window(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    store = await Store.open(tmp_path / "d", clock=clock)
    assert [await store.hit_rate("wk", "msg", 60) for _ in range(3)] == [1, 2, 3]
    assert await store.hit_rate("other", "msg", 60) == 1
    clock.now += 60
    assert await store.hit_rate("wk", "msg", 60) == 1
    await store.close()


async def test_reads_see_every_commit_under_concurrency(tmp_path: Path) -> None:
    """Regression: interleaved reads on one connection once shared a stale snapshot."""
    store = await Store.open(tmp_path / "d")
    stale = 0

    async def witness(i: int) -> None:
        nonlocal stale
        draft = store.new_draft(f"k{i}", {})
        for n in range(15):
            draft.body["n"] = n
            await store.save_draft(draft)
            loaded = await store.load_draft(f"k{i}")
            stale += loaded is None or loaded.version != draft.version
            if n == 7:  # a checkpointed destroy in the middle of everything
                await store.destroy_draft(store.new_draft(f"other{i}", {}).draft_id)

    await asyncio.gather(*(witness(i) for i in range(100)))
    assert stale == 0
    assert store.writer.batches < store.writer.items
    await store.close()


async def test_refuses_to_replace_a_missing_key_silently(tmp_path: Path) -> None:
    data = tmp_path / "d"
    store = await Store.open(data)
    await store.save_draft(store.new_draft("wk", {}))
    await store.close()
    (data / "server.key").unlink()
    with pytest.raises(StoreError, match="restore the server key"):
        await Store.open(data)
