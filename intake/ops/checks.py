"""Readiness checks for :class:`intake.ops.http.HealthServer`.

Each factory returns an async callable giving ``None`` when all is well, or one short reason. The
bot and the store plug in the checks they can answer best (e.g. the store's own "can I write"
probe); these are the generic ones. Reasons name states and numbers, never witness data.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sized
from pathlib import Path
from typing import TYPE_CHECKING

from intake.ops.http import ReadinessCheck

if TYPE_CHECKING:
    from intake.config import Config
    from intake.ops.metrics import Metrics

DEFAULT_MIN_FREE_BYTES = 500 * 1024 * 1024
DEFAULT_TELEGRAM_MAX_SILENCE = 60.0


def telegram_reached(
    last_ok: Callable[[], float | None],
    *,
    max_silence: float = DEFAULT_TELEGRAM_MAX_SILENCE,
    clock: Callable[[], float] = time.time,
) -> ReadinessCheck:
    """Not ready until a Bot API call succeeded, and again when none did for ``max_silence`` s.

    ``last_ok`` is typically ``lambda: metrics.last_telegram_ok``. Long polling makes a call at
    least every poll timeout, so silence longer than a minute means Telegram is unreachable.
    """

    async def telegram_reached() -> str | None:
        last = last_ok()
        if last is None:
            return "telegram not reached yet"
        silence = clock() - last
        if silence > max_silence:
            return f"telegram not reached for {int(silence)} s"
        return None

    return telegram_reached


def directory_writable(path: Path, *, what: str = "data directory") -> ReadinessCheck:
    """Not ready when a small file cannot be created, synced and removed in ``path``."""

    def probe() -> str | None:
        try:
            fd, name = tempfile.mkstemp(prefix=".ready-", dir=path)
            try:
                os.write(fd, b"ok")
                os.fsync(fd)
            finally:
                os.close(fd)
                os.unlink(name)
        except OSError as exc:
            return f"{what} not writable ({exc.strerror or type(exc).__name__})"
        return None

    async def directory_writable() -> str | None:
        return await asyncio.to_thread(probe)

    return directory_writable


def disk_free(path: Path, *, min_free_bytes: int = DEFAULT_MIN_FREE_BYTES) -> ReadinessCheck:
    """Not ready when the filesystem holding ``path`` has less than ``min_free_bytes`` free."""

    async def disk_free() -> str | None:
        try:
            free = (await asyncio.to_thread(shutil.disk_usage, path)).free
        except OSError as exc:
            return f"disk usage unknown ({exc.strerror or type(exc).__name__})"
        if free < min_free_bytes:
            return f"disk almost full: {free // 2**20} MB free, need {min_free_bytes // 2**20} MB"
        return None

    return disk_free


def recipients_present(recipients: Sized) -> ReadinessCheck:
    """Not ready without at least one staff recipient to seal to."""

    async def recipients_present() -> str | None:
        return None if len(recipients) > 0 else "no valid staff recipient"

    return recipients_present


def standard_checks(
    config: Config, metrics: Metrics, *, clock: Callable[[], float] = time.time
) -> list[ReadinessCheck]:
    """The readiness checks of ``intake run``: Telegram reached in the last minute, data directory
    writable, enough free disk, at least one staff recipient."""
    return [
        telegram_reached(lambda: metrics.last_telegram_ok, clock=clock),
        directory_writable(config.data_dir),
        disk_free(config.data_dir),
        recipients_present(config.recipients),
    ]
