"""The Telegram bot end to end: real PTB over real HTTP against the fake Bot API, a real data dir,
the real engine and store, and submissions opened with the real ``age`` CLI."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from intake.questionnaire import Questionnaire, load, load_default
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import RunningBot, running_bot
from tests.support.paths import QUESTIONNAIRES
from tests.support.sealing import open_sealed, sealed_files, write_identity
from tests.support.witness import Witness

CANARY_PLACE = "CanaryPlace-Okr"  # ≤ 40 characters: fits place_held


CANARY_INJURY = "CanaryInjury-bruised-ribs-7731"


PHOTO = b"\xff\xd8\xff\xe0" + b"canary-photo-bytes" * 5000  # ~90 KB, several chunks


DOC = b"%PDF-1.4 canary-document " * 300


@pytest.fixture
async def bot(
    fake: FakeBotApi, tmp_path: Path, staff: Any, sample: Questionnaire
) -> AsyncIterator[RunningBot]:
    async with running_bot(fake, tmp_path / "data", sample, [staff.recipient()]) as rb:
        yield rb


async def begin(fake: FakeBotApi, language: str = "en") -> ChatWitness:
    """A new witness who has chosen English and agreed: the first question is showing."""
    w = ChatWitness(fake, fake.user(language))
    prompt = await w.say("/start")
    assert "English" in [label.lstrip("✓ ") for label, _ in prompt.buttons]
    await w.press("English")
    await w.press("agree")
    return w


async def full_testimony(w: ChatWitness) -> str:
    """The branching path of the sample questionnaire, with media and an edit at review."""
    assert "detained" in (await w.press("Yes")).text
    await w.say("10.08.2020")
    too_long = await w.say("x" * 41)  # place_held allows 40 characters
    assert "40" in (too_long.text or "")
    await w.say(CANARY_PLACE)
    await w.press("Beaten")  # multi-choice: toggles in place
    assert any(label.startswith("✓") for label, _ in w.last.buttons if "Beaten" in label)  # type: ignore[union-attr]
    await w.press("Done")
    await w.say(CANARY_INJURY)
    await w.press("A witness")
    await w.say("12")
    await w.fake.send_location(w.user, 53.86, 27.45)
    media_prompt = await w.reply()
    assert "as a file" in (media_prompt.text or "")  # the hint to keep original quality
    await w.send_file("photo", PHOTO)
    await w.send_file("document", DOC, filename="report.pdf", mime="application/pdf")
    review = await w.press("Done")
    assert CANARY_PLACE in (review.text or "")
    await w.press("Change an answer")
    await w.press("7.")  # how many people
    review = await w.say("13")
    assert "13" in (review.text or "")
    _, thanks = await w.submit("Send")
    return thanks.text or ""


def open_with_age(outbox: Path, staff: Any, dest: Path) -> dict[str, Any]:
    files = sorted(outbox.glob("*.age"))
    assert len(files) == 1
    key = write_identity(dest / "key.txt", staff)
    plain = subprocess.run(
        ["age", "-d", "-i", str(key), str(files[0])], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        names = tar.getnames()
        assert names[0] == "submission.json"
        tar.extractall(dest / "out", filter="data")
    return json.loads((dest / "out" / "submission.json").read_text())


@pytest.mark.skipif(shutil.which("age") is None, reason="the age CLI is not installed")
async def test_full_testimony_sealed_opened_with_age_and_chat_wiped(
    bot: RunningBot, fake: FakeBotApi, staff: Any, tmp_path: Path
) -> None:
    w = await begin(fake)
    receipt_text = await full_testimony(w)
    submission = open_with_age(bot.store.outbox_dir, staff, tmp_path)
    assert submission["receipt"] in receipt_text
    values = json.dumps(submission["answers"], ensure_ascii=False)
    for canary in (CANARY_PLACE, CANARY_INJURY, "13", "53.86"):
        assert canary in values
    by_name = {a["filename"]: a for a in submission["attachments"]}
    assert by_name["report.pdf"]["sha256"] == hashlib.sha256(DOC).hexdigest()
    assert by_name["photo.jpg"]["sha256"] == hashlib.sha256(PHOTO).hexdigest()
    for att in submission["attachments"]:
        data = (tmp_path / "out" / att["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == att["sha256"]
    # trace deletion: only the neutral closing line remains, every message was protected
    chat = fake.chat(w.chat_id)
    await fake.wait_for(lambda: len(chat.visible()) == 1)
    assert [m.text for m in chat.visible()] == ["Done. Thank you."]
    assert all(m.protect_content for m in chat.messages.values() if m.from_bot)
    assert all(len(ids) <= 100 for name, p in fake.calls if name == "deleteMessages"
               for ids in [p["message_ids"]])  # fmt: skip
    assert await bot.store.count_drafts() == 0


async def test_quick_exit_leaves_nothing(bot: RunningBot, fake: FakeBotApi) -> None:
    w = await begin(fake, "ru")
    closing = await w.cancel()  # an earlier conversation's closing line…
    await w.wiped(keep=closing)
    await w.say("/start")
    await w.press("English")
    await w.press("agree")
    await w.press("Yes")
    await w.say("10.08.2020")
    await fake.send_text(w.user, "/x")
    await fake.wait_for(lambda: not w.visible())
    assert await bot.store.count_drafts() == 0
    assert fake.drain_replies(w.chat_id) == []  # /x leaves nothing, not even a line


async def test_cancel_leaves_one_neutral_line(bot: RunningBot, fake: FakeBotApi) -> None:
    w = await begin(fake)
    await w.press("Yes")
    closing = await w.cancel()
    await w.wiped(keep=closing)
    assert closing.buttons == []
    assert await bot.store.count_drafts() == 0


async def test_delete_command_wipes_draft(bot: RunningBot, fake: FakeBotApi) -> None:
    w = await begin(fake)
    await w.say("/delete")
    assert [m.text for m in w.visible()] == ["Done."]
    assert await bot.store.count_drafts() == 0


async def test_forged_and_stale_buttons_change_nothing(bot: RunningBot, fake: FakeBotApi) -> None:
    w = await begin(fake)
    question = w.last
    assert question is not None
    other = await begin(fake)
    await other.press("Yes")  # another witness, one step further: their tokens are not ours
    for data in ("999.yes", "garbage", "x" * 64, other.last.button("Skip")):  # type: ignore[union-attr]
        query = await fake.press(w.user, question.message_id, data)
        assert (await fake.answer_to(query)).get("text"), data  # a short notice, nothing else
    # at most the same prompt re-shown in place with a notice: same message, same buttons
    for shown in fake.drain_replies(w.chat_id):
        assert shown.message_id == question.message_id
        assert shown.buttons == question.buttons
    after = await w.press("Yes", on=question)  # the real button still works
    assert "When were you detained" in (after.text or "")
    query = await fake.press(w.user, question.message_id, question.button("No"))  # now stale
    assert (await fake.answer_to(query)).get("text")
    reshown = await w.reply()  # the current question again, with the engine's notice first
    assert "When were you detained" in (reshown.text or "")
    assert reshown.buttons == after.buttons


async def test_a_message_too_old_to_delete_does_not_save_the_rest(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    w = await begin(fake)
    old = await w.cancel()  # an earlier conversation's closing line, now over 48 h old
    await w.wiped(keep=old)
    fake.undeletable.add(old.message_id)
    await w.say("/start")
    await w.press("English")
    await w.press("agree")
    await w.press("Yes")
    await w.say("10.08.2020")
    await fake.send_text(w.user, "/x")  # wipes the whole chat; the batch with `old` is refused
    await w.wiped(keep=old)


@pytest.mark.parametrize(
    "name", ["default", "sample", "qa_be_only", "qa_every_type", "qa_tiny", "qa_unicode"]
)
async def test_the_scripted_witness_submits_any_questionnaire_in_a_chat(
    fake: FakeBotApi, tmp_path: Path, staff: Any, name: str
) -> None:
    """The demo's witness reads only the chat (text and buttons) and answers: files, places,
    choices and an edit at the review all go through Telegram, and the testimony is sealed."""
    q = load_default() if name == "default" else load(QUESTIONNAIRES / f"{name}.toml")
    language = "en" if "en" in q.languages else q.default_language
    limits = {"message": (1000, 60), "submission": (10, 86400)}  # a fast typist is no flood
    async with running_bot(fake, tmp_path / "data", q, [staff.recipient()], limits=limits) as rb:
        w = ChatWitness(fake, fake.user(language))
        receipt = await w.play(Witness(q, language))
        (sealed,) = sealed_files(rb.store)
        sub = json.loads(open_sealed(sealed, staff)["submission.json"])
        assert sub["receipt"] in (receipt.text or "")
        assert sub["language"] == language
        assert len(sub["attachments"]) == 2 * sum(x.type == "media" for x in q.questions)
        await fake.press(w.user, receipt.message_id, receipt.button("OK"))  # the thank-you goes
        await fake.wait_for(lambda: [m.message_id for m in w.visible()] == [receipt.message_id - 1])
        assert sub["receipt"] not in json.dumps([m.text for m in w.visible()])
