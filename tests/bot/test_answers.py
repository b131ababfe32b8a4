"""Button answers run beside the conversation: the witness's next update never waits for one, an
answer still comes only after the chat shows what comes next, and stopping the bot lets answers in
flight finish. On the fake Bot API, with answers held back until the test releases them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
from structlog.testing import capture_logs
from telegram import CallbackQuery
from telegram.error import BadRequest, NetworkError

from bot import answers
from bot.answers import CallbackAnswers
from bot.retry import RetryPolicy
from intake.questionnaire import Questionnaire
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import RunningBot, running_bot

FAST = RetryPolicy(base=0.001, cap=0.002, deadline=60.0)


@pytest.fixture
async def bot(
    fake: FakeBotApi, tmp_path: Path, staff: Any, sample: Questionnaire
) -> AsyncIterator[RunningBot]:
    async with running_bot(fake, tmp_path / "data", sample, [staff.recipient()]) as rb:
        yield rb


async def test_the_next_press_does_not_wait_for_the_last_answer(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    w = await ChatWitness.agreed(fake)
    answered = len(fake.callback_answers)
    gate = asyncio.Event()
    fake.faults.add("hold", methods={"answerCallbackQuery"}, gate=gate)
    treatment = await w.press("No")  # shown; its answer is held at the server
    role = await w.press("Skip", on=treatment)  # handled although that answer is still out
    assert role.button("A witness")
    assert len(fake.callback_answers) == answered
    assert bot.flow.answers.in_flight == 2
    gate.set()
    await fake.wait_for(lambda: len(fake.callback_answers) == answered + 2)


async def test_a_button_is_answered_after_its_prompt_is_shown(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    w = await ChatWitness.agreed(fake)
    await fake.wait_for(lambda: len(fake.callback_answers) == 2)  # English, agree
    for label in ("No", "Skip", "A witness"):
        before = len(fake.calls)
        query = await fake.press(w.user, w.last.message_id, w.last.button(label))  # type: ignore[union-attr]
        await fake.answer_to(query)
        await w.reply()
        methods = [m for m, _ in fake.calls[before:] if m != "getUpdates"]
        assert methods == ["editMessageText", "answerCallbackQuery"], label


async def test_stopping_lets_an_answer_in_flight_finish(
    fake: FakeBotApi, tmp_path: Path, staff: Any, sample: Questionnaire
) -> None:
    gate = asyncio.Event()
    async with running_bot(fake, tmp_path / "data", sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        fake.faults.add("hold", methods={"answerCallbackQuery"}, gate=gate)
        query = await fake.press(w.user, w.last.message_id, w.last.button("No"))  # type: ignore[union-attr]
        await w.reply()
        assert rb.flow.answers.in_flight == 1
        with capture_logs() as logs:
            gate.set()  # released while the bot stops
    assert (await fake.answer_to(query, wait=1))["callback_query_id"] == query
    assert not [e for e in logs if e["event"] == "callback_answer_failed"]


class _Query:
    """What CallbackAnswers uses of a CallbackQuery: ``answer``."""

    def __init__(self, *outcomes: BaseException | asyncio.Event | None) -> None:
        self.outcomes = list(outcomes)
        self.texts: list[str | None] = []
        self.finished = 0

    async def answer(self, text: str | None) -> bool:
        self.texts.append(text)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if isinstance(outcome, asyncio.Event):
            await outcome.wait()
        elif outcome is not None:
            raise outcome
        self.finished += 1
        return True


def _q(query: _Query) -> CallbackQuery:
    return cast(CallbackQuery, query)


async def test_answers_are_retried_shortened_and_their_failure_only_logged() -> None:
    calls = CallbackAnswers(FAST)
    flaky, old = _Query(NetworkError("x"), None), _Query(BadRequest("query is too old"))
    with capture_logs() as logs:
        calls.soon(_q(flaky), "n" * 500)
        calls.soon(_q(old), None)
        await calls.drain()
    assert flaky.texts == ["n" * 190, "n" * 190]  # retried; Telegram's limit is 200
    assert old.texts == [None]  # refused: not retried, not an error
    assert not [e for e in logs if e["event"] == "callback_answer_failed"]
    assert calls.policy.deadline == answers.ANSWER_DEADLINE  # never the 15-minute default


async def test_a_failed_answer_is_logged_by_kind() -> None:
    calls = CallbackAnswers(RetryPolicy(base=0.001, cap=0.001, deadline=0.01))
    down = _Query(*[NetworkError("down")] * 1000)
    with capture_logs() as logs:
        calls.soon(_q(down), None)
        await calls.drain()
    (failed,) = [e for e in logs if e["event"] == "callback_answer_failed"]
    assert failed["error"] == "GaveUpError"


async def test_drain_waits_for_answers_and_cancels_stuck_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(answers, "DRAIN_TIMEOUT", 0.05)
    calls = CallbackAnswers(FAST)
    release, never = asyncio.Event(), asyncio.Event()
    slow, stuck = _Query(release), _Query(never)
    calls.soon(_q(slow), None)
    calls.soon(_q(stuck), None)
    asyncio.get_running_loop().call_soon(release.set)
    await calls.drain()
    assert calls.in_flight == 0
    assert slow.finished == 1  # waited for
    assert stuck.texts == [None]
    assert stuck.finished == 0  # cancelled after DRAIN_TIMEOUT
