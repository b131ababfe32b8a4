"""HTTP/1.1 framing against a server that misbehaves: every odd answer ends in a clear
NetworkError or TimedOut (never a hang, never a huge buffer), and a connection is reused only
after a complete answer. Driven through :class:`bot.lean_request.LeanRequest`, as PTB calls it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram.error import NetworkError, TimedOut

from bot.http1 import read_answer
from bot.lean_request import LeanRequest
from bot.wire import Wire
from tests.support.rawserver import RawConn, RawServer, ok

TOKEN = "123456:SECRET-token-abcdefghijklmnopqrstuvwxyz"
PATH = f"/bot{TOKEN}/getMe"


@pytest.fixture
async def client() -> AsyncIterator[LeanRequest]:
    request = LeanRequest(read_timeout=2.0, connect_timeout=2.0, max_answer=1024 * 1024)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


def no_token(exc: BaseException) -> BaseException:
    """``exc`` (and its cause) say nothing of the URL: its path holds the token."""
    for e in (exc, exc.__cause__):
        assert TOKEN not in str(e)
        assert TOKEN not in repr(e)
    return exc


async def _fails(client: LeanRequest, script: object, kind: type[Exception]) -> str:
    async with RawServer(script) as server:  # type: ignore[arg-type]
        with pytest.raises(kind) as info:
            await client.do_request(server.url(PATH), "POST")
    return str(no_token(info.value))


async def _answer(client: LeanRequest, raw: bytes) -> tuple[int, bytes, int]:
    """Send ``raw`` as the answer to a request, then a good answer to a second: the first
    answer's (status, body) and how many connections the two requests took."""
    answers = [raw, ok(b"second")]

    async def script(conn: RawConn) -> None:
        while answers and await conn.request() is not None:
            conn.send(answers.pop(0))
            await conn.writer.drain()
            framed = b"Length" in raw or b"chunked" in raw
            if raw.startswith(b"HTTP/1.0") or b"close" in raw or not framed:
                break  # the framing says the connection ends here

    async with RawServer(script) as server:
        status, body = await client.do_request(server.url(PATH), "POST")
        assert await client.do_request(server.url(PATH), "POST") == (200, b"second")
        return status, body, len(server.connections)


async def test_content_length_answer_keeps_the_connection(client: LeanRequest) -> None:
    assert await _answer(client, ok(b"first")) == (200, b"first", 1)


async def test_chunked_answer_is_joined(client: LeanRequest) -> None:
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\n"
    raw += b"X-Trailer: 1\r\n\r\n"
    assert await _answer(client, raw) == (200, b"abcde", 1)


@pytest.mark.parametrize(
    "raw",
    [
        b'HTTP/1.1 200 OK\r\n\r\n{"ok":true,"result":[{"update_id":1',
        b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{}",
    ],
    ids=["http-1.1", "http-1.0"],
)
async def test_an_answer_that_runs_until_close_is_refused(client: LeanRequest, raw: bytes) -> None:
    """A close cannot be told from a cut (TLS without close_notify least of all): read to the
    end, a truncated getUpdates body would pass as a whole one. The Bot API always frames."""

    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(raw)
        await conn.writer.drain()

    assert "neither Content-Length nor chunked" in await _fails(client, script, NetworkError)


@pytest.mark.parametrize(
    "raw",
    [
        ok(b"x", "Connection: close\r\n"),
        b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
        ok(b"x") + b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nforged",  # bytes left over
    ],
    ids=["connection-close", "http-1.0", "left-over-bytes"],
)
async def test_connection_not_reused_unless_the_answer_ends_cleanly(
    client: LeanRequest, raw: bytes
) -> None:
    status, body, connections = await _answer(client, raw)
    assert (status, body) == (200, b"x")
    assert connections == 2  # the left-over "answer" never reaches the second request


