"""Placing replies through the running bot: a private Unix socket in the data dir.

Only the process serving witnesses holds the key-slot file, and a waiting reply's tag may exist on
disk only inside a key slot. So ``intake ack`` does not write replies anywhere itself — a spool
file would leave the tag in freed blocks — but hands each one to ``intake run`` over
``<data>/replies.sock`` (mode 0600 in the 0700 data dir: only the service's user can connect),
which makes it a sealed record and answers once that is on disk. Nothing of a reply touches the
disk on the way but as that record.

The protocol is one request per reply, each a line of JSON and the sealed bytes::

    → {"op": "place", "reply_id": "<32 hex>", "mailbox_tag": "<64 hex>", "size": N}\\n + N bytes
    ← {"ok": true, "placed": true | false}\\n        (false: that reply was waiting already)
    ← {"ok": false, "error": "…"}\\n

Lines are at most 4 KiB, a reply at most :data:`~intake.followup.mailboxes.MAX_REPLY_BYTES`;
a silent client is dropped after :data:`READ_TIMEOUT` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

import structlog

from intake.followup.mailboxes import MAX_REPLY_BYTES, Mailboxes, MailboxFullError

log = structlog.get_logger(__name__)

SOCKET_NAME = "replies.sock"
MAX_LINE = 4096
READ_TIMEOUT = 30.0
MAX_CLIENTS = 4
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_AGE_MAGIC = b"age-encryption.org/v1\n"


class PlacementError(Exception):
    """The running bot could not be reached, or refused a reply; the message says which."""


def socket_path(data_dir: Path) -> Path:
    """Where the running bot listens for replies."""
    return Path(data_dir) / SOCKET_NAME


class PlacementServer:
    """The bot's end of the socket (started by ``intake run``)."""

    def __init__(self, data_dir: Path, mailboxes: Mailboxes) -> None:
        """Listen at ``<data_dir>/replies.sock`` once :meth:`start` is called."""
        self.path = socket_path(data_dir)
        self.mailboxes = mailboxes
        self._server: asyncio.AbstractServer | None = None
        self._clients = asyncio.Semaphore(MAX_CLIENTS)

    async def start(self) -> None:
        """Listen (a socket left by a crashed run is replaced; ours is private to our user)."""
        if self.path.is_socket() or self.path.is_symlink():
            self.path.unlink()
        old = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)

    async def stop(self) -> None:
        """Stop listening and remove the socket."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async with self._clients:
            try:
                while await self._one(reader, writer):
                    pass
            except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                pass
            finally:
                writer.close()
                with contextlib.suppress(ConnectionError):
                    await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        async with asyncio.timeout(READ_TIMEOUT):
            line = await reader.readline()
        if not line:
            return False
        if len(line) > MAX_LINE or not line.endswith(b"\n"):
            await _answer(writer, {"ok": False, "error": "request line too long"})
            return False
        request = _request(line)
        if isinstance(request, str):
            await _answer(writer, {"ok": False, "error": request})
            return False
        async with asyncio.timeout(READ_TIMEOUT):
            sealed = await reader.readexactly(request.size)
        if not sealed.startswith(_AGE_MAGIC):
            await _answer(writer, {"ok": False, "error": "not an age file"})
            return True
        try:
            placed = await self.mailboxes.place(
                bytes.fromhex(request.tag), request.reply_id, sealed
            )
        except MailboxFullError as exc:
            await _answer(writer, {"ok": False, "error": str(exc)})
            return True
        await _answer(writer, {"ok": True, "placed": placed})
        return True


@dataclass(frozen=True, slots=True)
class _Request:
    reply_id: str
    tag: str
    size: int


def _request(line: bytes) -> _Request | str:
    try:
        doc = json.loads(line)
    except ValueError:
        return "not JSON"
    if not isinstance(doc, dict) or doc.get("op") != "place":
        return "unknown request"
    reply_id, tag, size = doc.get("reply_id"), doc.get("mailbox_tag"), doc.get("size")
    if not isinstance(reply_id, str) or not _HEX32.fullmatch(reply_id):
        return "reply_id is not 32 hex digits"
    if not isinstance(tag, str) or not _HEX64.fullmatch(tag):
        return "mailbox_tag is not 64 hex digits"
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= MAX_REPLY_BYTES:
        return f"size must be 1 to {MAX_REPLY_BYTES}"
    return _Request(reply_id, tag, size)


async def _answer(writer: asyncio.StreamWriter, doc: dict[str, object]) -> None:
    writer.write(json.dumps(doc).encode() + b"\n")
    await writer.drain()


class PlacementClient:
    """``intake ack``'s end: one connection, one reply at a time (blocking)."""

    def __init__(self, data_dir: Path, timeout: float = 60.0) -> None:
        """Connect to the bot serving ``data_dir``; :class:`PlacementError` if none is."""
        path = socket_path(data_dir)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        try:
            self._sock.connect(str(path))
        except OSError as exc:
            self._sock.close()
            raise PlacementError(
                f"the bot is not running on this data dir ({path}: {exc.strerror or exc}); "
                "replies are placed by the running `intake run`"
            ) from None
        self._file = self._sock.makefile("rb")

    def place(self, reply_id: str, mailbox_tag: str, sealed: bytes) -> bool:
        """Hand one reply over; True if placed now, False if it was waiting already."""
        head = {
            "op": "place",
            "reply_id": reply_id,
            "mailbox_tag": mailbox_tag,
            "size": len(sealed),
        }
        try:
            self._sock.sendall(json.dumps(head).encode() + b"\n" + sealed)
            line = self._file.readline(MAX_LINE)
        except OSError as exc:
            raise PlacementError(f"the bot stopped answering ({exc.strerror or exc})") from None
        try:
            answer = json.loads(line)
        except ValueError:
            raise PlacementError("the bot's answer was not understood") from None
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            error = answer.get("error") if isinstance(answer, dict) else None
            raise PlacementError(f"the bot refused the reply: {error or 'no reason given'}")
        return bool(answer.get("placed"))

    def close(self) -> None:
        """Close the connection."""
        self._file.close()
        self._sock.close()
