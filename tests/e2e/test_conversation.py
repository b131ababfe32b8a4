"""The conversation as a frightened witness on a phone lives it (issue 11), on the fake Bot API:
what stays in the chat, one answer in several messages, destroying asks first, honest limits,
commands in the witness's language, and a limit that says what it counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from intake import engine
from intake.questionnaire import Questionnaire, load_default
from tests.support.channels import ChatWitness
from tests.support.clock import Clock
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.api import Msg
from tests.support.fakebot.harness import running_bot
from tests.support.sealing import open_sealed, sealed_files

# Words that would tell a checkpoint officer what the chat was for (en, be, ru, uk stems).
TELLING = (
    "testimon", "sent", "send", "submit", "report", "receipt", "code", "write", "police",
    "сведч", "адпра", "дасл", "код", "напіш", "свидет", "отправ", "напиш", "свідч", "надісл",
    "надсил", "поліц", "міліц", "милиц",
)  # fmt: skip


async def to_review(w: ChatWitness) -> Msg:
    """The sample questionnaire's short path: not detained, a witness of 3 people."""
    await w.press("No")  # detained
    await w.press("Skip")  # what was done
    await w.press("A witness")
    await w.say("3")
    await w.press("Skip")  # where
    return await w.press("Skip")  # files: the review


def test_the_lines_that_stay_in_the_chat_say_nothing_in_any_language() -> None:
    q = load_default()
    for lang in q.languages:
        for outcome in ("submitted", "cancelled", "declined", "expired"):
            line = engine.closing_prompt(q, lang, outcome).text.lower()
            assert not [w for w in TELLING if w in line], (lang, outcome, line)
        deleted = q.strings(lang)["telegram.deleted"].lower()  # what /delete leaves
        assert not [w for w in TELLING if w in deleted], (lang, deleted)


async def test_after_submit_only_a_neutral_line_stays_and_the_receipt_goes_too(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    clock = Clock()
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()], clock=clock) as rb:
        w = await ChatWitness.agreed(fake)
        await to_review(w)
        closing, thanks = await w.submit("Send", close=False)
        assert closing.text == "Done. Thank you."
        assert closing.buttons == []
        (sealed,) = sealed_files(rb.store)
        receipt = json.loads(open_sealed(sealed, staff)["submission.json"])["receipt"]
        assert receipt in (thanks.text or "")  # shown once, in a message deleted too
        assert [m.message_id for m in w.visible()] == [closing.message_id, thanks.message_id]
        await fake.wait_for(lambda: rb.flow.held.held(w.chat_id, "receipt"))  # to go later
        clock.now += 601  # nobody pressed OK: the sweep removes it
        await rb.flow.expire()
        await w.wiped(keep=closing)

        other = await ChatWitness.agreed(fake)
        await to_review(other)
        kept, _ = await other.submit("Send", close=False)
        await other.say("/start")  # the next message removes it as well
        chat = fake.chat(other.chat_id)
        await fake.wait_for(lambda: [m.text for m in chat.visible()][:1] == [kept.text])
        assert not [m for m in chat.visible() if m.text and receipt[:4] in m.text]