async def test_interim_answers_are_skipped(client: LeanRequest) -> None:
    raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n" + ok(b"x")
    assert await _answer(client, raw) == (200, b"x", 1)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "closed the connection"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "closed"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n", "CRLF"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "Transfer-Encoding"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "other",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "other",
        ),
        ("HTTP/1.1 200 OK\r\nContent-Length: \u00b2\r\n\r\n{}".encode("latin-1"), "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n{}", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "conflicting"),
        (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx", "compress"),
        (b"HTTP/1.1 200 OK\r\n folded: x\r\nContent-Length: 0\r\n\r\n", "malformed header"),
        (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", "not HTTP"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "status"),
        (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched"),
        (b"", "closed the connection"),
    ],
    ids=[
        "truncated-body",
        "truncated-chunk",
        "bad-chunk-size",
        "chunk-without-crlf",
        "unknown-transfer-encoding",
        "gzip-then-chunked",
        "chunked-twice",
        "superscript-length",
        "empty-length",
        "negative-length",
        "conflicting-lengths",
        "compressed",
        "folded-header",
        "not-http",
        "bad-status",
        "upgrade",
        "closed-at-once",
    ],
)
async def test_broken_answers_are_network_errors(
    client: LeanRequest, raw: bytes, says: str
) -> None:
    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(raw)
        await conn.writer.drain()

    assert says in await _fails(client, script, NetworkError)


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 70_000 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + (b"ffff\r\n" + b"a" * 65535 + b"\r\n") * 20,
    ],
    ids=["huge-header", "too-many-headers", "huge-length", "endless-chunks"],
)
async def test_oversized_answers_are_refused(client: LeanRequest, raw: bytes) -> None:
    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(raw)
        await conn.writer.drain()
        await asyncio.Event().wait()  # keep the connection open: the bound must end it

    message = await _fails(client, script, NetworkError)
    assert any(w in message for w in ("more than", "larger than")), message


async def test_endless_answer_without_length_is_refused_at_its_head(client: LeanRequest) -> None:
    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(b"HTTP/1.1 200 OK\r\n\r\n")
        while True:
            conn.send(b"a" * 65536)
            await conn.writer.drain()

    assert "neither Content-Length" in await _fails(client, script, NetworkError)


async def test_stalled_head_times_out(client: LeanRequest) -> None:
    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(b"HTTP/1.1 200 OK\r\nContent-")
        await asyncio.Event().wait()

    async with RawServer(script) as server:
        with pytest.raises(TimedOut):
            await client.do_request(server.url(PATH), "POST", read_timeout=0.2)


async def test_a_trickling_server_cannot_hold_the_request(client: LeanRequest) -> None:
    """read_timeout bounds the whole answer, not each read."""

    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(b"HTTP/1.1 200 OK\r\n")
        while True:
            conn.send(b"X: y\r\n")  # a header line every 20 ms, under any per-read timeout
            await conn.writer.drain()
            await asyncio.sleep(0.02)  # the server's pace, not a synchronisation

    async with RawServer(script) as server:
        with pytest.raises(TimedOut):
            await client.do_request(server.url(PATH), "POST", read_timeout=0.5)


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nabc",
    ],
    ids=["with-length", "chunked"],
)
async def test_reset_mid_answer_is_a_network_error(client: LeanRequest, raw: bytes) -> None:
    """A reset is not the end of an answer."""

    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(raw)
        await conn.writer.drain()
        conn.reset()

    await _fails(client, script, NetworkError)


class _Transport(asyncio.Transport):
    """Enough of a transport to feed a Wire bytes by hand."""

    def is_closing(self) -> bool:
        return False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _wire(data: bytes) -> Wire:
    wire = Wire()
    wire.connection_made(_Transport())
    wire.data_received(data)
    return wire


async def test_an_answer_with_bytes_after_it_is_not_reusable() -> None:
    """Checked by the framing itself, before the pool checks the idle connection again."""
    deadline = asyncio.get_running_loop().time() + 5
    clean = await read_answer(_wire(ok(b"x")), 1024, deadline)
    assert clean.reusable
    forged = ok(b"x") + b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged"
    answer = await read_answer(_wire(forged), 1024, deadline)
    assert (answer.status, answer.body, answer.reusable) == (200, b"x", False)
