"""A lean HTTP/1.1 keep-alive client for python-telegram-bot (:class:`LeanRequest`).

PTB's default :class:`~telegram.request.HTTPXRequest` spends 4–6 ms of CPU per Bot API call in
httpx/httpcore's pool scheduling and per-request machinery; under load that, not Telegram, is
what limits the bot (docs/benchmarks.md). This client does one call in a fraction of a
millisecond: asyncio transports (:mod:`bot.wire`), strict HTTP/1.1 framing (:mod:`bot.http1`),
a small pool (:mod:`bot.connpool`) and httpx's body encoding (:mod:`bot.formdata`).

It keeps :class:`HTTPXRequest`'s contract for :class:`~telegram.request.BaseRequest`: the same
timeouts (the media write timeout for uploads), :class:`~telegram.error.TimedOut` for every
timeout — with the same message for a pool timeout — and :class:`~telegram.error.NetworkError`
for everything else (an unforeseen exception too, so that every failed call is counted); HTTP
statuses (429 with ``retry_after``, 5xx…) are returned for PTB to interpret. One difference:
``read_timeout`` bounds the whole answer, not each read, so a server that trickles bytes cannot
hold a request open. Proxies are not supported (use ``httpx``, see ``TELEGRAM_HTTP_CLIENT``). No
message ever contains the URL: its path holds the bot token.
"""

from __future__ import annotations

import asyncio
import math
import ssl
from urllib.parse import quote, urlsplit

from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot import formdata
from bot.connpool import ConnectionPool, Origin, PoolTimeout
from bot.http1 import read_answer, request_head
from bot.wire import WireError, WireTimeout

# HTTPXRequest's own words, so logs and handling read the same whichever client runs.
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent "
    "to Telegram. Consider adjusting the connection pool size or the pool timeout."
)
MAX_ANSWER = 64 * 1024 * 1024  # getUpdates with 100 updates is far smaller; a file is not
_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "!#$%&'()*+,-./:;=?@[]^_`{|}~"  # printable ASCII stays as it is


def default_tls() -> ssl.SSLContext:
    """Certificate checks as httpx makes them: certifi's CA bundle when installed (httpx brings
    it), else the system's; host name checked; TLS 1.2 at least."""
    try:
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - httpx depends on certifi
        context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _seconds(value: ODVInput[float], default: float | None) -> float:
    chosen = default if isinstance(value, DefaultValue) else value
    return math.inf if chosen is None else float(chosen)


class _Target:
    """Where a URL points; ValueError (never quoting the URL) if it is unusable."""

    __slots__ = ("host_header", "origin", "path")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
        if scheme not in _PORTS or not host or parts.username or parts.password:
            raise ValueError("the Bot API URL must be http(s)://host[:port]/… without credentials")
        try:
            port = parts.port or _PORTS[scheme]
            host = host if host.isascii() else host.encode("idna").decode("ascii")
        except (ValueError, UnicodeError):
            raise ValueError("the Bot API URL has an invalid host or port") from None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not path.isprintable():
            raise ValueError("the Bot API URL contains control characters")
        path = quote(path, safe=_PATH_SAFE)  # non-ASCII as UTF-8 %XX, as httpx sends it
        self.origin: Origin = (scheme, host, port)
        self.path = path
        name = f"[{host}]" if ":" in host else host
        self.host_header = name if port == _PORTS[scheme] else f"{name}:{port}"


class LeanRequest(BaseRequest):
    """:class:`~telegram.request.BaseRequest` over :mod:`bot.connpool`; arguments as
    :class:`~telegram.request.HTTPXRequest`'s, plus ``tls`` (an SSL context, for tests) and
    ``max_answer`` (the largest body accepted, in bytes)."""

    __slots__ = ("_max_answer", "_pool", "_size", "_targets", "_timeouts", "_tls")

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        tls: ssl.SSLContext | None = None,
        max_answer: int = MAX_ANSWER,
    ) -> None:
        self._timeouts = (
            read_timeout, write_timeout, connect_timeout, pool_timeout, media_write_timeout,
        )  # fmt: skip
        self._size = connection_pool_size
        self._max_answer = max_answer
        self._tls = tls
        self._pool = ConnectionPool(connection_pool_size, self._context)
        self._targets: dict[str, _Target] = {}  # parsed once per method URL

    def _context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = default_tls()  # loading the CA bundle takes milliseconds: once
        return self._tls

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (see :attr:`BaseRequest.read_timeout`)."""
        return self._timeouts[0]

    async def initialize(self) -> None:
        """Open the pool again after :meth:`shutdown` (connections open on first use)."""
        if self._pool.closed:
            self._pool = ConnectionPool(self._size, self._context)

    async def shutdown(self) -> None:
        """Close every connection."""
        self._pool.close()

    def _target(self, url: str) -> _Target:
        target = self._targets.get(url)
        if target is None:
            target = _Target(url)
            if len(self._targets) < 256:  # Bot API methods, not arbitrary file URLs
                self._targets[url] = target
        return target

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request and return (status, body); see :meth:`BaseRequest.do_request`."""
        if self._pool.closed:
            raise RuntimeError("This LeanRequest is not initialized!")
        target = self._target(url)
        body, content_type, uploads = formdata.encode(request_data)
        default_read, default_write, default_connect, default_pool, media = self._timeouts
        headers = {"User-Agent": self.USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if body or method != "GET":
            headers["Content-Length"] = str(len(body))
        head = request_head(method, target.path, target.host_header, headers)
        loop = asyncio.get_running_loop()
        try:
            wire = await self._pool.acquire(
                target.origin,
                _seconds(pool_timeout, default_pool),
                loop.time() + _seconds(connect_timeout, default_connect),
            )
        except PoolTimeout as exc:
            raise TimedOut(message=POOL_TIMEOUT_MESSAGE) from exc
        except WireTimeout as exc:
            raise TimedOut from exc
        except OSError as exc:
            raise NetworkError(f"lean.ConnectError: {exc}") from exc
        except Exception as exc:  # unforeseen, as below: still a failed (and counted) call
            raise NetworkError(f"lean.ConnectError: {type(exc).__name__}") from exc
        reusable = False
        try:
            write = _seconds(write_timeout, media if uploads else default_write)
            await wire.write(head + body if len(body) < 65536 else head, loop.time() + write)
            if len(body) >= 65536:
                await wire.write(body, loop.time() + write)
            deadline = loop.time() + _seconds(read_timeout, default_read)
            answer = await read_answer(wire, self._max_answer, deadline, head=method == "HEAD")
            reusable = answer.reusable
        except WireTimeout as exc:
            raise TimedOut from exc
        except (WireError, OSError) as exc:
            raise NetworkError(f"lean.{type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # a case the framing code did not foresee is still a failed call
            # (counted as one, never a bare ValueError); only the type: the text may quote bytes
            raise NetworkError(f"lean.ProtocolError: {type(exc).__name__}") from exc
        finally:
            self._pool.release(target.origin, wire, reusable)
        return answer.status, answer.body
