"""A getUpdates answer cut short never puts a witness's words or Telegram ids into the log.

A truncated body is not valid JSON, and python-telegram-bot logs a body it cannot parse in full
(``Can not load invalid JSON data: "<body>"``, at ERROR). The real bot polls the fake Bot API,
which cuts the answer holding the witness's message; the bot must go on (the update comes again
whole) and the captured log must hold neither the answer nor the chat id. The lean client refuses
what HTTP shows to be cut (a short Content-Length body) or cannot show to be whole (no framing:
read until the close, a cut would pass as the end); a proxy that re-frames the cut body leaves
nothing in HTTP to notice, and httpx reads an unframed answer to the close: there only the log
filter on python-telegram-bot's records can keep the body out.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from bot.request import HttpClient
from intake.ops.logs import configure_logging
from intake.questionnaire import Questionnaire
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.faults import Framing
from tests.support.fakebot.harness import running_bot

CANARY = "CANARY_TESTIMONY_torture_cell_7"


@pytest.mark.parametrize(
    ("client", "framing"),
    [
        ("lean", "declared"),
        ("lean", "none"),
        ("lean", "reframed"),
        ("httpx", "none"),
    ],
)
async def test_a_truncated_get_updates_answer_leaks_nothing_into_the_log(
    fake: FakeBotApi,
    tmp_path: Path,
    sample: Questionnaire,
    staff: Any,
    client: HttpClient,
    framing: Framing,
) -> None:
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    try:
        async with running_bot(
            fake, tmp_path / "d", sample, [staff.recipient()], http_client=client, poll_timeout=1
        ):
            w = await ChatWitness.agreed(fake)
            await w.press("Yes")
            await w.say("10.08.2020")  # "where were you held?" shows
            # the next getUpdates answer that carries an update is cut (empty polls are not)
            cut = fake.faults.add("truncate", calls=1, methods={"getUpdates"}, framing=framing)
            await fake.send_text(w.user, CANARY)
            shown = await fake.next_reply(w.chat_id)  # the update came again, whole
            assert "What was done" in (shown.text or "")
            assert CANARY.encode() in cut.served  # the answer cut short held the message
    finally:
        configure_logging("INFO", "json", stream=io.StringIO())
    text = out.getvalue()
    for needle in (CANARY[:16], str(w.user.id)):  # (the cut may take the canary's tail)
        assert needle not in text, needle
