"""Calls to the Bot API that survive Telegram's bad moments.

429 waits exactly ``retry_after``; 5xx, timeouts and network loss back off exponentially with
jitter up to ``cap``; everything is given up after ``deadline`` seconds. Requests Telegram refused
on their merits (400 Bad Request, 403 Forbidden) are not retried: repeating them cannot help.
The witness's answer is already committed when any of this runs, so a long outage delays the
reply but loses nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import random
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

T = TypeVar("T")
log = structlog.get_logger("bot.retry")


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how hard to retry. Tests use small numbers; production the defaults."""

    base: float = 0.5
    cap: float = 30.0
    deadline: float = 900.0  # a quarter of an hour: then the witness's next message resumes


class GaveUpError(Exception):
    """Telegram stayed unreachable for the whole retry deadline."""


def error_kind(exc: BaseException) -> str:
    """A short label for metrics and logs (never the message: it may quote a URL)."""
    if isinstance(exc, RetryAfter):
        return "rate_limited"
    if isinstance(exc, TimedOut):
        return "timeout"
    if isinstance(exc, BadRequest):
        return "bad_request"
    if isinstance(exc, NetworkError):
        return "network"
    return type(exc).__name__


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds."""
    with warnings.catch_warnings():  # PTB 22 warns that the type becomes timedelta; both work
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


ErrorHook = Callable[[str], None]


async def with_retry(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    what: str,
    on_error: ErrorHook | None = None,
) -> T:
    """Await ``call()`` until it succeeds, retrying transient Telegram failures per ``policy``.

    ``what`` names the Bot API method for logs. Raises :class:`GaveUpError` after the deadline,
    and re-raises non-transient errors (BadRequest, Forbidden…) at once.
    """
    started = time.monotonic()
    attempt = 0
    while True:
        try:
            return await call()
        except RetryAfter as exc:
            delay = retry_after_seconds(exc)
            kind = "rate_limited"
        except BadRequest:
            raise
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            delay = min(policy.cap, policy.base * 2**attempt) * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not crypto
            kind = error_kind(exc)
        attempt += 1
        if on_error is not None:
            on_error(kind)
        if time.monotonic() + delay - started > policy.deadline:
            log.warning("telegram_gave_up", method=what, kind=kind, attempts=attempt)
            raise GaveUpError(f"Telegram {what}: still failing after {attempt} attempts")
        log.info("telegram_retry", method=what, kind=kind, attempt=attempt, delay=round(delay, 2))
        await asyncio.sleep(delay)  # backoff, as Telegram asks; not a synchronisation device
