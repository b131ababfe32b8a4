"""Every action gets a visible answer: a submit that fails (the outbox disk is full) says so every
time — before, a second failure was an edit identical to the message ("message is not modified")
and the witness saw nothing — and a caption sent with a file is kept as the witness's words."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intake.questionnaire import Questionnaire
from tests.e2e.test_disk_full import fill, mount_tmpfs
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import running_bot
from tests.support.sealing import open_sealed, sealed_files


@pytest.fixture
def data_with_small_outbox(tmp_path: Path) -> Iterator[Path]:
    """A data dir whose outbox is a filesystem of its own, a full one: every seal fails there,
    while the database beside it still takes writes."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    mount_tmpfs(data / "outbox", "1m")
    try:
        fill(data / "outbox")
        yield data
    finally:
        subprocess.run(["umount", "-l", str(data / "outbox")], check=False)


async def _review_with_a_file(fake: FakeBotApi) -> ChatWitness:
    w = await ChatWitness.agreed(fake)
    await w.press("No")
    await w.press("Skip")  # treatment
    await w.press("A witness")
    await w.say("4")
    await w.press("Skip")  # location
    await w.send_file("document", os.urandom(300_000), filename="evidence.pdf")
    review = await w.press("Done")
    assert "Please check" in (review.text or "")
    return w


async def test_a_failed_submit_is_told_every_time(
    fake: FakeBotApi, data_with_small_outbox: Path, sample: Questionnaire, staff: Any
) -> None:
    data = data_with_small_outbox
    async with running_bot(fake, data, sample, [staff.recipient()]) as rb:
        w = await _review_with_a_file(fake)
        review = w.last
        assert review is not None
        for attempt in range(3):
            query = await fake.press(w.user, review.message_id, review.button("Send"))
            answer = await fake.answer_to(query)
            if attempt == 0:  # the review now says it, above the answers
                assert "did not work" in ((await w.reply()).text or "")
            else:  # the review already says it: an alert to dismiss, every time
                assert "did not work" in answer.get("text", ""), attempt
                assert answer.get("show_alert") in (True, "true"), attempt
        assert await rb.store.count_drafts() == 1  # kept, at the review, for a later attempt


CAPTION = "CanaryCaption: the man in the grey jacket"


async def test_a_caption_is_kept_sealed_and_shown_in_the_review(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    data = tmp_path / "data"
    async with running_bot(fake, data, sample, [staff.recipient()]) as rb:
        w = await ChatWitness.agreed(fake)
        await w.press("No")
        # a file where none is asked: refused, and the witness learns its caption went too
        refused = await w.send_file("photo", os.urandom(20_000), caption="CanaryLost words")
        assert "not kept either" in (refused.text or "")
        await w.press("Skip", on=w.fake.chat(w.chat_id).bot_events[-2][1])  # treatment
        await w.press("A witness")
        await w.say("4")
        await w.press("Skip")  # location
        await w.send_file("photo", os.urandom(50_000), caption=CAPTION)
        review = await w.press("Done")
        assert f"1 file — “{CAPTION}”" in (review.text or "")
        for path in data.rglob("*"):  # the caption is never on disk in clear
            assert not path.is_file() or b"CanaryCaption" not in path.read_bytes(), path
        receipt = await w.press("Send")
        await w.wiped(keep=receipt)
        (sealed,) = sealed_files(rb.store)
        document = json.loads(open_sealed(sealed, staff)["submission.json"])
    (attachment,) = document["attachments"]
    assert attachment["caption"] == CAPTION
    assert "CanaryLost" not in json.dumps(document)
