"""Telegram bot latency and throughput: N concurrent simulated witnesses through the fake Bot API
server with 50 ms added to every Bot API call, compared in the same run with a minimal PTB echo bot.

Both bots face the same witnesses doing the same number of round trips (one message or button
press, then wait for the bot's answer). Ours commits every answer to SQLite (fsync), edits or sends
the next prompt, answers the button, records message ids in the encrypted draft, and at the end
seals the submission (post-quantum age) and deletes the chat; the echo bot only echoes, through
PTB's default HTTPXRequest. Reported per witness count, as medians of alternating rounds:
conversations per second and p50/p99 time from a witness's action to the next prompt, and the
targets — p50 at 1 witness ≤ 1.2× the echo bot's, throughput at 100 witnesses ≥ 0.8× (and never
below 0.5×). Exit status 1 if a target is missed.

    python -m bench.bot_bench [--witnesses 1,50,100] [--latency 0.05] [--rounds 3]
                              [--client lean|httpx]                        (from the repo root)
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
from dataclasses import dataclass
from pathlib import Path

import crypto
from bot.request import HttpClient
from intake.ops.logs import configure_logging
from intake.questionnaire import load
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.echo import build_echo
from tests.support.fakebot.harness import running_bot
from tests.support.paths import SAMPLE_TOML

P50_TARGET = 1.2  # p50 time to the next prompt at 1 witness, ours ÷ echo: at most
THROUGHPUT_TARGET = 0.8  # conversations/s at 100 witnesses, ours ÷ echo: at least
FLOOR = 0.5  # conversations/s ours ÷ echo at any count (issue 11)
SAMPLES = 100  # round trips per round at least (1 witness: 10 conversations in a row)

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


async def _ours(w: ChatWitness, waits: list[float], repeat: int) -> None:
    for _ in range(repeat):  # a new conversation after each submit
        for kind, arg in SCRIPT:
            started = time.perf_counter()
            await (w.say(arg) if kind == "say" else w.press(arg))
            waits.append(time.perf_counter() - started)


async def _echo(w: ChatWitness, waits: list[float], repeat: int) -> None:
    for n in range(len(SCRIPT) * repeat):
        started = time.perf_counter()
        await w.say(f"message {n}")
        waits.append(time.perf_counter() - started)


Conversation = Callable[[ChatWitness, list[float], int], Awaitable[None]]


async def _conversations(
    fake: FakeBotApi, n: int, latency: float, conversation: Conversation
) -> Round:
    """``n`` witnesses at once, each Bot API call delayed by ``latency``."""
    repeat = max(1, SAMPLES // (n * len(SCRIPT)))  # enough round trips for a p50 at 1 witness
    fake.latency = latency
    waits: list[float] = []
    witnesses = [ChatWitness(fake, fake.user()) for _ in range(n)]
    started = time.perf_counter()
    await asyncio.gather(*(conversation(w, waits, repeat) for w in witnesses))
    elapsed = time.perf_counter() - started
    fake.latency = 0.0
    ordered = sorted(waits)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Round(n * repeat / elapsed, statistics.median(ordered) * 1000, p99 * 1000)


@dataclass(frozen=True)
class Round:
    """One bot's figures in one round."""

    conv_per_s: float
    p50_ms: float
    p99_ms: float


async def bench_ours(n: int, latency: float, post_quantum: bool, client: HttpClient) -> Round:
    fake = FakeBotApi()
    await fake.start()
    identity = crypto.generate_identity(post_quantum=post_quantum)
    limits = {"message": (100_000, 60), "submission": (100_000, 86400)}
    bot = {"limits": limits, "http_client": client}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            async with running_bot(fake, data, load(SAMPLE_TOML), [identity.recipient()], **bot):
                return await _conversations(fake, n, latency, _ours)
    finally:
        await fake.stop()


async def bench_echo(n: int, latency: float) -> Round:
    """The reference: a bare PTB echo bot with PTB's default HTTPXRequest (pool of 16, its best
    size at this load)."""
    fake = FakeBotApi()
    await fake.start()
    app = build_echo(fake.token, fake.base_url)
    try:
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=10)
            result = await _conversations(fake, n, latency, _echo)
            await app.updater.stop()
            await app.stop()
    finally:
        await fake.stop()
    return result


def _median(rounds: list[Round], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in rounds)


async def main(args: argparse.Namespace) -> bool:
    """Every witness count, echo and ours alternating round by round; True if targets are met."""
    configure_logging(os.environ.get("BENCH_LOG_LEVEL", "WARNING"), "console")  # own summary
    latency = args.latency
    print(
        f"{latency * 1000:.0f} ms per Bot API call, {len(SCRIPT)} round trips per conversation, "
        f"our client {args.client}, median of {args.rounds} alternating rounds, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    rows = []
    for n in args.witnesses:
        echo: list[Round] = []
        ours: list[Round] = []
        for _ in range(args.rounds):  # alternate, so a busy moment on the machine hits both alike
            echo.append(await bench_echo(n, latency))
            ours.append(await bench_ours(n, latency, not args.classic, args.client))
            for name, r in (("echo", echo[-1]), ("ours", ours[-1])):
                print(f"  {n:4} {name}  {r.conv_per_s:7.2f} conv/s  p50 {r.p50_ms:5.0f} ms"
                      f"  p99 {r.p99_ms:5.0f} ms")  # fmt: skip
        rows.append((n, echo, ours))
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print("| witnesses | echo conv/s | echo p50 / p99 | ours conv/s | ours p50 / p99 "
          "| conv/s ours ÷ echo | p50 ours ÷ echo |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|")
    met = True
    for n, echo, ours in rows:
        e_tp, o_tp = _median(echo, "conv_per_s"), _median(ours, "conv_per_s")
        e50, o50 = _median(echo, "p50_ms"), _median(ours, "p50_ms")
        e99, o99 = _median(echo, "p99_ms"), _median(ours, "p99_ms")
        print(f"| {n} | {e_tp:.2f} | {e50:.0f} / {e99:.0f} ms | {o_tp:.2f} | {o50:.0f} / "
              f"{o99:.0f} ms | {o_tp / e_tp:.2f} | {o50 / e50:.2f} |")  # fmt: skip
        if n == 1:
            ok = o50 / e50 <= P50_TARGET
            print(f"  p50 at 1 witness {o50 / e50:.2f}x echo (target <= {P50_TARGET}): "
                  f"{'met' if ok else 'MISSED'}")  # fmt: skip
            met &= ok
        if n >= 100:
            ok = o_tp / e_tp >= THROUGHPUT_TARGET
            print(f"  throughput at {n} witnesses {o_tp / e_tp:.2f}x echo (target >= "
                  f"{THROUGHPUT_TARGET}): {'met' if ok else 'MISSED'}")  # fmt: skip
            met &= ok
        met &= o_tp / e_tp >= FLOOR
    return met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--witnesses",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[1, 50, 100],
        help="comma-separated witness counts (default 1,50,100)",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Bot API call")
    parser.add_argument("--classic", action="store_true", help="X25519 instead of post-quantum")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians count")
    parser.add_argument("--client", choices=["lean", "httpx"], default="lean", help="our client")
    sys.exit(0 if asyncio.run(main(parser.parse_args())) else 1)
