"""The store's lifecycle of drafts: destroy, expiry, orphan sweeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.store import Store, StoreError
from tests.support.clock import Clock
from tests.support.witness import chunks


async def test_destroy_removes_row_key_and_blobs(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {"a": "b"})
    await store.save_draft(draft)
    await store.add_attachment(draft, chunks(b"x" * 10, 7000), 100)
    await store.destroy_draft(draft.draft_id)
    assert await store.load_draft("wk") is None
    assert not store.draft_dir(draft.draft_id).exists()
    slots = (tmp_path / "d" / "keyslots").read_bytes()
    assert slots[128:] == bytes(len(slots) - 128)  # the key slot is shredded: zeros on disk
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
    await store.add_attachment(draft, chunks(b"abc", 7000), 100)  # never saved: an orphan
    assert await store.sweep_orphans() == 1
    assert not store.draft_dir(draft.draft_id).exists()
    await store.close()


async def test_replace_draft_hands_the_witness_on_in_one_commit(tmp_path: Path) -> None:
    clock = Clock()
    store = await Store.open(tmp_path / "d", clock=clock)
    key = "wk"
    old = store.new_draft(key, {"state": {}, "n": 1})
    await store.save_draft(old)
    new = store.new_draft(key, {"state": {}, "n": 2}, expires_at=clock() + 600)
    await store.replace_draft(old, new)
    found = await store.load_draft(key)
    assert found is not None
    assert found.body["n"] == 2
    assert found.expires_at == clock() + 600
    assert await store.load_draft_by_id(old.draft_id) is None
    with pytest.raises(StoreError):  # a live tag is never taken over outside such a commit
        await store.save_draft(store.new_draft(key, {"state": {}}))
    await store.close()
    reopened = await Store.open(tmp_path / "d", clock=clock)  # the slots agree after a restart
    again = await reopened.load_draft(key)
    assert again is not None
    assert again.draft_id == new.draft_id
    assert again.expires_at == clock() + 600
    await reopened.close()
