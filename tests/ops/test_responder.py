"""The shared HTTP responder (health server and webhook): limits, deadlines, the connection cap.

Real sockets on 127.0.0.1, port 0. The deadlines under test are set short; the tests wait for
the server's answer (or its closing the connection), never for a fixed time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from intake.ops.responder import MAX_HEAD, HttpError, HttpResponder, Request, Response, text

Handler = Callable[[Request], Awaitable[Response]]


async def _echo(request: Request) -> Response:
    if request.method == "POST":
        return Response(200, await request.body(16))
    return text(200, f"{request.method} {request.path} {request.headers.get('x-a', '-')}")


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[HttpResponder]]]:
    started: list[HttpResponder] = []

    async def make(handler: Handler = _echo, **options: float) -> HttpResponder:
        responder = HttpResponder(("127.0.0.1", 0), handler, event="test_listening", **options)  # type: ignore[arg-type]
        await responder.start()
        started.append(responder)
        return responder

    yield make
    for responder in started:
        await responder.stop()


async def _exchange(port: int, raw: bytes, *, eof: bool = False) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    if eof:
        writer.write_eof()
    await writer.drain()
    data = await reader.read()
    writer.close()
    return data


def _status(data: bytes) -> int:
    return int(data.split(b" ", 2)[1])


async def test_parses_method_path_and_headers(
    serve: Callable[..., Awaitable[HttpResponder]],
) -> None:
    srv = await serve()
    data = await _exchange(srv.port, b"GET /a/b?q=1 HTTP/1.1\r\nX-A:  value \r\nHost: x\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert _status(data) == 200
    assert body == b"GET /a/b value\n"
    assert b"Connection: close" in head
    assert b"Content-Length: 15" in head


async def test_head_keeps_the_length_but_sends_no_body(
    serve: Callable[..., Awaitable[HttpResponder]],
) -> None:
    srv = await serve()
    data = await _exchange(srv.port, b"HEAD /x HTTP/1.1\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"Content-Length: 10" in head
    assert body == b""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 200),
        (b"POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n" + b"x" * 17, 413),  # over the limit
        (b"POST / HTTP/1.1\r\n\r\n", 413),  # no length, no body
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
        (b"GET / HTTP/2\r\n\r\n", 400),
        (b"GET /\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * MAX_HEAD + b"\r\n\r\n", 431),
    ],
)
async def test_bounded_requests(
    serve: Callable[..., Awaitable[HttpResponder]], raw: bytes, expected: int
) -> None:
    srv = await serve()
    assert _status(await _exchange(srv.port, raw)) == expected


async def test_a_body_cut_short_is_a_bad_request(
    serve: Callable[..., Awaitable[HttpResponder]],
) -> None:
    srv = await serve()
    raw = b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nhello"
    assert _status(await _exchange(srv.port, raw, eof=True)) == 400


@pytest.mark.parametrize(
    "raw",
    [b"", b"GET / HTTP/1.1\r\n", b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nhello"],
    ids=["nothing", "half a head", "half a body"],
)
async def test_a_client_that_stalls_gets_408_at_the_deadline(
    serve: Callable[..., Awaitable[HttpResponder]], raw: bytes
) -> None:
    srv = await serve(read_timeout=0.2)
    data = await asyncio.wait_for(_exchange(srv.port, raw), 10)
    assert _status(data) == 408


async def test_a_failing_handler_answers_500_and_the_server_goes_on(
    serve: Callable[..., Awaitable[HttpResponder]],
) -> None:
    async def handler(request: Request) -> Response:
        if request.path == "/boom":
            raise RuntimeError("detail")
        if request.path == "/refused":
            raise HttpError(403)
        return text(200, "fine")

    srv = await serve(handler)
    boom = await _exchange(srv.port, b"GET /boom HTTP/1.1\r\n\r\n")
    assert _status(boom) == 500
    assert b"detail" not in boom
    assert _status(await _exchange(srv.port, b"GET /refused HTTP/1.1\r\n\r\n")) == 403
    assert _status(await _exchange(srv.port, b"GET / HTTP/1.1\r\n\r\n")) == 200


async def test_connections_past_the_cap_are_closed_at_once(
    serve: Callable[..., Awaitable[HttpResponder]],
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def handler(request: Request) -> Response:
        entered.set()
        await release.wait()
        return text(200, "done")

    srv = await serve(handler, max_connections=1)
    first = asyncio.create_task(_exchange(srv.port, b"GET / HTTP/1.1\r\n\r\n"))
    await asyncio.wait_for(entered.wait(), 10)  # the only slot is taken
    try:  # closed unanswered: an empty read, or a reset as the request was left unread
        refused = await asyncio.wait_for(_exchange(srv.port, b"GET / HTTP/1.1\r\n\r\n"), 10)
    except ConnectionResetError:
        refused = b""
    assert refused == b""
    release.set()
    assert _status(await asyncio.wait_for(first, 10)) == 200
    entered.clear()
    again = asyncio.create_task(_exchange(srv.port, b"GET / HTTP/1.1\r\n\r\n"))
    await asyncio.wait_for(entered.wait(), 10)  # the slot is free again
    assert _status(await asyncio.wait_for(again, 10)) == 200
