"""A file server that trickles cannot hold a witness: the download ends by its deadline, the
witness is asked to send the file again, and the next attempt goes through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.media import Downloader
from intake.questionnaire import Questionnaire
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import running_bot


async def test_a_trickled_download_ends_with_a_clear_message(
    fake: FakeBotApi,
    tmp_path: Path,
    sample: Questionnaire,
    staff: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 0.5 s for any file, plus its size at 1 MB/s; a byte every 20 ms is far slower than that
    monkeypatch.setattr(Downloader, "deadline_base", 0.5)
    monkeypatch.setattr(Downloader, "min_rate", 1_000_000)
    async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
        w = await ChatWitness.agreed(fake)
        await w.press("Yes")
        await w.say("10.08.2020")
        await w.say("a cell")
        await w.press("Skip")
        await w.press("A witness")
        await w.say("7")
        await w.press("Skip")  # the media question shows
        fake.faults.add("trickle", calls=1, methods={"download"}, delay=0.02)
        content = b"%PDF " + bytes(range(256)) * 8  # 2 kB: 41 s at that pace
        failed = await w.send_file("document", content, filename="scan.pdf")
        assert "could not be received" in (failed.text or "")
        assert fake.faults.injected >= 1
        again = await w.send_file("document", content, filename="scan.pdf")
        assert "could not be received" not in (again.text or "")
        assert "scan.pdf" in (again.text or "")
