"""The server key: drafts bound to their id and version, never silently replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.store import DraftCorruptError, Store, StoreError


async def test_tampered_draft_is_detected(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {"x": 1})
    await store.save_draft(draft)
    # swap in a body sealed for another version: the associated data must reject it
    assert draft.record is not None
    forged = store.records.seal_body(draft.record, 5, b'{"x": 2}')
    sql = "UPDATE records SET body = ? WHERE record_id = ?"
    await store.writer.write([(sql, (forged, draft.draft_id))])
    with pytest.raises(DraftCorruptError):
        await store.load_draft("wk")
    await store.close()


async def test_refuses_to_replace_a_missing_key_silently(tmp_path: Path) -> None:
    data = tmp_path / "d"
    store = await Store.open(data)
    await store.save_draft(store.new_draft("wk", {}))
    await store.close()
    (data / "server.key").unlink()
    with pytest.raises(StoreError, match="restore the server key"):
        await Store.open(data)
