"""The chat is cleaned whatever happens at submit — a SIGKILL while sealing, a stop while Telegram
refuses the clean-up, an outage longer than the retries — and what the bot shows for a while (the
receipt, lines in a chat without a draft) goes after a restart too, in its own time.

Before, the message ids lived only in the draft, which is destroyed before the clean-up runs: after
a SIGKILL while sealing an 18 MB attachment the chat kept all the bot's messages (the review
listing every answer) and the witness's own, and no receipt was ever delivered; the receipt's own
pending deletion, and the lines of chats without a draft, lived in memory only.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from bot.held import LOOSE_SECONDS, RECEIPT_SECONDS
from bot.retry import RetryPolicy
from intake.questionnaire import Questionnaire
from intake.store import Store
from tests.support.channels import ChatWitness
from tests.support.clock import Clock
from tests.support.fakebot import FakeBotApi, Msg
from tests.support.fakebot.harness import running_bot
from tests.support.fakebot.process import intake_env, intake_run_process
from tests.support.paths import SAMPLE_TOML

NEUTRAL = "Done. Thank you."
THANKS = "Your answers have arrived"
KILLS = 3
WAIT = 30.0


async def _review_with_a_file(w: ChatWitness, size: int) -> Msg:
    await w.say("/start")
    await w.press("English")
    await w.press("agree")
    await w.press("No")
    await w.press("Skip")  # treatment
    await w.press("A witness")
    await w.say("4")
    await w.press("Skip")  # location
    await w.send_file("document", os.urandom(size), filename="evidence.pdf")
    review = await w.press("Done")
    assert "Please check" in (review.text or "")
    return review


def _closed(w: ChatWitness) -> bool:
    """Nothing of the conversation is left but the neutral line, and under it the thank-you
    with the receipt (deleted on OK or in a few minutes)."""
    left = [(m.from_bot, (m.text or "")[: len(THANKS)]) for m in w.visible()]
    return left == [(True, NEUTRAL), (True, THANKS)]


def _left(w: ChatWitness) -> list[tuple[int, bool, str]]:
    return [(m.message_id, m.from_bot, (m.text or "")[:30]) for m in w.visible()]


async def _until_closed(fake: FakeBotApi, w: ChatWitness) -> Msg:
    """Wait for :func:`_closed`; the thank-you, whose OK is pressed next."""
    try:
        await fake.wait_for(lambda: _closed(w), WAIT)
    except TimeoutError:
        raise AssertionError(_left(w)) from None
    return w.visible()[-1]


async def _ok(fake: FakeBotApi, w: ChatWitness, thanks: Msg) -> None:
    await fake.press(w.user, thanks.message_id, thanks.button("OK"))
    await fake.wait_for(lambda: [m.text for m in w.visible()] == [NEUTRAL], WAIT)


async def _records(data: Path) -> list[str]:
    """The clean-up records left in a data dir (the bot stopped)."""
    store = await Store.open(data)
    try:
        return store.cleanups.ids()
    finally:
        await store.close()


def _sealed(data: Path) -> int:
    return len(list((data / "outbox").glob("*.age")))


async def test_sigkill_while_sealing_then_the_chat_is_closed_after_the_restart(
    fake: FakeBotApi, tmp_path: Path, staff: Any
) -> None:
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    for n in range(KILLS):
        run = tmp_path / f"run{n}"
        run.mkdir()
        env = intake_env(fake, run, staff, INTAKE_QUESTIONNAIRE=str(SAMPLE_TOML))
        w = ChatWitness(fake, fake.user())
        async with intake_run_process(fake, run, env) as proc:
            review = await _review_with_a_file(w, 8 * 1024 * 1024)
            await fake.press(w.user, review.message_id, review.button("Send"))
            update_id = fake.last_update_id
            await fake.wait_for(lambda: fake.delivered.get(update_id, 0) > 0)  # noqa: B023
            deadline = time.perf_counter() + rng.uniform(0, 0.2)  # a random instant of the seal
            while time.perf_counter() < deadline:
                pass
            proc.kill()
            await proc.wait()
        async with intake_run_process(fake, run, env):
            # the neutral line, and the receipt the witness had not seen before the kill
            await _ok(fake, w, await _until_closed(fake, w))
        assert _sealed(run / "data") == 1
        assert await _records(run / "data") == []  # every clean-up record shredded


async def test_a_stop_while_the_clean_up_fails_is_finished_after_the_restart(
    fake: FakeBotApi, tmp_path: Path, staff: Any
) -> None:
    env = intake_env(fake, tmp_path, staff, INTAKE_QUESTIONNAIRE=str(SAMPLE_TOML))
    w = ChatWitness(fake, fake.user())
    async with intake_run_process(fake, tmp_path, env) as proc:
        review = await _review_with_a_file(w, 1000)
        fake.faults.add("502", methods={"sendMessage", "deleteMessages"})
        injected = fake.faults.injected
        await fake.press(w.user, review.message_id, review.button("Send"))
        await fake.wait_for(lambda: fake.faults.injected >= injected + 2)
        proc.terminate()
        await proc.wait()
    assert len(w.visible()) >= 5  # everything is still there
    fake.faults.clear()
    async with intake_run_process(fake, tmp_path, env):
        await _ok(fake, w, await _until_closed(fake, w))
    assert _sealed(tmp_path / "data") == 1
    assert await _records(tmp_path / "data") == []


async def test_an_outage_longer_than_the_retries_is_cleaned_when_it_ends(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    brief = RetryPolicy(base=0.05, cap=0.2, deadline=1.0)  # gives up after a second
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()], retry=brief) as rb:
        w = ChatWitness(fake, fake.user())
        review = await _review_with_a_file(w, 1000)
        fake.faults.add("502", methods={"deleteMessages"})  # an outage of the deletions only
        await fake.press(w.user, review.message_id, review.button("Send"))
        press = fake.last_update_id
        # the press is applied (its handler gave up on the deletions) once it is confirmed
        await fake.wait_for(lambda: fake.delivered.get(press) and not fake.pending_updates)
        assert [m.text for m in w.visible() if m.text == NEUTRAL] == [NEUTRAL]
        assert len(w.visible()) >= 5  # the receipt waits until the chat is clean
        (left,) = rb.store.cleanups.ids()  # what is left to do, for the sweep
        fake.faults.clear()  # Telegram is back: the next round of the sweep finishes the job
        await rb.flow.expire()
        thanks = await _until_closed(fake, w)
        assert rb.store.cleanups.ids() != [left]  # narrowed to the receipt, until it goes
        await _ok(fake, w, thanks)
        await fake.wait_for(lambda: rb.store.cleanups.ids() == [])


async def test_the_receipt_outlives_a_sigkill_and_goes_at_the_next_message(
    fake: FakeBotApi, tmp_path: Path, staff: Any
) -> None:
    env = intake_env(fake, tmp_path, staff, INTAKE_QUESTIONNAIRE=str(SAMPLE_TOML))
    w = ChatWitness(fake, fake.user())
    async with intake_run_process(fake, tmp_path, env) as proc:
        await _review_with_a_file(w, 1000)
        _, thanks = await w.submit("Send", close=False)
        proc.kill()  # its deletion was pending in memory only, before
        await proc.wait()
    # (killed before the bot noted the receipt as shown, it is shown again after the restart)
    async with intake_run_process(fake, tmp_path, env) as proc:
        await fake.send_text(w.user, "hello")  # the next message removes it, as without a kill
        want = [NEUTRAL, "hello", "To begin, send /start."]
        await fake.wait_for(lambda: [m.text for m in w.visible()] == want, WAIT)
        assert fake.chat(w.chat_id).messages[thanks.message_id].deleted
        proc.kill()  # "hello" and the line were held in memory only, before
        await proc.wait()
    async with intake_run_process(fake, tmp_path, env):
        await fake.send_text(w.user, "/start")  # a conversation starts: what came before goes
        want = [NEUTRAL, "/start", "Choose a language."]
        try:
            await fake.wait_for(lambda: [(m.text or "")[:18] for m in w.visible()] == want, WAIT)
        except TimeoutError:
            raise AssertionError(_left(w)) from None
    assert await _records(tmp_path / "data") == []


async def _hold_a_receipt_and_a_line(
    fake: FakeBotApi, w: ChatWitness, someone: ChatWitness
) -> tuple[Msg, Msg, Msg]:
    """``w`` submits (the receipt is held), ``someone`` new says hello (held with the line);
    every update applied and confirmed."""
    await w.say("/start")
    await w.press("English")
    await w.press("agree")
    await w.press("No")
    await w.press("Skip")
    await w.press("A witness")
    await w.say("4")
    for _ in range(2):
        await w.press("Skip")
    closing, thanks = await w.submit("Send", close=False)
    line = await someone.say("hello")
    await fake.wait_for(lambda: not fake.pending_updates)
    return closing, thanks, line


async def test_held_messages_keep_their_time_after_a_crash(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    """Not early (the witness may still be reading the receipt), not never."""
    clock, data = Clock(), tmp_path / "d"
    w, someone = ChatWitness(fake, fake.user()), ChatWitness(fake, fake.user())
    async with running_bot(fake, data, sample, [staff.recipient()], clock=clock) as rb:
        closing, thanks, line = await _hold_a_receipt_and_a_line(fake, w, someone)
        rb.flow.held._chats.clear()  # what a SIGKILL does: the holds in memory are gone
    async with running_bot(fake, data, sample, [staff.recipient()], clock=clock) as rb:
        assert len(rb.store.cleanups.ids()) == 2  # held again, not deleted at the restart
        clock.now += min(RECEIPT_SECONDS, LOOSE_SECONDS) - 1
        await rb.flow.expire()
        assert [m.message_id for m in w.visible()] == [closing.message_id, thanks.message_id]
        assert [m.message_id for m in someone.visible()] == [someone.sent[0], line.message_id]
        clock.now += abs(RECEIPT_SECONDS - LOOSE_SECONDS) + 2
        await rb.flow.expire()
        await w.wiped(keep=closing)
        await someone.wiped()
        assert rb.store.cleanups.ids() == []


async def test_a_clean_stop_deletes_what_is_held_and_leaves_no_record(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    """A stop is what an operator does before a machine is moved or taken: no record naming a
    chat stays on the disk for the receipt's few minutes."""
    data = tmp_path / "d"
    w, someone = ChatWitness(fake, fake.user()), ChatWitness(fake, fake.user())
    async with running_bot(fake, data, sample, [staff.recipient()]) as rb:
        closing, _, _ = await _hold_a_receipt_and_a_line(fake, w, someone)
        assert len(rb.store.cleanups.ids()) == 2
    assert [m.message_id for m in w.visible()] == [closing.message_id]
    assert someone.visible() == []
    assert await _records(data) == []


