"""The connection pool: keep-alive reuse, at most ``size`` connections, and never a connection the
server has closed or that sat idle too long."""

from __future__ import annotations

import asyncio

from bot.connpool import ConnectionPool
from bot.http1 import read_answer, request_head
from bot.lean_request import LeanRequest, default_tls
from tests.support.rawserver import RawConn, RawServer, ok, serve_ok

PATH = "/bot1:x/getMe"


async def test_sequential_calls_share_one_connection() -> None:
    request = LeanRequest()
    await request.initialize()
    async with RawServer(serve_ok) as server:
        for _ in range(20):
            assert (await request.do_request(server.url(PATH), "POST"))[0] == 200
        assert len(server.connections) == 1
        assert len(server.connections[0].requests) == 20
    await request.shutdown()


async def test_concurrent_calls_use_at_most_size_connections() -> None:
    in_flight = 0
    most = 0
    gate = asyncio.Event()

    async def counting(conn: RawConn) -> None:
        nonlocal in_flight, most
        while await conn.request() is not None:
            in_flight += 1
            most = max(most, in_flight)
            if most == 3:
                gate.set()
            await gate.wait()  # hold every answer until three are in flight at once
            in_flight -= 1
            conn.send(ok())

    request = LeanRequest(connection_pool_size=3, pool_timeout=None)
    await request.initialize()
    async with RawServer(counting) as server:
        calls = [request.do_request(server.url(PATH), "POST") for _ in range(12)]
        assert [status for status, _ in await asyncio.gather(*calls)] == [200] * 12
        assert most == 3
        assert len(server.connections) == 3
    await request.shutdown()


async def test_a_connection_the_server_closed_is_not_reused() -> None:
    async def once(conn: RawConn) -> None:
        await conn.request()
        conn.send(ok())  # keep-alive framing, then the server closes anyway

    pool = ConnectionPool(2, default_tls)
    async with RawServer(once) as server:
        origin = ("http", "127.0.0.1", server.port)
        deadline = asyncio.get_running_loop().time() + 5
        wire = await pool.acquire(origin, 1.0, deadline)
        await wire.write(request_head("POST", PATH, "x", {"Content-Length": "0"}), deadline)
        answer = await read_answer(wire, 1024, deadline)
        assert answer.reusable
        pool.release(origin, wire, answer.reusable)
        await server.closed.wait()
        for _ in range(10_000):  # until this loop has seen the server's FIN (an event, not time)
            if not wire.idle_clean:
                break
            await asyncio.sleep(0)
        again = await pool.acquire(origin, 1.0, deadline)
        assert again is not wire
        assert len(server.connections) == 2
        pool.release(origin, again, reusable=False)
    pool.close()


async def test_idle_connections_expire() -> None:
    pool = ConnectionPool(2, default_tls, idle_timeout=0.0)
    async with RawServer(serve_ok) as server:
        origin = ("http", "127.0.0.1", server.port)
        deadline = asyncio.get_running_loop().time() + 5
        first = await pool.acquire(origin, 1.0, deadline)
        pool.release(origin, first, reusable=True)
        second = await pool.acquire(origin, 1.0, deadline)
        assert second is not first
        pool.release(origin, second, reusable=False)
    pool.close()
