"""The chat-record cache: one read per witness, writes only for lasting changes."""

from __future__ import annotations

from bot.records import RecordCache


class _ChannelStore:
    """Just the two service calls the record cache uses, counting them."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, object]] = {}
        self.reads = self.writes = 0

    async def get_channel_data(self, key: str) -> dict[str, object]:
        self.reads += 1
        return dict(self.data.get(key, {}))

    async def set_channel_data(self, key: str, data: dict[str, object]) -> None:
        self.writes += 1
        self.data[key] = dict(data)


async def test_record_cache_reads_once_and_writes_only_lasting_changes() -> None:
    store = _ChannelStore()
    cache = RecordCache(store, max_entries=2)  # type: ignore[arg-type]
    rec = await cache.get("k")
    assert rec.chat_id is None
    rec.chat_id, rec.message_ids = 5, [1, 2]
    assert await cache.save("k", rec)
    rec.last_update = 99  # only the replay guard moved: not worth a commit
    assert not await cache.save("k", rec)
    rec.add([3])
    assert await cache.save("k", rec)
    assert await cache.get("k") is rec
    assert (store.reads, store.writes) == (1, 2)
    await cache.get("a")
    await cache.get("b")  # evicts "k": read again from the draft next time
    assert (await cache.get("k")).message_ids == [1, 2, 3]
    assert store.reads == 4
    cache.forget("k")
    cache.clear()
    await cache.get("k")
    assert store.reads == 5
