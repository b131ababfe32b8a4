"""A tiny HTTP/1.1 server on ``asyncio.start_server`` — just enough for httpx (keep-alive,
Content-Length or chunked bodies, JSON / urlencoded / multipart forms).

aiohttp is not installed and ``http.server`` would need a thread; this keeps the fake Bot API in the
test's own event loop, so tests can inject updates and await replies without sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    """One parsed HTTP request."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, object] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Response:
    """What a handler answers. ``drop`` closes the connection without any answer; ``cut`` sends
    the body without its last ``cut`` bytes and closes, the head saying what ``framing`` says
    (see :data:`tests.support.fakebot.faults.Framing`); ``trickle``: the body a byte at a time."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    drop: bool = False
    cut: int = 0
    framing: str = "declared"
    trickle: float = 0.0  # seconds between the body's bytes, sent one by one

    def head(self) -> bytes:
        """The status line and header fields of this answer."""
        reason = _REASONS.get(self.status, "Unknown")
        length = len(self.body) - (self.cut if self.framing == "reframed" else 0)
        framing = "" if self.cut and self.framing == "none" else f"Content-Length: {length}\r\n"
        return (
            f"HTTP/1.1 {self.status} {reason}\r\nContent-Type: {self.content_type}\r\n{framing}\r\n"
        ).encode()

    def sent_body(self) -> bytes:
        """The body bytes that go on the wire."""
        return self.body[: len(self.body) - self.cut] if self.cut else self.body

    @classmethod
    def json(cls, payload: object, status: int = 200) -> Response:
        return cls(status=status, body=json.dumps(payload).encode())


Handler = Callable[[Request], Awaitable[Response]]
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _decode_value(raw: str) -> object:
    # PTB sends every form value as a string; lists/objects/numbers are JSON-encoded inside it.
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, object], dict[str, bytes]]:
    """Parameters of a Bot API call, whatever encoding the client chose."""
    ctype = content_type.split(";")[0].strip().lower()
    if not body:
        return {}, {}
    if ctype == "application/json":
        data = json.loads(body)
        return (data if isinstance(data, dict) else {}), {}
    if ctype == "application/x-www-form-urlencoded":
        pairs = parse_qsl(body.decode(), keep_blank_values=True)
        return {k: _decode_value(v) for k, v in pairs}, {}
    if ctype == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        form: dict[str, object] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if not isinstance(name, str):
                continue
            if part.get_filename():
                files[name] = payload
            else:
                form[name] = _decode_value(payload.decode())
        return form, files
    return {}, {}


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readline()
    length = int(headers.get("content-length", "0"))
    return await reader.readexactly(length) if length else b""


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    body = await _read_body(reader, headers)
    form, files = parse_body(headers.get("content-type", ""), body)
    url = urlsplit(target)
    if url.query:
        form.update({k: _decode_value(v) for k, v in parse_qsl(url.query)})
    return Request(method, url.path, headers, body, form, files)


class HttpServer:
    """Serve ``handler`` on 127.0.0.1 at a free port; each connection handles requests in turn."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                response = await self._handler(request)
                if response.drop:
                    break
                writer.write(response.head() + (b"" if response.trickle else response.sent_body()))
                await writer.drain()
                if response.trickle:
                    for byte in response.sent_body():
                        await asyncio.sleep(response.trickle)  # the server's pace
                        writer.write(bytes([byte]))
                        await writer.drain()
                if response.cut or request.headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