def _refuse(fake: FakeBotApi, w: ChatWitness, how: str) -> None:
    """Telegram refuses the chat on the merits, as it does for good."""
    if how == "blocked":  # 403 Forbidden: bot was blocked by the user
        fake.blocked.add(w.chat_id)
    elif how == "gone":  # 400 Bad Request: chat not found
        fake.chat(w.chat_id).left = True
    else:  # 400 Bad Request: message can't be deleted (past 48 h)
        fake.undeletable.update(fake.chat(w.chat_id).messages)


def _deletions(fake: FakeBotApi, w: ChatWitness) -> int:
    return sum(
        1 for m, p in fake.calls if m.startswith("deleteMessage") and int(p["chat_id"]) == w.chat_id
    )


@pytest.mark.parametrize("how", ["blocked", "gone", "too_old"])
async def test_a_chat_telegram_refuses_for_good_is_not_retried_and_its_record_is_shredded(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any, how: str
) -> None:
    """The attacker's case: the witness blocked the bot the moment the chat was cleaned (as the
    threat model advises), the receipt could not be sent, and its clean-up record — the chat id,
    the message ids — stayed on the disk. A refusal no retry can change ends the clean-up."""
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]) as rb:
        w = ChatWitness(fake, fake.user())
        review = await _review_with_a_file(w, 1000)
        _refuse(fake, w, how)
        await fake.press(w.user, review.message_id, review.button("Send"))
        press = fake.last_update_id
        await fake.wait_for(lambda: fake.delivered.get(press) and not fake.pending_updates)
        if how == "too_old":  # the receipt is shown; OK finds its message undeletable too
            fake.undeletable.update(fake.chat(w.chat_id).messages)
            thanks = w.visible()[-1]
            await fake.press(w.user, thanks.message_id, thanks.button("OK"))
            ok = fake.last_update_id
            await fake.wait_for(lambda: fake.delivered.get(ok) and not fake.pending_updates)
        assert rb.store.cleanups.ids() == []
        tried = _deletions(fake, w)
        await rb.flow.expire()  # the sweep has nothing left to try
        assert _deletions(fake, w) == tried
        assert _sealed(tmp_path / "d") == 1


