"""Chat clean-up records: made in the commit that destroys the draft, sealed under their own slot,
kept across restarts, shredded when the channel is done or Telegram's 48 h window is over."""

from __future__ import annotations

from pathlib import Path

from intake.store import Store
from intake.store.cleanups import WINDOW
from tests.support.clock import Clock

CHANNEL = {"chat": 5550001112, "ids": [10, 11, 12], "lang": "ru"}


async def test_destroying_a_draft_leaves_a_sealed_cleanup_across_restarts(tmp_path: Path) -> None:
    data, clock = tmp_path / "d", Clock()
    store = await Store.open(data, clock=clock)
    draft = store.new_draft("wk", {"channel": CHANNEL})
    await store.save_draft(draft)
    cleanup_id = await store.destroy_draft(draft.draft_id, cleanup=CHANNEL, closing="Thank you.")
    assert cleanup_id is not None
    assert await store.load_draft("wk") is None
    await store.close()
    for path in data.rglob("*"):
        if path.is_file():
            assert b"5550001112" not in path.read_bytes(), path  # the chat id is ciphertext

    store = await Store.open(data, clock=clock)
    try:
        assert store.cleanups.ids() == [cleanup_id]
        cleanup = await store.cleanups.load(cleanup_id)
        assert cleanup is not None
        assert cleanup.channel == CHANNEL
        assert cleanup.closing == "Thank you."
        assert cleanup.deadline == clock.now + WINDOW
        await store.cleanups.destroy(cleanup_id)
        assert store.cleanups.ids() == []
        assert await store.cleanups.load(cleanup_id) is None
    finally:
        await store.close()
    slots = (data / "keyslots").read_bytes()
    assert slots[128:] == bytes(len(slots) - 128)


async def test_nothing_to_clean_makes_no_record(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    await store.save_draft(draft)
    assert await store.destroy_draft(draft.draft_id, cleanup={}) is None
    assert store.cleanups.ids() == []
    await store.close()


async def test_cleanups_past_the_window_are_shredded(tmp_path: Path) -> None:
    clock = Clock()
    store = await Store.open(tmp_path / "d", clock=clock)
    try:
        first = await store.cleanups.create(CHANNEL)
        clock.now += 3600
        second = await store.cleanups.create(CHANNEL)
        assert store.cleanups.ids() == [first, second]
        clock.now += WINDOW - 3600
        assert await store.cleanups.destroy_expired() == 1
        assert store.cleanups.ids() == [second]
    finally:
        await store.close()
