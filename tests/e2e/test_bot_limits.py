"""Files past a question's ``max_files`` or past the draft's total size are refused before they
are downloaded, the witness is told, and nothing of them reaches the disk.

Before, 14 extra files on a 10-file question left 16 blobs: the engine refused them only after
they were stored, and one account could fill the disk at 30 files × 20 MB a minute.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from intake.questionnaire import Questionnaire
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi, Msg
from tests.support.fakebot.harness import running_bot


async def _to_media_question(fake: FakeBotApi) -> ChatWitness:
    w = await ChatWitness.agreed(fake)
    await w.press("No")
    await w.press("Skip")  # treatment
    await w.press("A witness")
    await w.say("4")
    media = await w.press("Skip")  # location
    assert "up to 3 files" in (media.text or "")
    return w


def _blobs(data: Path) -> list[Path]:
    return list((data / "drafts").rglob("*.blob"))


def _get_files(fake: FakeBotApi) -> int:
    return sum(1 for name, _ in fake.calls if name == "getFile")


async def _replies(fake: FakeBotApi, w: ChatWitness, n: int) -> list[Msg]:
    return [await w.reply() for _ in range(n)]


async def test_files_past_max_files_are_refused_before_download(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    data = tmp_path / "data"
    async with running_bot(fake, data, sample, [staff.recipient()]):
        w = await _to_media_question(fake)
        for _ in range(5):  # an album: five photos arrive at once
            await fake.send_media(w.user, "photo", os.urandom(50_000), caption=None)
        replies = await _replies(fake, w, 5)
        texts = [m.text or "" for m in replies]
        assert sum("at most 3 files" in t for t in texts) == 2, texts
        assert sum("Received so far" in t for t in texts) == 3, texts
        assert _get_files(fake) == 3
        assert len(_blobs(data)) == 3
        prompt = [m for m in replies if m.buttons][-1]
        review = await w.press("Done", on=prompt)
        assert "3 files" in (review.text or "")


async def test_files_past_the_draft_total_are_refused_before_download(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    data = tmp_path / "data"
    limit = 2 * 1024 * 1024
    async with running_bot(fake, data, sample, [staff.recipient()], max_draft_bytes=limit):
        w = await _to_media_question(fake)
        first = await w.send_file("document", os.urandom(900_000), filename="a.pdf")
        assert "1. a.pdf" in (first.text or "")
        second = await w.send_file("document", os.urandom(900_000), filename="b.pdf")
        assert "2. b.pdf" in (second.text or "")
        refused = await w.send_file("document", os.urandom(900_000), filename="c.pdf")
        assert "was not kept" in (refused.text or "")
        assert "2 MB" in (refused.text or "")
        assert _get_files(fake) == 2
        assert len(_blobs(data)) == 2
        review = await w.press("Done", on=second)
        assert "2 files" in (review.text or "")
