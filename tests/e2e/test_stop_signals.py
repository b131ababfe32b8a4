"""SIGTERM and SIGINT end a real ``intake run`` within a few seconds in every state, losing nothing.

Before, the start-up ``getMe`` retry loop never looked at the stop request: 30 s after SIGTERM the
bot was still retrying, and systemd's stop ended in SIGKILL.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.channels import ChatWitness as Witness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.process import intake_env, intake_run_process
from tests.support.paths import SAMPLE_TOML

STOPPED_WITHIN = 10.0  # seconds: the stop grace for updates in progress is 5 s
CANARY = "CanaryStop-Place-4410"


def _env(fake: FakeBotApi, tmp_path: Path, staff: Any) -> dict[str, str]:
    return intake_env(fake, tmp_path, staff, INTAKE_QUESTIONNAIRE=str(SAMPLE_TOML))


async def _stopped_by(proc: asyncio.subprocess.Process, sig: signal.Signals) -> float:
    """Send ``sig``; the seconds until the process exited with status 0."""
    sent = time.monotonic()
    proc.send_signal(sig)
    code = await asyncio.wait_for(proc.wait(), STOPPED_WITHIN)
    assert code == 0
    return time.monotonic() - sent


def _calls(fake: FakeBotApi, method: str) -> int:
    return sum(1 for name, _ in fake.calls if name == method)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_stop_while_getme_is_retried_at_start_up(
    fake: FakeBotApi, tmp_path: Path, staff: Any, sig: signal.Signals
) -> None:
    fake.faults.add("502", methods={"getMe"})  # Telegram unreachable, for good
    fake.calls.clear()
    log = (tmp_path / "run.log").open("ab")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "run",
        cwd=tmp_path, env=_env(fake, tmp_path, staff), stdout=log, stderr=log,
    )  # fmt: skip
    try:
        # faulted calls are not recorded: wait for the retries through the fault counter
        await fake.wait_for(lambda: fake.faults.injected >= 2, 30)
        assert await _stopped_by(proc, sig) < STOPPED_WITHIN
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        log.close()
    assert _calls(fake, "getUpdates") == 0


async def test_stop_during_an_outage_backoff_loses_nothing(
    fake: FakeBotApi, tmp_path: Path, staff: Any
) -> None:
    env = _env(fake, tmp_path, staff)
    w = Witness(fake, fake.user())
    async with intake_run_process(fake, tmp_path, env) as proc:
        await w.say("/start")
        await w.press("English")
        await w.press("agree")
        await w.press("Yes")
        await w.say("10.08.2020")
        fake.faults.add("502")  # every method, from now on
        injected = fake.faults.injected
        await fake.send_text(w.user, CANARY)  # waits with Telegram until the outage ends
        await fake.wait_for(lambda: fake.faults.injected >= injected + 3)  # backing off
        assert await _stopped_by(proc, signal.SIGTERM) < STOPPED_WITHIN
    fake.faults.clear()
    async with intake_run_process(fake, tmp_path, env):
        shown = await w.reply()  # the answer sent during the outage, answered now
        assert "What was done" in (shown.text or "")


async def test_stop_mid_submit_while_replies_fail_loses_nothing(
    fake: FakeBotApi, tmp_path: Path, staff: Any
) -> None:
    env = _env(fake, tmp_path, staff)
    w = Witness(fake, fake.user())
    async with intake_run_process(fake, tmp_path, env) as proc:
        await w.say("/start")
        await w.press("English")
        await w.press("agree")
        await w.press("No")
        await w.press("Skip")  # treatment
        await w.press("A witness")
        await w.say("4")
        await w.press("Skip")
        review = await w.press("Skip")
        assert "Please check" in (review.text or "")
        # the seal succeeds, the replies after it fail: the handler is still retrying them
        fake.faults.add("502", methods={"sendMessage", "deleteMessages"})
        injected = fake.faults.injected
        await fake.press(w.user, review.message_id, review.button("Send"))
        await fake.wait_for(lambda: fake.faults.injected >= injected + 2)
        assert list((tmp_path / "data" / "outbox").glob("*.age"))  # sealed before the stop
        assert await _stopped_by(proc, signal.SIGTERM) < STOPPED_WITHIN
    assert len(list((tmp_path / "data" / "outbox").glob("*.age"))) == 1
