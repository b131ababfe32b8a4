"""Telegram bot throughput: N concurrent simulated witnesses through the fake Bot API server with
50 ms added to every Bot API call, compared in the same run with a minimal PTB echo bot.

Both bots face the same witnesses doing the same number of round trips (one message or button
press, then wait for the bot's answer). Ours commits every answer to SQLite (fsync), edits or sends
the next prompt, records message ids in the encrypted draft, and at the end seals the submission
(post-quantum age) and deletes the chat; the echo bot only echoes. Reported: conversations per
second, p50/p99 time from a witness's action to the next prompt, and our throughput as a ratio of
the echo bot's (target ≥ 0.5).

    python -m bench.bot_bench [--witnesses 50] [--latency 0.05] [--rounds 2]   (from the repo root)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import crypto
from intake.ops.logs import configure_logging
from intake.questionnaire import load
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.echo import build_echo
from tests.support.fakebot.harness import running_bot
from tests.support.paths import SAMPLE_TOML

# One conversation of the sample questionnaire: 10 witness actions, each waiting for the answer.
SCRIPT: list[tuple[str, str]] = [
    ("say", "/start"),
    ("press", "English"),
    ("press", "agree"),
    ("press", "No"),
    ("press", "Skip"),  # treatment
    ("press", "A witness"),
    ("say", "12"),
    ("press", "Skip"),  # location
    ("press", "Skip"),  # files
    ("press", "Send"),
]


async def _ours(w: ChatWitness, waits: list[float]) -> None:
    for kind, arg in SCRIPT:
        started = time.perf_counter()
        await (w.say(arg) if kind == "say" else w.press(arg))
        waits.append(time.perf_counter() - started)


async def _echo(w: ChatWitness, waits: list[float]) -> None:
    for n in range(len(SCRIPT)):
        started = time.perf_counter()
        await w.say(f"message {n}")
        waits.append(time.perf_counter() - started)


async def _conversations(
    fake: FakeBotApi,
    n: int,
    latency: float,
    conversation: Callable[[ChatWitness, list[float]], Awaitable[None]],
) -> tuple[float, list[float]]:
    """``n`` witnesses at once, each Bot API call delayed by ``latency``: elapsed s and waits."""
    fake.latency = latency
    waits: list[float] = []
    witnesses = [ChatWitness(fake, fake.user()) for _ in range(n)]
    started = time.perf_counter()
    await asyncio.gather(*(conversation(w, waits) for w in witnesses))
    elapsed = time.perf_counter() - started
    fake.latency = 0.0
    return elapsed, waits


def _summary(name: str, n: int, elapsed: float, waits: list[float]) -> dict[str, float]:
    ordered = sorted(waits)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    row = {
        "conversations_per_s": n / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": p99 * 1000,
        "elapsed_s": elapsed,
    }
    print(
        f"{name:5}  {row['conversations_per_s']:7.2f} conv/s  "
        f"p50 {row['p50_ms']:6.0f} ms  p99 {row['p99_ms']:6.0f} ms  ({elapsed:.1f} s)"
    )
    return row


async def bench_ours(n: int, latency: float, post_quantum: bool) -> dict[str, float]:
    fake = FakeBotApi()
    await fake.start()
    identity = crypto.generate_identity(post_quantum=post_quantum)
    limits = {"message": (10_000, 60), "submission": (10_000, 86400)}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with running_bot(
                fake, Path(tmp) / "data", load(SAMPLE_TOML), [identity.recipient()], limits=limits
            ):
                elapsed, waits = await _conversations(fake, n, latency, _ours)
    finally:
        await fake.stop()
    return _summary("ours", n, elapsed, waits)


async def bench_echo(n: int, latency: float) -> dict[str, float]:
    fake = FakeBotApi()
    await fake.start()
    app = build_echo(fake.token, fake.base_url)
    try:
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=10)
            elapsed, waits = await _conversations(fake, n, latency, _echo)
            await app.updater.stop()
            await app.stop()
    finally:
        await fake.stop()
    return _summary("echo", n, elapsed, waits)


async def main(n: int, latency: float, post_quantum: bool, rounds: int) -> float:
    configure_logging(os.environ.get("BENCH_LOG_LEVEL", "WARNING"), "console")  # own summary
    print(
        f"{n} concurrent witnesses, {latency * 1000:.0f} ms per Bot API call, {len(SCRIPT)} "
        f"round trips per conversation, best of {rounds} alternating rounds"
    )
    echo: list[dict[str, float]] = []
    ours: list[dict[str, float]] = []
    for _ in range(rounds):  # alternate, so a busy moment on the machine hits both alike
        echo.append(await bench_echo(n, latency))
        ours.append(await bench_ours(n, latency, post_quantum))
    best_echo = max(r["conversations_per_s"] for r in echo)
    best_ours = max(r["conversations_per_s"] for r in ours)
    ratio = best_ours / best_echo
    print(f"best: echo {best_echo:.2f} conv/s, ours {best_ours:.2f} conv/s")
    print(f"ratio ours/echo: {ratio:.2f} (target >= 0.5)")
    return ratio


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--witnesses", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Bot API call")
    parser.add_argument("--classic", action="store_true", help="X25519 instead of post-quantum")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; best counts")
    args = parser.parse_args()
    ratio = asyncio.run(main(args.witnesses, args.latency, not args.classic, args.rounds))
    sys.exit(0 if ratio >= 0.5 else 1)
