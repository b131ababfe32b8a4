"""The request object under PTB: the configured client, and every call's outcome observed —
long polling included — whichever client runs."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.lean_request import LeanRequest
from bot.request import HttpClient, ObservedRequest, make_request
from tests.support.fakebot import FakeBotApi
from tests.support.rawserver import RawConn, RawServer


class Seen:
    def __init__(self) -> None:
        self.events: list[str] = []

    def telegram_ok(self) -> None:
        self.events.append("ok")

    def telegram_error(self, kind: str) -> None:
        self.events.append(kind)


@pytest.mark.parametrize("client", ["lean", "httpx"])
async def test_every_outcome_is_observed(fake: FakeBotApi, client: HttpClient) -> None:
    seen = Seen()
    inner = make_request(client, read_timeout=0.3, connect_timeout=1)
    assert isinstance(inner, LeanRequest if client == "lean" else HTTPXRequest)
    request = ObservedRequest(inner, seen)
    assert request.read_timeout == 0.3
    url = f"{fake.base_url}/bot{fake.token}/getMe"
    await request.initialize()
    try:
        assert (await request.do_request(url, "POST"))[0] == 200
        fake.faults.add("429", calls=1)
        assert (await request.do_request(url, "POST"))[0] == 429
        fake.faults.add("502", calls=1)
        assert (await request.do_request(url, "POST"))[0] == 502
        fake.faults.add("slow", calls=1, delay=5)
        with pytest.raises(TimedOut):
            await request.do_request(url, "POST")
        fake.faults.add("drop", calls=1)
        with pytest.raises(NetworkError):
            await request.do_request(url, "POST")
    finally:
        await request.shutdown()
    assert seen.events == ["ok", "ok", "rate_limited", "server_error", "timeout", "network"]


async def test_closed_connection_before_any_answer_is_network() -> None:
    async def hang_up(conn: RawConn) -> None:
        await conn.request()

    seen = Seen()
    request = ObservedRequest(make_request("lean"), seen)
    async with RawServer(hang_up) as server:
        await request.initialize()
        with pytest.raises(NetworkError):
            await request.do_request(server.url("/bot1:x/getMe"), "POST")
        await request.shutdown()
    assert seen.events == ["network"]