async def test_a_pasted_story_split_by_telegram_stays_one_answer(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("Yes")
        await w.say("10.08.2020")
        await w.say("Okrestina")
        await w.press("Beaten")
        injuries = await w.press("Done")
        assert "Describe any injuries" in (injuries.text or "")
        # two messages sent before the next question reached the phone: one answer
        await fake.send_text(w.user, "Black uniforms, balaclavas.")
        await fake.send_text(w.user, "And a grey minibus without plates.")
        assert "You are" in ((await w.reply()).text or "")
        joined = await w.reply()
        assert "Added to your answer to “Describe any injuries”" in (joined.text or "")
        # one more, soon after, where it cannot be an answer: the witness is asked
        held = await w.say("It was near the metro.")
        assert "It was near the metro." in (held.text or "")
        assert "does not fit the question above" in (held.text or "")
        await w.press("Add it to my previous answer")
        await w.press("A witness")
        await w.say("3")
        await w.press("Skip")
        review = await w.press("Skip")
        assert "And a grey minibus without plates.\nIt was near the metro." in (review.text or "")
        # a long answer can be continued later, from the review
        await w.press("Change an answer")
        await w.press("5.")  # injuries
        asked = await w.say("Also a cut above my eye.")
        assert "Add this message to it, or replace it?" in (asked.text or "")
        review = await w.press("Add it to my answer")
        assert "Change an answer" in str(review.buttons)
        await w.submit("Send")
        (sealed,) = sealed_files(rb.store)
        answers = json.loads(open_sealed(sealed, staff)["submission.json"])["answers"]
        story = next(a["value"] for a in answers if a["question_id"] == "injuries")
        assert story == (
            "Black uniforms, balaclavas.\nAnd a grey minibus without plates.\n"
            "It was near the metro.\nAlso a cut above my eye."
        )


async def test_a_held_message_is_never_swallowed_by_what_is_typed_next(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("Yes")
        await w.say("10.08.2020")
        await w.say("Okrestina")
        held = await w.say("A minibus.")  # cannot answer "how were you treated"
        assert "does not fit the question above" in (held.text or "")
        assert "Skip" not in str(held.buttons)
        assert "Back" not in str(held.buttons)
        refused = await w.say("/skip")  # not a way round the question: asked again
        assert "First say where your message goes" in (refused.text or "")
        more = await w.say("No badges.")
        assert "A minibus.\nNo badges." in (more.text or "")
        await w.press("Add it to my previous answer")
        await w.press("Beaten")
        await w.press("Done")
        await w.say("Bruises.")
        await w.press("A witness")
        await w.say("3")
        await w.press("Skip")
        review = await w.press("Skip")
        assert "Okrestina\nA minibus.\nNo badges." in (review.text or "")
        await w.submit("Send")
        (sealed,) = sealed_files(rb.store)
        answers = json.loads(open_sealed(sealed, staff)["submission.json"])["answers"]
        place = next(a["value"] for a in answers if a["question_id"] == "place_held")
        assert place == "Okrestina\nA minibus.\nNo badges."


async def test_cancel_asks_first_and_says_what_goes(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        question = await w.press("Yes")
        asked = await w.press("Cancel and delete")
        assert "Delete everything? This deletes 1 answer and clears this chat." in (
            asked.text or ""
        )
        assert await rb.store.count_drafts() == 1  # nothing destroyed yet
        back = await w.press("No, go on")
        assert back.text == question.text
        await w.say("/cancel")  # the typed command asks too
        closing = await w.press("Yes, delete everything")
        await w.wiped(keep=closing)
        assert await rb.store.count_drafts() == 0


async def test_consent_says_how_long_and_the_witness_is_warned_before_expiry(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    clock = Clock()
    async with running_bot(
        fake, tmp_path / "d", sample, [staff.recipient()], clock=clock, draft_ttl=6 * 3600
    ) as rb:
        w = ChatWitness(fake, fake.user("ru"))
        await w.say("/start")
        consent = await w.press("Русский")
        assert "максимум 6 часов" in (consent.text or "")  # the server's TTL, in words
        await w.press("Согласен")
        await w.press("Да")
        clock.now += 5.5 * 3600
        await rb.flow.expire()
        warning = await w.reply()
        assert "примерно через полчаса" in (warning.text or "")
        await rb.flow.expire()
        assert fake.drain_replies(w.chat_id) == []  # once
        clock.now += 3600
        assert await rb.flow.expire() == 1
        assert [m.text for m in w.visible()] == ["Этот сеанс завершён."]


async def test_commands_exist_and_speak_the_witness_language(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
        w = await ChatWitness.agreed(fake)
        await fake.wait_for(lambda: {"", "en", "ru"} <= set(fake.profile))
        for code in ("", "en", "ru"):
            names = [c["command"] for c in fake.profile[code]["commands"]]
            assert names == [
                "start",
                "followup",
                "help",
                "back",
                "skip",
                "language",
                "cancel",
                "delete",
                "x",
            ]
        assert fake.profile["ru"]["description"].startswith("Короткий опросник")
        assert fake.profile[""]["short_description"].startswith("A short questionnaire")
        help_text = (await w.say("/help")).text or ""
        for command in ("/back", "/skip", "/language", "/cancel", "/delete", "/x"):
            assert command in help_text
        skipped = await w.say("/skip")  # "Were you detained?" skipped: its branch is not asked
        assert "You are…" in (skipped.text or "")
        back = await w.say("/back")
        assert "Were you detained?" in (back.text or "")


async def test_the_daily_limit_counts_conversations_started_and_says_so(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    limits = {"message": (100, 60), "submission": (1, 86400)}
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()], limits=limits):
        w = await ChatWitness.agreed(fake)
        await w.cancel()
        assert "/start" in ((await w.say("hello")).text or "")  # one neutral line, once
        for _ in range(2):  # typing without a conversation opens none, and counts none
            await fake.send_text(w.user, "hello")
        limited = await w.say("/start")
        assert (limited.text or "").startswith("You have started several conversations today")
        assert "testimon" not in (limited.text or "")
