"""One small HTTP/1.1 responder, shared by the health server and the Telegram webhook receiver.

No framework (PTB's webhook server needs tornado, which we do not ship): :class:`Listener` accepts,
this reads one request per connection and writes one response with ``Connection: close``. What
both servers need so that neither becomes a way to stall the bot lives here once: a bounded
request head (431), a bounded body read only when the handler asks for it (413), one deadline for
reading the request and another for writing the answer, and a cap on simultaneous connections
(past it the oldest connection still silent is dropped for the new one, or, when every one is
being answered, the new one is closed at once). A handler sees a parsed :class:`Request` and
returns a :class:`Response`; raising :class:`HttpError` answers with that status.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import structlog

from intake.ops.listener import Listener

log = structlog.get_logger(__name__)

MAX_HEAD = 8192
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
MAX_CONNECTIONS = 32
REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Payload Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class HttpError(Exception):
    """Answer the request with ``status`` (and ``message`` as a plain-text body)."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(f"{status} {message}".strip())
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Response:
    """What to answer: a status, a body and its type; ``allow`` lists the methods on a 405."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    allow: str = ""


def text(status: int, message: str, *, allow: str = "") -> Response:
    """A plain-text response: ``message`` and a newline."""
    return Response(status, message.encode() + b"\n", allow=allow)


class Request:
    """One parsed request head; the body is read only through :meth:`body`."""

    def __init__(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        reader: asyncio.StreamReader,
        deadline: float,
    ) -> None:
        self.method = method
        self.path = path  # the target's path: no query, no scheme or host
        self.headers = headers  # names in lower case
        self._reader = reader
        self._deadline = deadline  # loop time by which the whole request must have arrived

    async def body(self, limit: int) -> bytes:
        """The body announced by ``Content-Length``: 413 when absent, empty or over ``limit``,
        400 when malformed or cut short; read within the same deadline as the head."""
        announced = self.headers.get("content-length", "0").strip()
        if not announced.isdigit():
            raise HttpError(400, "bad content-length")
        length = int(announced)
        if not 0 < length <= limit:
            raise HttpError(413, "body too large")
        try:
            async with asyncio.timeout_at(self._deadline):
                return await self._reader.readexactly(length)
        except asyncio.IncompleteReadError:
            raise HttpError(400, "incomplete request") from None


Handler = Callable[[Request], Awaitable[Response]]


class HttpResponder:
    """Serves ``handler`` on ``addr`` (host, port; port 0 picks a free one), one request per
    connection; ``event`` is the log event once listening."""

    def __init__(
        self,
        addr: tuple[str, int],
        handler: Handler,
        *,
        event: str,
        read_timeout: float = READ_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self._handler = handler
        self._read_timeout = read_timeout
        self._listener = Listener(addr, self._serve, limit=MAX_HEAD, event=event)
        self._max = max_connections
        self._open = 0
        # Connections whose request head has not arrived yet, oldest first (dicts keep order).
        self._waiting: dict[asyncio.StreamWriter, None] = {}

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        return self._listener.port

    async def start(self) -> None:
        """Bind and serve; raises OSError naming the address if it cannot bind."""
        await self._listener.start()

    async def stop(self) -> None:
        """Stop accepting connections and close the server."""
        await self._listener.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._open >= self._max:
            # Full. A client that connected and said nothing yet gives way to the new one, so
            # idle connections cannot keep a health check out; if every connection is being
            # served, the new one is refused at once rather than queued.
            idle = next(iter(self._waiting), None)
            if idle is None:
                writer.close()
                return
            del self._waiting[idle]
            idle.transport.abort()
        self._open += 1
        try:
            response, head_only = await self._answer(reader, writer)
            _write(writer, response, head_only)
            async with asyncio.timeout(WRITE_TIMEOUT):
                await writer.drain()
        except (ConnectionError, TimeoutError):
            pass
        finally:
            self._open -= 1
            self._waiting.pop(writer, None)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[Response, bool]:
        head_only = False
        try:
            self._waiting[writer] = None
            try:
                request = await self._read_head(reader)
            finally:
                self._waiting.pop(writer, None)
            head_only = request.method == "HEAD"
            return await self._handler(request), head_only
        except HttpError as err:
            return text(err.status, err.message), head_only
        except TimeoutError:
            return text(408, "request not received in time"), head_only
        except Exception as exc:  # a handler bug answers 500; the server keeps serving
            log.error("http_handler_failed", error=type(exc).__name__)
            return text(500, "internal error"), head_only

    async def _read_head(self, reader: asyncio.StreamReader) -> Request:
        deadline = asyncio.get_running_loop().time() + self._read_timeout
        try:
            async with asyncio.timeout_at(deadline):
                head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.LimitOverrunError, ValueError):
            raise HttpError(431, "request head too large") from None
        except asyncio.IncompleteReadError:
            raise HttpError(400, "incomplete request") from None
        lines = head[:-4].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise HttpError(400, "bad request line")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        return Request(parts[0], urlsplit(parts[1]).path, headers, reader, deadline)


def _write(writer: asyncio.StreamWriter, response: Response, head_only: bool) -> None:
    allow = f"Allow: {response.allow}\r\n" if response.status == 405 and response.allow else ""
    writer.write(
        (
            f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Error')}\r\n"
            f"Content-Type: {response.content_type}\r\n"
            f"Content-Length: {len(response.body)}\r\n"
            "Cache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            f"{allow}Connection: close\r\n\r\n"
        ).encode()
        + (b"" if head_only else response.body)
    )
