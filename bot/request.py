"""The HTTP client under PTB, observed: every Bot API call's outcome feeds the metrics.

Readiness ("Telegram reached in the last minute") and "Telegram API errors by kind" need to see
every call — long polling included, which PTB runs itself — so the observation sits at the one
place all calls pass: :meth:`HTTPXRequest.do_request`. Only the status and a kind are recorded;
the URL (it contains the token) and the body are never looked at.
"""

from __future__ import annotations

from typing import Any, Protocol

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest


class ApiObserver(Protocol):
    """What :class:`ObservedRequest` reports to (``intake.ops.metrics.Metrics`` fits)."""

    def telegram_ok(self) -> None: ...

    def telegram_error(self, kind: str) -> None: ...


def status_kind(status: int) -> str | None:
    """The metrics kind of an HTTP answer of the Bot API, or None for success."""
    if 200 <= status < 300:
        return None
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    if status in (400, 403, 404, 409):
        return "bad_request"
    return "other"


class ObservedRequest(HTTPXRequest):
    """:class:`HTTPXRequest` that tells ``observer`` how each call went."""

    def __init__(self, observer: ApiObserver, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._observer = observer

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Send the request (see :meth:`HTTPXRequest.do_request`) and record its outcome."""
        try:
            status, payload = await super().do_request(*args, **kwargs)
        except TimedOut:
            self._observer.telegram_error("timeout")
            raise
        except NetworkError:
            self._observer.telegram_error("network")
            raise
        if status < 500:  # any answer from Telegram itself shows it is reachable
            self._observer.telegram_ok()
        if (kind := status_kind(status)) is not None:
            self._observer.telegram_error(kind)
        return status, payload
