"""Follow-up codes: what one derivation costs the server, and what one guess costs an attacker.

Measures, in the same run: one Argon2id derivation at the given parameters (production: 256 MiB,
t=3, p=1) with the HKDF labels after it — wall time (median of ``--rounds``), and the peak RSS a
fresh process grows by; ``--concurrency`` derivations at once through the service's
:class:`~intake.followup.deriver.Deriver` (throughput, and that peak memory stays at
concurrency × memory); and, as the reference, one HMAC-SHA-256 — what testing one guess of a
40-bit receipt against a keyed hash costs. The ratio is the factor by which the memory-hard step
slows a guesser down on this CPU (a GPU narrows it less for Argon2id than for HMAC: see
docs/threat-model.md, "Follow-up").

    .venv/bin/python -m bench.followup_bench [--memory-mib 256] [--iterations 3] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import statistics
import subprocess
import sys
import time

from crypto.followup import Argon2Params, derive_followup_keys
from intake.followup.deriver import Deriver
from intake.followup.kdfparams import FollowupParams

_PEAK = """
import sys
from crypto.followup import Argon2Params, derive_followup_keys
hwm = lambda: int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])
before = hwm()
derive_followup_keys(b"0" * 24, bytes(16), Argon2Params(int(sys.argv[1]), int(sys.argv[2]), 1))
print((hwm() - before) // 1024)
"""


def one_derivation(params: Argon2Params, rounds: int) -> float:
    """Median seconds of one derivation (Argon2id + the three HKDF labels)."""
    times = []
    for n in range(rounds):
        start = time.perf_counter()
        derive_followup_keys(f"{n:024d}".encode(), os.urandom(16), params)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_growth_mib(params: Argon2Params) -> int:
    """How much a fresh process's peak RSS grows for one derivation."""
    args = [str(params.memory_kib), str(params.iterations)]
    out = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, check=True)
    return int(out.stdout)


async def concurrent(params: Argon2Params, concurrency: int, count: int) -> float:
    """Derivations per second with ``count`` asked for at once, ``concurrency`` running."""
    deriver = Deriver(FollowupParams(os.urandom(16), params), concurrency)
    start = time.perf_counter()
    try:
        await asyncio.gather(*(deriver.derive(f"{n:024d}") for n in range(count)))
    finally:
        deriver.close()
    return count / (time.perf_counter() - start)


def hmac_seconds(rounds: int = 200_000) -> float:
    """Seconds of one HMAC-SHA-256 of a short message (testing one receipt guess)."""
    key = os.urandom(32)
    start = time.perf_counter()
    for n in range(rounds):
        hmac.new(key, n.to_bytes(8, "big"), hashlib.sha256).digest()
    return (time.perf_counter() - start) / rounds


def main() -> None:
    """Print the figures docs/benchmarks.md records."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mib", type=int, default=256)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    params = Argon2Params(args.memory_mib * 1024, args.iterations, 1)
    print(f"cpus: {os.cpu_count()}, parameters: {params.describe()}")
    seconds = one_derivation(params, args.rounds)
    print(f"one derivation: {seconds:.3f} s (median of {args.rounds})")
    print(f"peak RSS growth of one derivation: {peak_growth_mib(params)} MiB")
    rate = asyncio.run(concurrent(params, args.concurrency, 4 * args.concurrency))
    print(f"{args.concurrency} at once: {rate:.2f} derivations/s")
    reference = hmac_seconds()
    print(f"reference, one HMAC-SHA-256: {reference * 1e6:.2f} µs")
    print(f"ratio derivation / HMAC: {seconds / reference:,.0f}")
    guesses = 2**79.7 / 2  # half the code space, on average
    years = guesses * seconds / (365.25 * 86400)
    print(f"one core, half of 10^24 codes: {years:.2e} core-years")


if __name__ == "__main__":
    main()
