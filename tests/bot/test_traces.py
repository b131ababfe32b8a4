"""Deleting a conversation's traces: the span of message ids, the chat record."""

from __future__ import annotations

from bot.traces import MAX_SPAN, ChatRecord, span


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
