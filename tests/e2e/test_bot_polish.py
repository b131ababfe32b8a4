"""A Polish questionnaire with its own ``[ui.pl]``: the bot's Telegram lines in Polish, end to end
(real PTB over real HTTP against the fake Bot API)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from intake.questionnaire import load
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import RunningBot, running_bot
from tests.support.paths import QUESTIONNAIRES

POLISH = load(QUESTIONNAIRES / "polish_ui.toml")


@pytest.fixture
async def polish_bot(fake: FakeBotApi, tmp_path: Path, staff: Any) -> AsyncIterator[RunningBot]:
    async with running_bot(fake, tmp_path / "data", POLISH, [staff.recipient()]) as rb:
        yield rb


async def test_a_polish_bot_speaks_polish_end_to_end(
    polish_bot: RunningBot, fake: FakeBotApi
) -> None:
    w = ChatWitness(fake, fake.user("pl"))
    consent = await w.say("/start")
    assert consent.text is not None
    assert consent.text.startswith("Tylko dla zespołu.")
    question = await w.press("Zgadzam")
    assert "Wskazówka: wysyłaj zdjęcia jako plik." in (question.text or "")
    await fake.send_sticker(w.user)
    assert (await w.reply()).text == "Teraz nie oczekuję pliku ani naklejki."
    await fake.send_text(w.user, "/delete")
    assert (await w.reply()).text == "Gotowe."
