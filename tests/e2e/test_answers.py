"""What a witness can give as an answer, on the fake Bot API (issue 11): files that are never
dropped silently, a voice message for the story, rough numbers and dates without a year, and
the small frictions of the review and the buttons."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from intake.questionnaire import Questionnaire
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import running_bot
from tests.support.sealing import open_sealed, sealed_files

PHOTO = b"\xff\xd8\xff\xe0" + b"canary-photo" * 200
VOICE = b"OggS" + b"canary-voice" * 300


def sealed_answers(store: Any, staff: Any) -> dict[str, Any]:
    (sealed,) = sealed_files(store)
    sub = json.loads(open_sealed(sealed, staff)["submission.json"])
    return {**sub, "answers": {a["question_id"]: a for a in sub["answers"]}}


async def to_files(w: ChatWitness) -> None:
    await w.press("No")
    await w.press("Skip")
    await w.press("A witness")
    await w.say("3")
    files = await w.press("Skip")
    assert "Photos or documents?" in (files.text or "")
    assert (files.text or "").count("as a file") == 1  # one tip, from the bot


async def test_files_are_listed_removable_kept_on_edit_and_never_dropped_by_skip(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        await to_files(w)
        await w.send_file("photo", PHOTO)
        listed = await w.send_file("document", b"%PDF canary", filename="report.pdf")
        assert "1. photo.jpg — 2 KB\n2. report.pdf — 11 bytes" in (listed.text or "")
        removed = await w.press("✕ 1")
        assert "Removed: photo.jpg." in (removed.text or "")
        assert "1. report.pdf" in (removed.text or "")
        asked = await w.press("Skip")  # a file is pending: asked, not dropped
        assert "You have sent 1 file here. Keep it, or discard it" in (asked.text or "")
        review = await w.press("Keep them and go on")
        assert "Photos or documents: 1 file" in (review.text or "")
        await w.press("Change an answer")
        editing = await w.press("6.")  # the files: the edit starts from what was sent
        assert "1. report.pdf" in (editing.text or "")
        await w.send_file("video", b"\0video" * 10)
        review = await w.press("Done")
        assert "Photos or documents: 2 files" in (review.text or "")
        await w.submit("Send")
        sub = sealed_answers(rb.store, staff)
        assert [a["filename"] for a in sub["attachments"]] == ["report.pdf", "video.mp4"]


async def test_back_with_files_sent_keeps_them_and_says_so(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        await to_files(w)
        await w.send_file("photo", PHOTO)
        await w.send_file("document", b"%PDF canary", filename="report.pdf")
        back = await w.press("Back")  # no Done pressed: the files are the answer, and it says so
        assert "Saved as your answer to “Photos or documents”: 2 files." in (back.text or "")
        again = await w.press("Skip")  # forward again: the files are there to remove or confirm
        assert "1. photo.jpg — 2 KB\n2. report.pdf — 11 bytes" in (again.text or "")
        review = await w.press("Done")
        assert "Photos or documents: 2 files" in (review.text or "")
        await w.submit("Send")
        sub = sealed_answers(rb.store, staff)
        assert [a["filename"] for a in sub["attachments"]] == ["photo.jpg", "report.pdf"]


async def test_a_voice_message_answers_the_story_and_is_sealed_with_it(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("Yes")
        await w.say("10.08.2020")
        await w.say("Okrestina")
        await w.press("Beaten")
        story = await w.press("Done")
        assert "a voice can be recognised" in (story.text or "")  # said before, not after
        got = await w.send_file("voice", VOICE)
        assert "1. 🎤 Voice message — 4 KB" in (got.text or "")
        role = await w.say("Bruises on my back.")  # text to go with it
        assert "You are" in (role.text or "")
        refused = await w.send_file("voice", VOICE)  # not where a choice is asked
        assert "not expected" in (refused.text or "")
        await w.press("A witness", on=role)
        await w.say("3")
        await w.press("Skip")
        review = await w.press("Skip")
        assert "Bruises on my back. + 🎤 1 voice message" in (review.text or "")
        await w.submit("Send")
        sub = sealed_answers(rb.store, staff)
        injuries = sub["answers"]["injuries"]
        assert injuries["value"] == "Bruises on my back."
        (voice,) = sub["attachments"]
        assert injuries["files"] == [voice["path"]]
        assert voice["question_id"] == "injuries"
        assert voice["mime"] == "audio/ogg"


async def test_rough_numbers_and_dates_without_a_year_keep_what_was_written(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("Yes")
        year = await w.say("10 August")
        assert "Which year was it?" in (year.text or "")
        await w.say("2020")
        await w.say("Okrestina")
        await w.press("Skip")
        await w.press("A witness")
        people = await w.say("about 5")
        assert "Where did it happen?" in (people.text or "")
        await w.press("Skip")
        review = await w.press("Skip")
        assert "How many people were detained: about 5" in (review.text or "")
        await w.submit("Send")
        answers = sealed_answers(rb.store, staff)["answers"]
        assert answers["when_detained"]["value"] == "2020-08-10"
        assert answers["when_detained"]["written"] == "10 August 2020"
        assert answers["people"]["value"] == 5
        assert answers["people"]["approximate"] is True
        assert answers["people"]["written"] == "about 5"


async def test_less_friction_at_the_review_and_on_the_buttons(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
        w = await ChatWitness.agreed(fake)
        lines = [w.last.text or ""]  # type: ignore[union-attr]
        date = await w.press("Yes")
        lines.append(date.text or "")
        place = await w.say("10.08.2020")
        lines.append(place.text or "")
        # an old message's button: the pop-up says so, and the current step is shown again
        query = await fake.press(w.user, date.message_id, date.button("Skip"))
        assert "earlier message" in (await fake.answer_to(query))["text"]
        again = await w.reply()
        assert again.text == place.text
        assert again.message_id > place.message_id
        await fake.wait_for(lambda: fake.chat(w.chat_id).messages[place.message_id].deleted)
        treatment = await w.say("Okrestina")
        lines.append(treatment.text or "")
        await w.press("Beaten")
        asked = await w.press("Skip")  # a partial choice is not thrown away
        assert "Save your choice, or skip the question without it?" in (asked.text or "")
        injuries = await w.press("Save my choice")
        assert "Describe any injuries" in (injuries.text or "")
        back = await w.press("Back")
        assert "✓ Beaten" in [label for label, _ in back.buttons]  # current choices marked
        back = await w.press("Back")
        back = await w.press("Skip")  # where held: skipped
        back = await w.press("Back")
        assert "You skipped this question earlier." in (back.text or "")
        assert "Keep this answer" not in str(back.buttons)
        # the progress line never grows: "at most N more" only goes down, then "n of total"
        ends = []
        for line in lines:
            n, left = _progress(line)
            ends.append(n + left)
        assert ends == sorted(ends, reverse=True), lines


def _progress(text: str) -> tuple[int, int]:
    if m := re.search(r"Question (\d+) · at most (\d+) more", text):
        return int(m[1]), int(m[2])
    m = re.search(r"Question (\d+) of (\d+)", text)
    assert m, text
    return int(m[1]), int(m[2]) - int(m[1])
