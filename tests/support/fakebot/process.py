"""``intake run`` as a real child process against the fake Bot API (kill -9, restart, alerts)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.support.fakebot.inject import FakeBotApi

START_TIMEOUT = 30.0


def intake_env(fake: FakeBotApi, tmp_path: Path, identity: Any, **extra: str) -> dict[str, str]:
    """The environment of an ``intake run`` child talking to ``fake``: this process's environment
    without any INTAKE_/TELEGRAM_ setting, then the fake's token and URL, ``identity``'s recipient,
    a data dir in ``tmp_path``, the health server on a free port, JSON logs, and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        INTAKE_RECIPIENTS=str(identity.recipient()),
        INTAKE_DATA_DIR=str(tmp_path / "data"),
        INTAKE_HTTP_ADDR="127.0.0.1:0",
        INTAKE_LOG_FORMAT="json",
    )
    env.update(extra)
    return env


def _polls(fake: FakeBotApi) -> int:
    return sum(1 for name, _ in fake.calls if name == "getUpdates")


@asynccontextmanager
async def intake_run_process(
    fake: FakeBotApi, tmp_path: Path, env: dict[str, str], log_name: str = "run.log"
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``intake run`` in a child process, its output appended to ``log_name``; yields once it
    polls Telegram (a fresh getUpdates), and terminates it on exit unless it already ended."""
    polls = _polls(fake)
    with (tmp_path / log_name).open("ab") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "intake", "run",
            cwd=tmp_path, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        try:
            await fake.wait_for(lambda: _polls(fake) > polls, START_TIMEOUT)
            yield proc
        finally:
            if proc.returncode is None:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), START_TIMEOUT)
