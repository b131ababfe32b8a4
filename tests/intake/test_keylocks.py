"""Per-key locks (the service's per-witness lock and the bot's per-user ordering): one key at a
time, in the order asked, different keys concurrently, and nothing kept once idle."""

from __future__ import annotations

import asyncio

import pytest

from intake.keylocks import KeyLocks


async def test_one_key_runs_in_order_and_other_keys_run_meanwhile() -> None:
    locks: KeyLocks[str] = KeyLocks()
    log: list[str] = []
    gate = asyncio.Event()
    other_done = asyncio.Event()

    async def work(key: str, name: str, wait: bool) -> None:
        async with locks.hold(key):
            log.append(f"start {name}")
            if wait:
                await gate.wait()
            log.append(f"end {name}")
            if key == "b":
                other_done.set()

    tasks = [
        asyncio.create_task(work("a", "a1", True)),
        asyncio.create_task(work("a", "a2", False)),
        asyncio.create_task(work("a", "a3", False)),
        asyncio.create_task(work("b", "b1", False)),
    ]
    await asyncio.wait_for(other_done.wait(), 5)  # b ran while a1 still holds a's lock
    assert log == ["start a1", "start b1", "end b1"]
    assert len(locks) == 1  # a: held by a1, awaited by a2 and a3
    gate.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["end a1", "start a2", "end a2", "start a3", "end a3"]
    assert len(locks) == 0


async def test_the_lock_is_released_and_forgotten_when_the_block_raises() -> None:
    locks: KeyLocks[int] = KeyLocks()
    with pytest.raises(RuntimeError):
        async with locks.hold(1):
            raise RuntimeError("inside")
    assert len(locks) == 0
    async with locks.hold(1):  # free again
        assert len(locks) == 1


async def test_a_cancelled_waiter_leaves_nothing_behind() -> None:
    locks: KeyLocks[str] = KeyLocks()
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with locks.hold("k"):
            holding.set()
            await release.wait()

    async def waiter() -> None:
        async with locks.hold("k"):
            raise AssertionError("never reached")

    first = asyncio.create_task(holder())
    await asyncio.wait_for(holding.wait(), 5)
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0)  # let it start waiting (a scheduling step, not a timed wait)
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    release.set()
    await first
    assert len(locks) == 0
