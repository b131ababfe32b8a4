"""What a witness reads in the chat at the turns QA found awkward (in be/ru/uk/en): one copy of
the question asked, buttons named as shown, a photo at a text question kept with its words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from intake.questionnaire import Questionnaire
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import running_bot
from tests.support.sealing import open_sealed, sealed_files


def showing(w: ChatWitness, words: str) -> list[int]:
    """The bot's messages in the chat that show ``words``."""
    return [m.message_id for m in w.visible() if m.from_bot and words in (m.text or "")]


async def at_injuries(w: ChatWitness) -> None:
    await w.press("Yes")
    await w.say("10.08.2020")
    await w.say("Okrestina")
    await w.press("Beaten")
    assert "Describe any injuries" in ((await w.press("Done")).text or "")


async def test_a_split_message_leaves_one_copy_of_the_next_question(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
        w = await ChatWitness.agreed(fake)
        await at_injuries(w)
        # two messages sent before the next question reached the phone: one answer
        await fake.send_text(w.user, "Black uniforms, balaclavas.")
        await fake.send_text(w.user, "And a grey minibus without plates.")
        first = await w.reply()
        joined = await w.reply()
        assert "You are…" in (first.text or "")
        assert "Added to your answer to “Describe any injuries”" in (joined.text or "")
        await fake.wait_for(lambda: fake.chat(w.chat_id).messages[first.message_id].deleted)
        assert showing(w, "You are…") == [joined.message_id]
        # a refused answer is shown again once too, at the bottom, with its reason
        await w.press("A witness")
        await w.say("many")
        refused = await w.say("lots of them")
        assert "could not read a number" in (refused.text or "")
        await fake.wait_for(lambda: len(showing(w, "How many people")) == 1)
        assert showing(w, "How many people") == [refused.message_id]


async def test_the_review_footer_names_the_renamed_submit_button(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
        w = await ChatWitness.agreed(fake)
        assert "“Cancel and delete” or /cancel" in (w.last.text or "")  # type: ignore[union-attr]
        await w.press("No")
        await w.press("Skip")
        await w.press("A witness")
        await w.say("3")
        await w.press("Skip")
        review = await w.press("Skip")
        assert ("Send", review.button("Send")) in review.buttons
        assert "“Send” sends everything" in (review.text or "")
        assert "Submit" not in (review.text or "")


async def test_a_photo_at_a_text_question_is_kept_with_its_words_as_the_answer(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("Yes")
        asked = await w.say("10.08.2020")
        assert "Where were you held?" in (asked.text or "")
        photo = b"\xff\xd8\xff\xe0 a cell door"
        nxt = await w.send_file("photo", photo, caption="Okrestina, cell 12")
        assert "not expected" not in (nxt.text or "")
        assert "What was done to you?" in (nxt.text or "")  # the caption answered the question
        await w.press("Nothing of this")
        await w.press("Done")
        await w.press("A witness")
        await w.say("3")
        await w.press("Skip")
        review = await w.press("Skip")
        assert "3. Where were you held: Okrestina, cell 12 + 📎 1 file" in (review.text or "")
        await w.submit("Send")
        (sealed,) = sealed_files(rb.store)
        opened = open_sealed(sealed, staff)
        document = json.loads(opened["submission.json"])
        place = next(a for a in document["answers"] if a["question_id"] == "place_held")
        assert place["value"] == "Okrestina, cell 12"
        (attachment,) = document["attachments"]
        assert place["files"] == [attachment["path"]]
        assert attachment["question_id"] == "place_held"
        assert opened[attachment["path"]] == photo


async def test_the_expiry_warning_rounds_the_time_and_names_the_renamed_button(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    now = [1_800_000_000.0]
    async with running_bot(
        fake, tmp_path / "d", sample, [staff.recipient()], clock=lambda: now[0]
    ) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("Yes")
        now[0] += rb.store.draft_ttl - 29 * 60 - 20  # 29 minutes and 20 seconds left
        assert await rb.flow.warn_expiring() == 1
        warning = await w.reply()
        assert "ends in about half an hour" in (warning.text or "")
        assert "press “Send” before then" in (warning.text or "")
