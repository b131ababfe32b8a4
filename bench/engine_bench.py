"""Engine and encrypted durable store benchmark: witnesses through the default questionnaire.

Every answer goes through ``IntakeService.handle``: load the encrypted draft, run the engine, seal
the new state under the draft key, commit (WAL, synchronous=FULL) — durable before the reply. Many
witnesses run concurrently, as on a busy bot, so the store can group their commits. Next to it, the
rate of bare single-row commits on the same disk (the physical floor of "durable before reply"),
measured in the same run. Pinned to one CPU core where the OS allows.

    .venv/bin/python -m bench.engine_bench [--witnesses 10000] [--concurrency 500]   (repo root)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import structlog

import crypto
from intake.questionnaire import Questionnaire, load_default
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import ServiceWitness
from tests.support.witness import Witness


def bare_commit_rate(folder: Path, seconds: float = 2.0) -> float:
    """Single-row INSERT + COMMIT per transaction, WAL, synchronous=FULL: commits per second."""
    conn = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
    payload = os.urandom(200)
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (v) VALUES (?)", (payload,))
        conn.execute("COMMIT")
        n += 1
    conn.close()
    return n / elapsed


STORY = "They took us to the district police station at night. "


async def witness(
    svc: IntakeService, q: Questionnaire, i: int, latencies: list[float], submits: list[float]
) -> None:
    """One witness from /start to the receipt; records the latency of every handle().

    The shared simulated witness of the tests answers: random choices, a story of one to four
    sentences in every text answer, no attachments."""
    rng = random.Random(i)
    tag = STORY * rng.randint(1, 4)
    person = ServiceWitness(svc, Witness.at_random(q, rng, tag=tag), svc.witness_key("bench", i))
    reply = await person.start()
    while reply.outcome != "submit":
        event = await person.event_for(reply.prompt)
        started = time.perf_counter()
        reply = await svc.handle(person.key, event)
        took = time.perf_counter() - started
        assert reply.outcome != "rejected", (event, reply.prompt.question_id, reply.prompt.stage)
        (submits if reply.outcome == "submit" else latencies).append(took)


async def run(folder: Path, witnesses: int, concurrency: int) -> dict[str, float]:
    """Serve ``witnesses`` with at most ``concurrency`` conversations in flight."""
    q = load_default()
    store = await Store.open(folder / "data")
    svc = IntakeService(store, q, [crypto.generate_identity().recipient()])
    latencies: list[float] = []
    submits: list[float] = []
    queue = iter(range(witnesses))

    async def worker() -> None:
        for i in queue:
            await witness(svc, q, i, latencies, submits)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    batches, items = store.writer.batches, store.writer.items
    await store.close()
    latencies.sort()
    return {
        "answers": len(latencies),
        "wall": wall,
        "answers_per_s": len(latencies) / wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "submits_per_s": len(submits) / wall,
        "submit_p50_ms": 1000 * statistics.median(submits),
        "writes_per_commit": items / max(batches, 1),
    }


def main() -> None:
    """Parse arguments, pin to one core, run both measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--witnesses", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--dir", type=Path, help="where to put the databases (default: a temp dir)")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        bare = bare_commit_rate(folder)
        r = asyncio.run(run(folder, args.witnesses, args.concurrency))
    print(f"witnesses: {args.witnesses} (concurrency {args.concurrency}), one core")
    print(f"answers: {r['answers']:.0f} in {r['wall']:.1f} s")
    print(f"answers/s: {r['answers_per_s']:.0f}")
    print(f"per answer: p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms")
    print(f"submits/s: {r['submits_per_s']:.0f} (p50 {r['submit_p50_ms']:.1f} ms, sealed + fsync)")
    print(f"writes per commit (group commit): {r['writes_per_commit']:.1f}")
    print(f"bare single-row commits/s (WAL, synchronous=FULL): {bare:.0f}")
    print(f"ratio answers/s ÷ bare commits/s: {r['answers_per_s'] / bare:.2f}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        "\n| run | answers/s | p50 / p99 per answer | submits/s | writes per commit "
        "| bare commits/s | ratio |\n|---|---|---|---|---|---|---|"
    )
    print(
        f"| concurrency {args.concurrency}, load {load:.1f} | **{r['answers_per_s']:,.0f}** "
        f"| {r['p50_ms']:.0f} / {r['p99_ms']:.0f} ms | {r['submits_per_s']:.0f} "
        f"| {r['writes_per_commit']:.0f} | {bare:,.0f} | **{r['answers_per_s'] / bare:.2f}** |"
    )


if __name__ == "__main__":
    main()
