"""``intake run`` as a real process against the fake Bot API: a kill -9 mid-conversation and a
restart that resumes, configuration errors, and every byte of logs and data scanned for secrets."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from fakebot import FakeBotApi
from fakebot.harness import Witness
from fakebot.process import intake_run_process

from intake.questionnaire import Questionnaire

pytest_plugins = ["fakebot.fixtures"]

SAMPLE = Path(__file__).parent / "questionnaires" / "sample.toml"
CANARY = "CanaryE2E-Place-9917"


def _env(fake: FakeBotApi, tmp_path: Path, identity: Any, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        INTAKE_RECIPIENTS=str(identity.recipient()),
        INTAKE_DATA_DIR=str(tmp_path / "data"),
        INTAKE_QUESTIONNAIRE=str(SAMPLE),
        INTAKE_HTTP_ADDR="127.0.0.1:0",
        INTAKE_LOG_LEVEL="DEBUG",
        INTAKE_LOG_FORMAT="json",
    )
    env.update(extra)
    return env


async def test_kill_9_mid_conversation_then_restart_resumes(
    fake: FakeBotApi, tmp_path: Path, identity: Any, sample: Questionnaire
) -> None:
    env = _env(fake, tmp_path, identity)
    w = Witness(fake, fake.user())
    async with intake_run_process(fake, tmp_path, env, "run1.log") as proc:
        await w.say("/start")
        await w.press("English")
        await w.press("agree")
        await w.press("Yes")
        await w.say("10.08.2020")
        treatment = await w.say(CANARY)  # committed before this prompt was sent
        assert "What was done" in (treatment.text or "")
        proc.kill()  # SIGKILL: no cleanup at all
        await proc.wait()
    await fake.press(w.user, treatment.message_id, treatment.button("Beaten"))  # while down
    async with intake_run_process(fake, tmp_path, env, "run2.log") as proc:
        toggled = await w.reply()
        assert any(label.startswith("✓") for label, _ in toggled.buttons)
        await w.press("Done")
        await w.press("Skip")  # injuries
        await w.press("A witness")
        await w.press("Skip")
        await w.press("Skip")
        review = await w.press("Skip")
        assert CANARY in (review.text or "")
        receipt = await w.press("Send")
        await w.wiped(keep=receipt)
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    outbox = list((tmp_path / "data").rglob("*.age"))
    assert len(outbox) == 1
    if shutil.which("age"):
        key = tmp_path / "key.txt"
        key.write_text(str(identity) + "\n")
        argv = ["age", "-d", "-i", str(key), str(outbox[0])]
        plain = (
            await asyncio.to_thread(subprocess.run, argv, check=True, capture_output=True)
        ).stdout
        assert CANARY.encode() in plain
    # logs: JSON lines, no token, no answer, no name, no Telegram id
    for name in ("run1.log", "run2.log"):
        text = (tmp_path / name).read_text()
        for line in text.splitlines():
            json.loads(line)
        for needle in (fake.token, fake.token.split(":")[1], CANARY, "10.08.2020",
                       "Canaryname", "canary_username", str(w.user.id)):  # fmt: skip
            assert needle not in text, (name, needle)
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert CANARY.encode() not in raw, path
            assert fake.token.encode() not in raw, path


def _run(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake", "run"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_misconfiguration_is_one_line_per_problem_and_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "TELEGRAM_"))}
    env["TELEGRAM_BOT_TOKEN"] = "12345:short-and-wrong-SECRETPART"
    env["INTAKE_LOG_LEVEL"] = "LOUD"
    result = _run(env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 3  # token, recipients, log level
    assert all(line.startswith("intake: error: ") for line in lines)
    assert "SECRETPART" not in result.stderr + result.stdout


async def test_token_refused_by_telegram_exits_2_without_echoing_it(
    fake: FakeBotApi, tmp_path: Path, identity: Any
) -> None:
    wrong = "999999999:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_wrong"
    env = _env(fake, tmp_path, identity, TELEGRAM_BOT_TOKEN=wrong)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    text = (out + err).decode()
    assert "refused TELEGRAM_BOT_TOKEN" in text
    assert wrong not in text
    assert wrong.split(":")[1] not in text
