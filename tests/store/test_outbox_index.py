"""The outbox index: indexing a sealed file twice keeps one row, and the ack hash once known."""

from __future__ import annotations

from pathlib import Path

from intake.store import Store


async def test_a_row_indexed_without_the_hash_gains_it_and_never_loses_it(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    try:
        await store.outbox.add("aaa", "1" * 64, 10, 1.0)  # an older recovery: no hash known
        await store.outbox.add("aaa", "1" * 64, 10, 2.0, "f" * 64)  # the submit completes
        row = await store.outbox.get("aaa")
        assert row is not None
        assert (row.ack_hash, row.created_at, row.state) == ("f" * 64, 1.0, "queued")
        await store.outbox.add("aaa", "1" * 64, 10, 3.0)  # found again without it: kept
        await store.outbox.add("aaa", "1" * 64, 10, 4.0, "e" * 64)  # another hash: not taken
        row = await store.outbox.get("aaa")
        assert row is not None
        assert (row.ack_hash, row.created_at) == ("f" * 64, 1.0)
        assert len(await store.outbox.rows()) == 1
    finally:
        await store.close()
