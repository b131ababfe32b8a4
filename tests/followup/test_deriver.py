"""Bounded derivations: never more at once than the bound, whatever the callers do."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

from crypto.followup import Argon2Params
from intake.followup.deriver import Deriver
from intake.followup.kdfparams import FollowupParams

CODE = "482109375512806422907315"


async def test_many_concurrent_derivations_run_at_most_the_bound_at_once() -> None:
    params = FollowupParams(bytes(16), Argon2Params(memory_kib=8 * 1024, iterations=1, lanes=1))
    deriver = Deriver(params, concurrency=2)
    threads_before = threading.active_count()
    try:
        results = await asyncio.gather(*(deriver.derive(f"{n:024d}") for n in range(12)))
    finally:
        deriver.close()
    assert deriver.peak == 2
    assert deriver.running == deriver.waiting == 0
    assert len({r.mailbox_tag for r in results}) == 12
    assert threading.active_count() <= threads_before + 2


# VmHWM, not ru_maxrss: the latter is kept across fork and exec, so a child would inherit this
# process's peak and hide its own
_MEASURE = """
import asyncio, sys
from crypto.followup import Argon2Params
from intake.followup.deriver import Deriver
from intake.followup.kdfparams import FollowupParams

async def main(concurrency: int) -> None:
    params = FollowupParams(bytes(16), Argon2Params(memory_kib=64 * 1024, iterations=2, lanes=1))
    deriver = Deriver(params, concurrency=concurrency)
    hwm = lambda: int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])
    before = hwm()
    await asyncio.gather(*(deriver.derive(f"{n:024d}") for n in range(8)))
    print((hwm() - before) // 1024)

asyncio.run(main(int(sys.argv[1])))
"""


def _peak_growth(concurrency: int) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(concurrency)], check=True, capture_output=True
    )
    return int(out.stdout)


def test_peak_memory_stays_within_the_bound() -> None:
    # 64 MiB per derivation, 8 asked for at once: with a bound of 2 the process grows by about
    # 128 MiB; the same run with a bound of 8 grows by about 512 MiB (the control)
    bounded = _peak_growth(2)
    assert bounded < 3 * 64, f"peak RSS grew by {bounded} MiB"  # 2 at once, not 3 or more
    assert _peak_growth(8) >= 5 * 64  # the measure sees a broken bound (8 × 64 MiB)


async def test_a_cancelled_caller_keeps_its_slot_until_the_thread_is_done() -> None:
    params = FollowupParams(bytes(16), Argon2Params(memory_kib=16 * 1024, iterations=2, lanes=1))
    deriver = Deriver(params, concurrency=1)
    try:
        task = asyncio.create_task(deriver.derive(CODE))
        await asyncio.sleep(0)  # one turn: an uncontended slot is taken without suspending
        assert deriver.running == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert deriver.busy  # the thread still holds the memory: the slot is still taken
        keys = await deriver.derive(CODE)  # waits for it, then runs
        assert keys.mailbox_tag
        assert deriver.peak == 1
    finally:
        deriver.close()
