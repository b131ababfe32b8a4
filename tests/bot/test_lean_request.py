"""LeanRequest keeps HTTPXRequest's contract with python-telegram-bot: real PTB calls over it on the
fake Bot API, statuses become PTB's errors (RetryAfter, InvalidToken…), every timeout is TimedOut
(the pool's with HTTPXRequest's message), everything else NetworkError — never quoting the URL,
whose path holds the token. TLS is checked against a local server with a self-signed certificate."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.lean_request import POOL_TIMEOUT_MESSAGE, LeanRequest
from tests.support.fakebot import FakeBotApi
from tests.support.rawserver import RawConn, RawServer, self_signed, serve_ok

TOKEN = "123456:SECRET-token-abcdefghijklmnopqrstuvwxyz"
PATH = f"/bot{TOKEN}/sendMessage"


def no_token(exc: BaseException) -> BaseException:
    for e in (exc, exc.__cause__):
        assert TOKEN not in str(e)
        assert TOKEN not in repr(e)
    return exc


@pytest.fixture
async def client() -> AsyncIterator[LeanRequest]:
    request = LeanRequest(read_timeout=2.0, connect_timeout=2.0, pool_timeout=0.2)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


def _bot(fake: FakeBotApi, request: LeanRequest) -> Bot:
    return Bot(
        fake.token,
        base_url=fake.base_url + "/bot",
        base_file_url=fake.base_url + "/file/bot",
        request=request,
        get_updates_request=LeanRequest(connection_pool_size=1, read_timeout=5),
    )


async def test_ptb_calls_the_fake_bot_api_over_it(fake: FakeBotApi) -> None:
    user = fake.user()
    await fake.send_text(user, "/start")
    async with _bot(fake, LeanRequest()) as bot:
        updates = await bot.get_updates(timeout=1)
        assert updates[0].message is not None
        assert updates[0].message.text == "/start"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Так", callback_data="1.yes")]])
        msg = await bot.send_message(user.id, "Свідчення — «x»", reply_markup=markup)
        shown = fake.chat(user.id).messages[msg.message_id]
        assert shown.text == "Свідчення — «x»"
        assert shown.buttons == [("Так", "1.yes")]
        assert await bot.edit_message_text("y", chat_id=user.id, message_id=msg.message_id)


async def test_statuses_become_ptbs_errors(fake: FakeBotApi) -> None:
    user = fake.user()
    await fake.send_text(user, "hi")
    async with _bot(fake, LeanRequest()) as bot:
        fake.faults.add("429", calls=1, retry_after=3)
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(user.id, "a")
        assert retry.value.retry_after.total_seconds() == 3  # type: ignore[union-attr]
        fake.faults.add("502", calls=1)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(user.id, "a")
        fake.faults.add("drop", calls=1)
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "a")
        assert (await bot.send_message(user.id, "back")).text == "back"
    revoked = Bot(
        "654321:revoked-token-abcdefghijklmnopqrstuv",
        fake.base_url + "/bot",
        request=LeanRequest(),
        get_updates_request=LeanRequest(),
    )
    with pytest.raises(InvalidToken):
        await revoked.initialize()


async def test_html_error_page_from_a_proxy_is_a_network_error(client: LeanRequest) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"

    async def script(conn: RawConn) -> None:
        await conn.request()
        head = f"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: {len(page)}"
        conn.send(head.encode() + b"\r\n\r\n" + page)

    async with RawServer(script) as server:
        with pytest.raises(NetworkError, match=r"Bad Gateway \(502\)") as info:
            await client.post(server.url(PATH))
    no_token(info.value)


async def test_all_connections_busy_is_a_pool_timeout() -> None:
    release = asyncio.Event()

    async def slow(conn: RawConn) -> None:
        await conn.request()
        await release.wait()
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")

    request = LeanRequest(connection_pool_size=1, pool_timeout=0.1)
    await request.initialize()
    async with RawServer(slow) as server:
        first = asyncio.create_task(request.do_request(server.url(PATH), "POST"))
        await _until(lambda: server.connections and server.connections[0].requests)
        with pytest.raises(TimedOut) as info:
            await request.do_request(server.url(PATH), "POST")
        assert info.value.message == POOL_TIMEOUT_MESSAGE
        release.set()
        assert await first == (200, b"{}")
    await request.shutdown()


async def _until(predicate: object, limit: int = 10_000) -> None:
    """Yield to the event loop until ``predicate()`` holds (what the test awaits is an event in
    another task on this loop, not time)."""
    for _ in range(limit):
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def test_refused_connection_is_a_network_error(client: LeanRequest) -> None:
    async with RawServer(serve_ok) as server:
        url = server.url(PATH)
    with pytest.raises(NetworkError, match="ConnectError") as info:
        await client.do_request(url, "POST")
    no_token(info.value)


async def test_unusable_url_never_echoes_the_token(client: LeanRequest) -> None:
    bad = ("ftp://x", "http://x:99999", "http://u:p@x", "http://[::1")
    for url in [f"{root}{PATH}" for root in bad] + [f"http://x/bot{TOKEN}/a b\n"]:
        with pytest.raises(NetworkError) as info:
            await client.post(url)
        no_token(info.value)


async def test_non_ascii_paths_are_percent_encoded(client: LeanRequest) -> None:
    async with RawServer(serve_ok) as server:
        await client.do_request(server.url(f"/file/bot{TOKEN}/documents/свідчення ü.pdf"), "GET")
        (request,) = server.connections[0].requests
    assert request.method == "GET"
    assert request.path.endswith(
        "/documents/%D1%81%D0%B2%D1%96%D0%B4%D1%87%D0%B5%D0%BD%D0%BD%D1%8F%20%C3%BC.pdf"
    )


async def test_a_server_that_never_reads_times_the_upload_out() -> None:
    async def deaf(conn: RawConn) -> None:
        await asyncio.Event().wait()  # reads nothing: the kernel buffers fill up

    async with RawServer(deaf) as server:
        request = LeanRequest()
        await request.initialize()
        bot = Bot(TOKEN, base_url=server.url("/bot"), request=request)
        with pytest.raises(TimedOut):
            await bot.send_document(1, b"x" * (64 << 20), filename="big.bin", write_timeout=0.3)
        await request.shutdown()


async def test_cancelled_request_does_not_leave_its_connection_for_reuse(
    client: LeanRequest,
) -> None:
    answered = asyncio.Event()

    async def script(conn: RawConn) -> None:
        if len(conn.requests) == 0 and not answered.is_set():
            await conn.request()
            answered.set()
            await asyncio.Event().wait()  # the first request is never answered
        await serve_ok(conn)

    async with RawServer(script) as server:
        task = asyncio.create_task(client.do_request(server.url(PATH), "POST"))
        await answered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert (await client.do_request(server.url(PATH), "POST"))[0] == 200
        assert len(server.connections) == 2


async def test_shutdown_closes_and_initialize_reopens(client: LeanRequest) -> None:
    async with RawServer(serve_ok) as server:
        assert (await client.do_request(server.url(PATH), "POST"))[0] == 200
        await client.shutdown()
        with pytest.raises(RuntimeError, match="not initialized"):
            await client.do_request(server.url(PATH), "POST")
        await client.initialize()
        assert (await client.do_request(server.url(PATH), "POST", read_timeout=None))[0] == 200


@pytest.fixture
def tls_server(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, cert


async def test_tls_with_a_trusted_certificate(tls_server: tuple[ssl.SSLContext, Path]) -> None:
    server_context, cert = tls_server
    trusted = ssl.create_default_context(cafile=str(cert))
    request = LeanRequest(tls=trusted)
    await request.initialize()
    async with RawServer(serve_ok, tls=server_context) as server:
        for host in ("localhost", "127.0.0.1"):
            assert await request.do_request(server.url(PATH, host), "POST") == (
                200,
                b'{"ok":true,"result":true}',
            )
        assert len(server.connections) == 2  # one per host name, each reused for nothing else
    await request.shutdown()


async def test_tls_refuses_an_untrusted_or_mismatched_certificate(
    tls_server: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    server_context, _ = tls_server
    (tmp_path / "other").mkdir()
    other, _key = self_signed(tmp_path / "other", "other.example", loopback=False)
    for client_context in (None, ssl.create_default_context(cafile=str(other))):
        request = LeanRequest(tls=client_context)
        await request.initialize()
        async with RawServer(serve_ok, tls=server_context) as server:
            with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED") as info:
                await request.do_request(server.url(PATH, "localhost"), "POST")
            no_token(info.value)
            assert server.connections == []  # the handshake failed: nothing was sent
        await request.shutdown()


async def test_stalled_tls_handshake_is_a_connect_timeout() -> None:
    async def silent(conn: RawConn) -> None:
        await asyncio.Event().wait()  # accepts TCP, never speaks TLS

    async with RawServer(silent) as server:
        request = LeanRequest(connect_timeout=0.2)
        await request.initialize()
        with pytest.raises(TimedOut):
            await request.do_request(f"https://127.0.0.1:{server.port}{PATH}", "POST")
        await request.shutdown()
