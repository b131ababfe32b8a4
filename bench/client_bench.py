"""CPU per Bot API call: our lean client (bot.lean_request) against PTB's HTTPXRequest.

Each client makes ``--calls`` calls to a loopback server that answers every request after 5 ms
(like a fast Bot API), with 1, 16 and 64 calls in flight; reported is the CPU time of the whole
process per call (the server's share included, the same for both) and the calls per second.
HTTPXRequest runs with 16 connections (the size our bot used) and 64.

    python -m bench.client_bench [--calls 2000]   (from the repo root)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable

from telegram.request import BaseRequest, HTTPXRequest

from bot.lean_request import LeanRequest
from tests.support.rawserver import RawConn, RawServer, ok

ANSWER = ok(b'{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}}')
CLIENTS: dict[str, Callable[[], BaseRequest]] = {
    "lean (64)": lambda: LeanRequest(connection_pool_size=64),
    "httpx (16)": lambda: HTTPXRequest(connection_pool_size=16, pool_timeout=30),
    "httpx (64)": lambda: HTTPXRequest(connection_pool_size=64, pool_timeout=30),
}


async def _answer_after_5_ms(conn: RawConn) -> None:
    while await conn.request() is not None:
        await asyncio.sleep(0.005)  # the server's latency, not a synchronisation
        conn.send(ANSWER)


async def measure(
    make: Callable[[], BaseRequest], in_flight: int, calls: int
) -> tuple[float, float]:
    """(µs of process CPU per call, calls per second)."""
    request = make()
    await request.initialize()
    async with RawServer(_answer_after_5_ms) as server:
        url = server.url("/bot1:x/sendMessage")

        async def worker(n: int) -> None:
            for _ in range(n):
                await request.do_request(url, "POST")

        await asyncio.gather(*(worker(10) for _ in range(in_flight)))  # connections opened
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(calls // in_flight) for _ in range(in_flight)))
        elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    await request.shutdown()
    done = calls // in_flight * in_flight
    return used / done * 1e6, done / elapsed


async def main(calls: int) -> None:
    print(f"{calls} calls per row, 5 ms server latency, load average {os.getloadavg()[0]:.2f}\n")
    print("| in flight | client | CPU per call | calls/s |")
    print("|---:|---|---:|---:|")
    for in_flight in (1, 16, 64):
        for name, make in CLIENTS.items():
            cpu, rate = await measure(make, in_flight, calls)
            print(f"| {in_flight} | {name} | {cpu:.0f} µs | {rate:.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    asyncio.run(main(parser.parse_args().calls))
