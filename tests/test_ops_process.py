"""``intake run`` as a real process: operator commands for the operator only, and the alert after a
restart that follows a kill -9 — but not after a clean stop."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from fakebot import FakeBotApi, FakeUser
from fakebot.harness import Witness
from fakebot.process import intake_run_process

pytest_plugins = ["fakebot.fixtures"]


def _env(fake: FakeBotApi, tmp_path: Path, identity: Any, operator: FakeUser) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        INTAKE_RECIPIENTS=str(identity.recipient()),
        INTAKE_DATA_DIR=str(tmp_path / "data"),
        INTAKE_HTTP_ADDR="127.0.0.1:0",
        INTAKE_OPERATOR_IDS=str(operator.id),
        INTAKE_LOG_FORMAT="json",
    )
    return env


async def test_operator_commands_and_crash_alert(
    fake: FakeBotApi, tmp_path: Path, identity: Any
) -> None:
    operator = fake.user()
    env = _env(fake, tmp_path, identity, operator)
    op, stranger = Witness(fake, operator), Witness(fake, fake.user())

    async with intake_run_process(fake, tmp_path, env) as proc:
        assert "Telegram: OK" in ((await op.say("/health")).text or "")
        unknown = (await stranger.say("/nonsense")).text
        assert (await stranger.say("/health")).text == unknown
        proc.kill()  # SIGKILL: the running marker stays behind
        await proc.wait()

    async with intake_run_process(fake, tmp_path, env) as proc:
        alert = await op.reply()
        assert "restarted after an unclean shutdown" in (alert.text or "")
        proc.terminate()  # SIGTERM: a clean stop removes the marker
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    assert not (tmp_path / "data" / "running").exists()

    async with intake_run_process(fake, tmp_path, env):
        queue = await op.say("/queue")
        assert (queue.text or "").startswith("Open drafts: 0")
    assert not any("unclean" in (m.text or "") for m in fake.drain_replies(operator.id))
    log = (tmp_path / "run.log").read_text()
    assert fake.token not in log
    for line in log.splitlines():
        fields = json.loads(line)  # every line is JSON
        assert operator.id not in fields.values()
        assert str(operator.id) not in fields.values()
