"""Seeing the Bot API from the HTTP client: httpx event hooks that feed the metrics.

Every response from the Bot API (any status below 500 other than 429: Telegram answered) marks
Telegram as reached, which keeps ``/readyz`` and ``intake_telegram_last_ok_timestamp_seconds``
honest for every call — long polling included — without touching the bot's code paths. Error
statuses are counted by kind. Exceptions without a response (timeouts, network loss) never reach a
response hook; the bot counts those itself (``Metrics.telegram_error("timeout" | "network")``).

Use with python-telegram-bot::

    HTTPXRequest(..., httpx_kwargs={"event_hooks": telegram_event_hooks(metrics)})

The request URL contains the bot token: these hooks never log or keep it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from intake.ops.metrics import Metrics


def status_kind(status: int) -> str | None:
    """The error kind of an HTTP status from the Bot API, or None when Telegram answered."""
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    if status in (400, 404):
        return "bad_request"
    if status >= 400:
        return "other"
    return None


def telegram_event_hooks(
    metrics: Metrics,
) -> dict[str, list[Callable[[Any], Awaitable[None]]]]:
    """``event_hooks`` for an ``httpx.AsyncClient`` talking to the Bot API."""

    async def on_response(response: httpx.Response) -> None:
        kind = status_kind(response.status_code)
        if kind in (None, "bad_request", "other"):
            metrics.telegram_ok()  # an answer, even a refusal, means Telegram is reachable
        if kind is not None:
            metrics.telegram_error(kind)

    return {"response": [on_response]}
