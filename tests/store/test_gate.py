"""Reads and group-committed writes on one connection: every read sees every commit."""

from __future__ import annotations

import asyncio
from pathlib import Path

from intake.store import Store


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
