"""``intake run`` as a real child process against the fake Bot API (kill -9, restart, alerts)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fakebot.inject import FakeBotApi

START_TIMEOUT = 30.0


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
