"""Nothing stays in a chat without a draft (issue 11, point 2): a message before /start, "hello"
from someone new, anything typed after a submit, a rate-limit notice. The chat gets one neutral
line, once; the witness's messages and that line go when a conversation starts, or after a while.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.held import LOOSE_SECONDS
from intake.questionnaire import Questionnaire
from tests.support.channels import ChatWitness
from tests.support.clock import Clock
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import RunningBot, running_bot

LINE = "To begin, send /start."


async def _applied(fake: FakeBotApi) -> None:
    """Every update sent so far is applied (the bot confirms an update only then)."""
    last = fake.last_update_id
    await fake.wait_for(lambda: fake.delivered.get(last) and not fake.pending_updates)


async def _later(rb: RunningBot, clock: Clock, seconds: float) -> None:
    clock.now += seconds
    await rb.flow.expire()  # one round of the sweep (every minute in production)


async def test_someone_new_gets_one_line_and_nothing_stays(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any, clock: Clock
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()], clock=clock) as rb:
        w = ChatWitness(fake, fake.user("ru"))
        line = await w.say("hello")
        assert line.text == "Чтобы начать, отправьте /start."  # once, in their language
        await fake.send_text(w.user, "is anyone there?")
        await fake.send_location(w.user, 53.9, 27.56)
        await _applied(fake)
        assert fake.drain_replies(w.chat_id) == []  # no second line
        await _later(rb, clock, LOOSE_SECONDS + 1)
        await w.wiped()


async def test_a_photo_before_start_goes_when_the_conversation_starts(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any, clock: Clock
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()], clock=clock):
        w = ChatWitness(fake, fake.user())
        refused = await w.send_file("photo", os.urandom(10_000), caption="CanaryEarly")
        assert "not expected" in (refused.text or "")
        await w.say("/start")
        await fake.wait_for(lambda: refused.message_id not in [m.message_id for m in w.visible()])
        assert w.sent[0] not in [m.message_id for m in w.visible()]  # the photo is gone too
        await w.press("English")
        await w.press("agree")
        await w.say("/cancel")
        closing = await w.press("Yes, delete everything")
        await w.wiped(keep=closing)


async def test_after_a_submit_only_the_neutral_line_stays(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any, clock: Clock
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()], clock=clock) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("No")
        await w.press("Skip")
        await w.press("A witness")
        await w.say("4")
        await w.press("Skip")
        await w.press("Skip")
        await w.press("Send")
        await fake.wait_for(lambda: len(w.visible()) == 2)  # the neutral line, the thank-you
        neutral = w.visible()[0]
        fake.drain_replies(w.chat_id)
        line = await w.say("thank you")
        assert line.text == LINE
        await _applied(fake)
        await _later(rb, clock, LOOSE_SECONDS + 1)
        await w.wiped(keep=neutral)


async def test_a_rate_limit_notice_without_a_draft_goes_too(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any, clock: Clock
) -> None:
    limits = {"message": (1, 60), "submission": (5, 86400)}
    async with running_bot(
        fake, tmp_path / "d", sample, [staff.recipient()], clock=clock, limits=limits
    ) as rb:
        w = ChatWitness(fake, fake.user())
        assert (await w.say("hello")).text == LINE
        assert "very fast" in ((await w.say("hello again")).text or "")
        await _applied(fake)
        await _later(rb, clock, LOOSE_SECONDS + 1)
        await w.wiped()
