"""Drafts survive a reopen and only ciphertext reaches the disk."""

from __future__ import annotations

from pathlib import Path

from intake.store import Store


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
