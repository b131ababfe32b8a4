"""The request object under PTB: the configured client, and every call's outcome observed —
long polling included — whichever client runs."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot import connpool, lean_request
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


async def _one_call(seen: Seen, answer: bytes) -> NetworkError:
    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(answer)
        await conn.writer.drain()

    request = ObservedRequest(make_request("lean"), seen)
    async with RawServer(script) as server:
        await request.initialize()
        try:
            with pytest.raises(NetworkError) as info:
                await request.do_request(server.url("/bot1:x/getMe"), "POST")
        finally:
            await request.shutdown()
    return info.value


async def test_a_unicode_digit_length_is_a_counted_network_error() -> None:
    """'Content-Length: ²' (latin-1 decoding makes ¹²³ digits to str.isdigit) is refused as a
    NetworkError that the metrics see, not a bare ValueError out of int()."""
    seen = Seen()
    error = await _one_call(
        seen, "HTTP/1.1 200 OK\r\nContent-Length: ²\r\n\r\n{}".encode("latin-1")
    )
    assert "Content-Length" in str(error)
    assert seen.events == ["network"]


@pytest.mark.parametrize(
    ("where", "message"),
    [("read", "lean.ProtocolError: ValueError"), ("connect", "lean.ConnectError: ValueError")],
)
async def test_an_unforeseen_failure_in_the_client_is_a_counted_network_error(
    monkeypatch: pytest.MonkeyPatch, where: str, message: str
) -> None:
    """Whatever the client's code did not foresee (here: a bug raising ValueError while reading
    a real answer, or while connecting) still ends the call as a NetworkError, counted."""

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("a bug nobody foresaw")

    if where == "read":
        monkeypatch.setattr(lean_request, "read_answer", broken)
    else:
        monkeypatch.setattr(connpool, "connect", broken)
    seen = Seen()
    error = await _one_call(seen, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    assert str(error) == message
    assert isinstance(error.__cause__, ValueError)
    assert seen.events == ["network"]
