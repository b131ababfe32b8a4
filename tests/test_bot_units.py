"""The bot's pure pieces: rendering, the deletion span, retry policy, per-witness ordering."""

from __future__ import annotations

import asyncio
import datetime as dtm
from typing import get_args

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.markup import MAX_TEXT, render, split_text
from bot.ordering import PerWitnessUpdateProcessor
from bot.records import RecordCache
from bot.retry import GaveUpError, RetryPolicy, with_retry
from bot.texts import TextKey
from bot.texts import text as bot_text
from bot.traces import MAX_SPAN, ChatRecord, span
from intake.channel import Button, Prompt

FAST = RetryPolicy(base=0.001, cap=0.002, deadline=5.0)


def test_long_prompt_is_split_with_notice_first_and_keyboard_last() -> None:
    body = "\n".join(f"{n}. answer {'x' * 90}" for n in range(200))  # ~20 000 characters
    prompt = Prompt(
        text=body,
        stage="review",
        buttons=((Button("1.sub", "Send"),), (Button("1.e.0", "Edit 1", selected=True),)),
        notice="Please check.",
    )
    chunks = render(prompt)
    assert len(chunks) > 4
    assert all(0 < len(c.text) <= MAX_TEXT for c in chunks)
    assert chunks[0].text.startswith("Please check.")
    assert all(c.markup is None for c in chunks[:-1])
    last = chunks[-1].markup
    assert last is not None
    assert [[b.callback_data for b in row] for row in last.inline_keyboard] == [
        ["1.sub"],
        ["1.e.0"],
    ]
    assert "".join(c.text for c in chunks).count("answer") == 200  # nothing lost at the cuts


def test_split_without_breaks_cuts_hard() -> None:
    pieces = split_text("y" * 10_000)
    assert [len(p) for p in pieces] == [4096, 4096, 1808]


def test_media_prompt_carries_the_send_as_file_hint() -> None:
    prompt = Prompt(text="Photos?", stage="question", expects="media", language="ru")
    assert "как файл" in render(prompt)[0].text


def test_span_fills_gaps_but_not_absurd_ranges() -> None:
    assert span([5, 9], upto=12) == set(range(5, 13))
    assert span([], upto=12) == set()
    assert span([1, MAX_SPAN + 10]) == {1, MAX_SPAN + 10}


def test_chat_record_round_trip_tolerates_garbage() -> None:
    rec = ChatRecord(chat_id=7, message_ids=[1, 2], prompt_ids=[2], language="uk", last_update=9)
    assert ChatRecord.from_data(rec.to_data()) == rec
    odd = ChatRecord.from_data({"chat": "x", "ids": [1, "2", None], "upd": "3"})
    assert odd.chat_id is None
    assert odd.message_ids == [1]
    assert odd.last_update is None


async def test_retry_honours_retry_after_and_backs_off_on_network_errors() -> None:
    failures: list[Exception] = [
        RetryAfter(dtm.timedelta(milliseconds=10)),
        NetworkError("Bad Gateway"),
        TimedOut(),
    ]
    kinds: list[str] = []

    async def call() -> str:
        if failures:
            raise failures.pop(0)
        return "ok"

    assert await with_retry(call, FAST, what="sendMessage", on_error=kinds.append) == "ok"
    assert kinds == ["rate_limited", "network", "timeout"]


@pytest.mark.parametrize("error", [BadRequest("message is too long"), Forbidden("blocked")])
async def test_refusals_are_not_retried(error: Exception) -> None:
    calls = 0

    async def call() -> None:
        nonlocal calls
        calls += 1
        raise error

    with pytest.raises(type(error)):
        await with_retry(call, FAST, what="sendMessage")
    assert calls == 1


async def test_retry_gives_up_after_the_deadline() -> None:
    async def call() -> None:
        raise NetworkError("down")

    with pytest.raises(GaveUpError, match="sendMessage"):
        await with_retry(call, RetryPolicy(base=0.01, cap=0.02, deadline=0.1), what="sendMessage")


class _Update:
    """Stands in for telegram.Update in the ordering key (only effective_user.id is read)."""

    def __init__(self, user: int) -> None:
        self.effective_user = type("U", (), {"id": user})()


async def test_ordering_serialises_one_user_and_not_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.ordering.ordering_key", lambda u: u.effective_user.id)
    processor = PerWitnessUpdateProcessor(16)
    gate, b_done = asyncio.Event(), asyncio.Event()
    log: list[str] = []

    async def step(name: str, wait: bool) -> None:
        log.append(f"start {name}")
        if wait:
            await gate.wait()
        log.append(f"end {name}")
        if name == "b1":
            b_done.set()

    tasks = [
        asyncio.create_task(processor.process_update(_Update(1), step("a1", True))),
        asyncio.create_task(processor.process_update(_Update(1), step("a2", False))),
        asyncio.create_task(processor.process_update(_Update(2), step("b1", False))),
    ]
    await asyncio.wait_for(b_done.wait(), 5)  # b1 finished while a1 still holds user 1's lock
    assert log == ["start a1", "start b1", "end b1"]
    gate.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["end a1", "start a2", "end a2"]
    assert processor.active_witnesses == 0


def test_every_bot_line_exists_in_every_language() -> None:
    keys = get_args(TextKey)
    for language in ("be", "ru", "uk"):
        for key in keys:
            line = bot_text(key, language, mb=20)
            assert line
            if key != "deleted":
                assert line != bot_text(key, "en", mb=20), (language, key)
    assert bot_text("deleted", "pt-BR") == "Done."  # unknown languages fall back to English


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