async def test_an_expired_draft_of_a_witness_who_blocked_the_bot_leaves_no_record(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    clock, data = Clock(), tmp_path / "d"
    async with running_bot(fake, data, sample, [staff.recipient()], clock=clock) as rb:
        w = await ChatWitness.agreed(fake)
        fake.blocked.add(w.chat_id)
        clock.now += 7 * 24 * 3600  # past any draft's time to live
        assert await rb.flow.expire() == 1
        assert rb.store.cleanups.ids() == []
        tried = _deletions(fake, w)
        await rb.flow.expire()
        assert _deletions(fake, w) == tried


async def test_a_held_receipt_whose_deletion_fails_oddly_goes_in_its_time_all_the_same(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    """An answer no retry covers (here: not JSON at all) when OK deletes the receipt: the
    record goes back to the sweep, which holds it again and deletes it when it is due."""
    clock = Clock()
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()], clock=clock) as rb:
        w, someone = ChatWitness(fake, fake.user()), ChatWitness(fake, fake.user())
        closing, thanks, _ = await _hold_a_receipt_and_a_line(fake, w, someone)
        fake.faults.add("garbage", calls=1, methods={"deleteMessages"})
        await fake.press(w.user, thanks.message_id, thanks.button("OK"))
        ok = fake.last_update_id
        await fake.wait_for(lambda: fake.delivered.get(ok) and not fake.pending_updates)
        assert fake.faults.injected
        assert not fake.chat(w.chat_id).messages[thanks.message_id].deleted
        await rb.flow.expire()  # handed out again, held again: not lost, not early
        assert len(rb.store.cleanups.ids()) == 2
        clock.now += max(RECEIPT_SECONDS, LOOSE_SECONDS) + 1
        await rb.flow.expire()
        await w.wiped(keep=closing)
        await someone.wiped()
        assert rb.store.cleanups.ids() == []
