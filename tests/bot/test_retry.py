"""Retrying Bot API calls: retry_after honoured, backoff, refusals not retried, a deadline."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.retry import GaveUpError, RetryPolicy, with_retry

FAST = RetryPolicy(base=0.001, cap=0.002, deadline=5.0)


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
