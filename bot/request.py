"""The HTTP client under PTB, chosen and observed: every Bot API call's outcome feeds the metrics.

Readiness ("Telegram reached in the last minute") and "Telegram API errors by kind" need to see
every call — long polling included — so the observation wraps the one method all calls pass:
:meth:`BaseRequest.do_request`, of whichever client runs (:class:`bot.lean_request.LeanRequest`,
or PTB's :class:`HTTPXRequest` for a proxy). Only the status and a kind are recorded; the URL (it
contains the token) and the body are never looked at.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.lean_request import LeanRequest

HttpClient = Literal["lean", "httpx"]
# Connections to the Bot API by client. The lean pool costs the same per call whatever its size;
# httpcore's pool bookkeeping grows faster than linearly with the connections in use, and 16
# measured 2x the throughput of 64 with httpx (docs/benchmarks.md).
DEFAULT_CONNECTIONS: dict[HttpClient, int] = {"lean": 64, "httpx": 16}


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


def make_request(client: HttpClient, **kwargs: Any) -> BaseRequest:
    """The request object of ``client`` (pool size and timeouts as HTTPXRequest names them)."""
    if client == "httpx":  # honours HTTPS_PROXY / ALL_PROXY, as PTB always did
        return HTTPXRequest(**kwargs)
    return LeanRequest(**kwargs)


class ObservedRequest(BaseRequest):
    """``inner`` (any :class:`BaseRequest`), telling ``observer`` how each call went."""

    __slots__ = ("_inner", "_observer")

    def __init__(self, inner: BaseRequest, observer: ApiObserver) -> None:
        self._inner = inner
        self._observer = observer

    @property
    def read_timeout(self) -> float | None:
        """The inner client's default read timeout."""
        return self._inner.read_timeout

    async def initialize(self) -> None:
        """Initialise the inner client."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Shut the inner client down."""
        await self._inner.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Send the request (see :meth:`BaseRequest.do_request`) and record its outcome."""
        try:
            status, payload = await self._inner.do_request(*args, **kwargs)
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
