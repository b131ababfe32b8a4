"""Odd and hostile input: never an unhandled exception, always a polite answer or silence."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest
from structlog.testing import capture_logs

from intake.ops.metrics import Metrics
from intake.questionnaire import Questionnaire
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import running_bot


async def test_odd_updates_are_answered_politely_and_never_crash(
    fake: FakeBotApi,
    tmp_path: Path,
    sample: Questionnaire,
    staff: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with capture_logs() as logs:
        async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
            w = await ChatWitness.agreed(fake)
            question = w.last
            await fake.send_sticker(w.user)
            assert "not expected" in (await w.reply()).text  # type: ignore[operator]
            first = await fake.send_text(w.user, "/unknowncommand")
            assert "buttons" in ((await w.reply()).text or "")
            await fake.edit_text(w.user, first, "changed")
            assert "Edited" in ((await w.reply()).text or "")
            await fake.send_forwarded(w.user, "someone else's words")
            assert "Forwarded" in ((await w.reply()).text or "")
            await fake.send_media(w.user, "photo", b"not now")  # no media question yet
            assert "not expected" in ((await w.reply()).text or "")
            await fake.inline_query(w.user, "q")
            await fake.channel_post(-1001, "post")
            await fake.raw_update("future_update_type", {"id": 1, "anything": [1, 2]})
            stray = {"id": "c", "from": w.user.json(), "chat_instance": "i", "data": "1.x"}
            await fake.raw_update("callback_query", stray)  # a button press with no message
            await fake.wait_for(
                lambda: fake.pending_updates == 0 or fake.calls[-1][0] == "getUpdates"
            )
            # the conversation still works afterwards
            assert "detained" in ((await w.press("Yes", on=question)).text or "")
    # nothing failed: no event of ours and no library record is an error or has a traceback
    failed = [e for e in logs if e["log_level"] in ("error", "critical") or "exc_info" in e]
    assert failed == []  # e.g. bot_update_failed, from the bot's error handler
    assert [
        r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR
    ] == []


async def test_groups_and_channels_get_a_refusal_and_the_bot_leaves(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
        user = fake.user()
        await fake.group_message(user, -500, "/start", chat_type="group")
        refusal = await fake.next_reply(-500)
        assert "private chat" in (refusal.text or "")
        await fake.wait_for(lambda: fake.chat(-500).left)
        await fake.added_to_chat(user, -600, chat_type="supergroup")
        await fake.wait_for(lambda: fake.chat(-600).left)
        await fake.added_to_chat(user, -700, chat_type="channel")
        await fake.wait_for(lambda: fake.chat(-700).left)
        await fake.channel_post(-800, "a post in a channel the bot administers")
        await fake.wait_for(lambda: fake.chat(-800).left)


async def test_rate_limit_answers_clearly_and_keeps_state(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    limits = {"message": (4, 60), "submission": (1, 86400)}
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()], limits=limits):
        w = await ChatWitness.agreed(fake)  # 3 messages
        await w.press("Yes")  # 4th: still allowed
        limited = await w.say("10.08.2020")
        assert "wait a minute" in (limited.text or "")
        second = ChatWitness(fake, fake.user())  # others are not affected
        assert (await second.say("/start")).buttons
        await second.cancel()
        again = await second.say("/start")  # a second new draft today: over the quota of 1
        assert "started several conversations today" in (again.text or "")


async def test_file_over_the_limit_is_refused_with_its_size(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(
        fake, tmp_path / "d", sample, [staff.recipient()], max_file_bytes=1024 * 1024
    ) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("No")
        await w.press("Skip")  # treatment
        await w.press("A witness")
        await w.press("Skip")
        await w.press("Skip")  # location
        too_big = await w.send_file("document", b"\0" * (1024 * 1024 + 1), filename="big.bin")
        assert "1 MB" in (too_big.text or "")
        ok = await w.send_file("video", b"\0video" * 100)
        assert "1. video.mp4 — 600 bytes" in (ok.text or "")  # the files received, listed
        assert await rb.store.count_drafts() == 1


async def test_expired_draft_is_destroyed_and_its_chat_wiped(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    now = [1_800_000_000.0]
    async with running_bot(
        fake, tmp_path / "d", sample, [staff.recipient()], clock=lambda: now[0]
    ) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("Yes")
        assert w.visible()
        now[0] += 48 * 3600
        with capture_logs() as logs:
            assert await rb.flow.expire() == 1
        assert [e["count"] for e in logs if e["event"] == "drafts_expired"] == [1]  # once a sweep
        assert [m.text for m in w.visible()] == ["This session has ended."]
        assert await rb.store.count_drafts() == 0


async def test_concurrent_updates_of_one_witness_stay_in_order(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
        w = await ChatWitness.agreed(fake)
        await w.press("Yes")
        fake.latency = 0.01  # replies are slow; the answers arrive in one burst
        # date, place, then more typed before the next question showed: it joins the place
        for text in ("10.08.2020", "Place-A", "x"):
            await fake.send_text(w.user, text)
        replies = [await w.reply() for _ in range(3)]
        assert "Where were you held" in (replies[0].text or "")
        assert "What was done" in (replies[1].text or "")
        assert "Added to your answer to “Where were you held”" in (replies[2].text or "")


async def test_metrics_count_a_conversation_and_never_carry_its_content(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    metrics = Metrics()
    async with running_bot(
        fake, tmp_path / "d", sample, [staff.recipient()], metrics=metrics
    ) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("No")
        await w.press("Skip")
        await w.press("A witness")
        await w.say("CanaryMetric-31")  # not a number: rejected, re-asked
        await w.say("31")
        await w.press("Skip")
        await w.press("Skip")
        receipt, _ = await w.submit("Send")
        await w.wiped(keep=receipt)
        assert await rb.store.count_drafts() == 0
    exposition = generate_latest(metrics.registry).decode()
    assert "intake_conversations_started_total 1.0" in exposition
    assert "intake_conversations_submitted_total 1.0" in exposition
    assert "intake_submissions_sealed_total 1.0" in exposition
    assert 'intake_updates_total{kind="callback_query"}' in exposition
    assert metrics.last_telegram_ok is not None
    assert "CanaryMetric" not in exposition
    assert str(w.user.id) not in exposition


async def test_a_lone_surrogate_gets_an_answer_and_a_foreign_chat_is_ignored(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    """JSON may carry a lone UTF-16 surrogate (UTF-8 cannot): the witness still gets an answer.
    A private message whose chat is not its sender's (only a forged Bot API endpoint makes one)
    never acts in that other witness's conversation."""
    with capture_logs() as logs:
        async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
            a, b = await ChatWitness.agreed(fake), await ChatWitness.agreed(fake)
            _, payload = fake._user_message(a.user, text="\ud800abc")
            await fake.push_update("message", payload, force=True)
            assert (await a.reply()).text
            shown = len(fake.chat(b.chat_id).bot_events)
            _, payload = fake._user_message(a.user, text="/delete")
            payload["chat"] = {"id": b.user.id, "type": "private", "first_name": "B"}
            await fake.push_update("message", payload, force=True)
            await fake.send_text(a.user, "/help")  # applied after the forged one
            assert (await a.reply()).text
            assert len(fake.chat(b.chat_id).bot_events) == shown
            assert "detained" in ((await b.press("Yes", on=b.last)).text or "")
    assert [e for e in logs if e["log_level"] in ("error", "critical")] == []
