"""A raw TCP (or TLS) server on loopback whose every answer a test scripts byte by byte: truncated
bodies, no Content-Length, stalled headers, resets — what a broken or hostile Bot API server (or
something in between) may send. Also a self-signed certificate for TLS tests.

    async def answer(conn: RawConn) -> None:
        await conn.request()                       # read one request (head + body)
        conn.send(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\n{}")

    async with RawServer(answer) as server:        # server.url("/botTOKEN/getMe")
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import ipaddress
import socket
import ssl
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.fakebot.http import Request, parse_body


@dataclass
class RawConn:
    """One accepted connection, as the script sees it."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    requests: list[Request] = field(default_factory=list)

    async def request(self) -> Request | None:
        """The next request on this connection, or None once the client closed it."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        form, files = parse_body(headers.get("content-type", ""), body)
        request = Request(method, target, headers, body, form, files)
        self.requests.append(request)
        return request

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    def reset(self) -> None:
        """Abort with a TCP RST (SO_LINGER 0), as a crashed proxy would."""
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


Script = Callable[[RawConn], Awaitable[None]]


def ok(body: bytes = b'{"ok":true,"result":true}', extra: str = "") -> bytes:
    """A well-formed 200 answer with Content-Length (``extra``: more header lines)."""
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def serve_ok(conn: RawConn) -> None:
    """Answer every request on the connection with :func:`ok`."""
    while await conn.request() is not None:
        conn.send(ok())


class RawServer:
    """Run ``script`` for every connection; counts connections and keeps them for inspection."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        self.script = script
        self.tls = tls
        self.connections: list[RawConn] = []
        self.closed = asyncio.Event()  # set whenever a connection's script ends
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self.tls)
        return self

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for conn in self.connections:
            conn.writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = RawConn(reader, writer)
        self.connections.append(conn)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self.script(conn)
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.drain()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # cancelled by __aexit__: end quietly (asyncio would log a cancelled handler)
        finally:
            self._tasks.discard(task)
            writer.transport.abort()
            self.closed.set()


def self_signed(
    folder: Path, name: str = "localhost", *, loopback: bool = True
) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (and 127.0.0.1 if ``loopback``), and its key:
    (cert, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dtm.datetime.now(dtm.UTC)
    san: list[x509.GeneralName] = [x509.DNSName(name)]
    if loopback:
        san.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dtm.timedelta(minutes=5))
        .not_valid_after(now + dtm.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
