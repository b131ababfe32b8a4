"""SIGKILL right after ``intake run`` fetched a witness's message: the message is never lost.

python-telegram-bot's Updater confirms an update to Telegram (the next ``getUpdates`` offset) as
soon as it is queued, before a handler applied it; a kill in that window dropped the message for
good and the witness waited for a reply that never came. Here a real ``intake run`` is killed with
SIGKILL at a random instant (0–40 ms) after the fake Bot API handed it the witness's answer, twenty
times in one conversation, and restarted each time. Every answer must be answered by the next
question (never lost), exactly once (never applied twice), and the review lists all of them.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.channels import ChatWitness as Witness
from tests.support.fakebot import FakeBotApi, Msg
from tests.support.fakebot.process import intake_env, intake_run_process

KILLS = 20
REPLY_WAIT = 20.0  # a lost message is never answered: fail after this long


def _questionnaire(path: Path, questions: int) -> Path:
    lines = [
        'id = "kill-loop"',
        "version = 1",
        'languages = ["en"]',
        'default_language = "en"',
        "[consent]",
        'text.en = "Ready?"',
        'accept.en = "Yes"',
        'decline.en = "No"',
    ]
    for n in range(1, questions + 1):
        lines += ["[[questions]]", f'id = "q{n}"', 'type = "text"', f'prompt.en = "Question {n}."']
    path.write_text("\n".join(lines) + "\n")
    return path


async def _answered_by(w: Witness, n: int) -> Msg:
    """The bot's next message in the chat that shows question ``n``; fails on a later question
    (an answer applied twice) and times out if it never comes (an answer lost). Question ``n-1``
    may be shown again first: an update applied but not yet confirmed at the kill comes again,
    and the bot then shows the prompt current at that moment."""
    while True:
        try:
            msg = await w.fake.next_reply(w.chat_id, REPLY_WAIT)
        except TimeoutError:
            raise AssertionError(f"question {n} never came: {_story(w.fake)}") from None
        text = msg.text or ""
        shown = [k for k in range(1, KILLS + 2) if f"Question {k}." in text]
        assert shown in ([], [n - 1], [n]), f"expected question {n}, shown {shown}: {text!r}"
        if shown == [n]:
            w.last = msg
            return msg


def _story(fake: FakeBotApi) -> str:
    """What the fake saw: polls (offset), sends (question shown) and updates, for a failure."""
    out = []
    for name, p in fake.calls:
        if name == "getUpdates":
            out.append(f"poll@{p.get('offset')}")
        elif name == "sendMessage":
            out.append("send:" + "".join(c for c in str(p.get("text"))[:12] if c.isdigit()))
    return " ".join(out[-60:]) + f" delivered={dict(list(fake.delivered.items())[-8:])}"


def _kill_at_random(proc: Any, rng: random.Random) -> None:
    deadline = time.perf_counter() + rng.uniform(0, 0.04)  # a random instant, not a wait
    while time.perf_counter() < deadline:
        pass
    proc.kill()


@pytest.mark.slow
async def test_sigkill_after_fetch_never_loses_an_answer(
    fake: FakeBotApi, tmp_path: Path, staff: Any
) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    q = _questionnaire(tmp_path / "kill.toml", KILLS + 1)
    env = intake_env(
        fake,
        tmp_path,
        staff,
        INTAKE_QUESTIONNAIRE=str(q),
        INTAKE_RATE_MESSAGES_PER_MINUTE="1000",  # twenty answers in seconds, on purpose
    )
    # A minute between messages, as Telegram dates them: answers typed seconds apart would be
    # asked about ("more of your last answer?", intake.engine.joining), which is not under test.
    dates = itertools.count(int(time.time()), 60)
    fake._now = lambda: next(dates)  # type: ignore[method-assign]
    w = Witness(fake, fake.user())
    async with intake_run_process(fake, tmp_path, env):
        await w.say("/start")
        await w.press("Yes")
        assert "Question 1." in (w.last.text or "") if w.last else False
    for n in range(1, KILLS + 1):
        async with intake_run_process(fake, tmp_path, env) as proc:
            if n > 1:
                await _answered_by(w, n)
            await fake.send_text(w.user, f"Answer-{n}")
            update_id = fake.last_update_id
            await fake.wait_for(lambda: fake.delivered.get(update_id, 0) > 0)  # noqa: B023
            _kill_at_random(proc, rng)
            await proc.wait()
    async with intake_run_process(fake, tmp_path, env):
        await _answered_by(w, KILLS + 1)
        await fake.send_text(w.user, "Answer-last")
        try:
            review = await fake.wait_for(lambda: _review(fake, w.chat_id), REPLY_WAIT)
        except TimeoutError:
            texts = [m.text for _, m in fake.chat(w.chat_id).bot_events[-3:]]
            raise AssertionError(f"no review: {texts} {_story(fake)}") from None
        answers = re.findall(r"Answer-(\w+)", review.text or "")
        assert answers == [str(n) for n in range(1, KILLS + 1)] + ["last"], seed
        w.last = review
        await fake.press(w.user, review.message_id, review.button("Submit"))
        left = await fake.wait_for(lambda: _only_receipt(w), REPLY_WAIT)
        assert "Thank you" in (left.text or "")


def _review(fake: FakeBotApi, chat_id: int) -> Msg | None:
    shown = [m for _, m in fake.chat(chat_id).bot_events if "Answer-last" in (m.text or "")]
    return shown[-1] if shown else None


def _only_receipt(w: Witness) -> Msg | None:
    """The one message left in the chat once the conversation is wiped (the receipt)."""
    visible = w.visible()
    return visible[0] if len(visible) == 1 and visible[0].from_bot else None
