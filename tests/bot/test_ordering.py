"""Updates of one witness are handled in order, different witnesses concurrently."""

from __future__ import annotations

import asyncio

import pytest

from bot.ordering import PerWitnessUpdateProcessor


class _Update:
    """Stands in for telegram.Update in the ordering key (only effective_user.id is read)."""

    def __init__(self, user: int) -> None:
        self.effective_user = type("U", (), {"id": user})()


async def test_ordering_serialises_one_user_and_not_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.ordering.ordering_key", lambda u: u.effective_user.id)
    processor = PerWitnessUpdateProcessor(16)
    gate, b_done = asyncio.Event(), asyncio.Event()
    log: list[str] = []

    async def step(name: str, wait: bool) -> None:
        log.append(f"start {name}")
        if wait:
            await gate.wait()
        log.append(f"end {name}")
        if name == "b1":
            b_done.set()

    tasks = [
        asyncio.create_task(processor.process_update(_Update(1), step("a1", True))),
        asyncio.create_task(processor.process_update(_Update(1), step("a2", False))),
        asyncio.create_task(processor.process_update(_Update(2), step("b1", False))),
    ]
    await asyncio.wait_for(b_done.wait(), 5)  # b1 finished while a1 still holds user 1's lock
    assert log == ["start a1", "start b1", "end b1"]
    gate.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["end a1", "start a2", "end a2"]
    assert processor.active_witnesses == 0
