"""python-telegram-bot's own error records become one structured JSON event each, with the
traceback as a field and nothing of the payload: PTB logs a server answer it cannot parse whole
('Can not load invalid JSON data: "<the body>"'), and a getUpdates body holds witnesses' words.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from intake.ops.logs import configure_logging
from intake.questionnaire import Questionnaire
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import running_bot


async def test_a_garbled_answer_is_one_event_without_its_body(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    try:
        async with running_bot(fake, tmp_path / "d", sample, [staff.recipient()]):
            w = await ChatWitness.agreed(fake)
            fake.faults.add("garbage", calls=1, methods={"sendMessage"})
            await fake.send_text(w.user, "/help")
            await fake.wait_for(lambda: fake.faults.injected >= 1)
            await w.say("/help")  # the bot goes on serving
    finally:
        configure_logging("INFO", "json", stream=io.StringIO())
    lines = out.getvalue().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON event
    ptb = [e for e in events if str(e.get("logger", "")).startswith("telegram")]
    garbled = [e for e in ptb if "invalid JSON" in e["event"]]
    assert len(garbled) == 1, ptb
    assert "Traceback" in garbled[0]["exception"]  # the traceback, as one field
    assert "CanaryProxyPage" not in out.getvalue()
