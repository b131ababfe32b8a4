"""Webhook mode: Telegram (or a self-hosted Bot API server) POSTs updates to us.

A deliberately small HTTP/1.1 receiver on ``asyncio.start_server`` (PTB's own webhook server needs
tornado, which we do not ship). Each request must carry the ``X-Telegram-Bot-Api-Secret-Token``
set with ``setWebhook``, compared in constant time; anything else is refused with 403 before the
body is read. Accepted updates go onto the Application's update queue, exactly as polled ones.
Put a TLS-terminating reverse proxy in front when Telegram's cloud calls it (it requires HTTPS).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from urllib.parse import urlsplit

import structlog
from telegram import Update
from telegram.ext import Application

from intake.ops.listener import Listener

MAX_HEAD = 8192
MAX_BODY = 1024 * 1024  # an update is a few KB; files are never inside it
READ_TIMEOUT = 10.0
SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name, not a secret
log = structlog.get_logger("bot.webhook")
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
}


class WebhookServer:
    """Receives updates for ``app`` on ``host:port`` at the path of ``url``."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        url: str,
        secret: str,
        host: str,
        port: int,
    ) -> None:
        self._app = app
        self._path = urlsplit(url).path or "/"
        self._secret = secret.encode()
        self._listener = Listener(
            (host, port), self._serve, limit=MAX_HEAD, event="webhook_listening"
        )

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        return self._listener.port

    async def start(self) -> None:
        """Listen; raises OSError naming the address if it cannot bind."""
        await self._listener.start()

    async def stop(self) -> None:
        """Stop accepting requests."""
        await self._listener.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        status = 400
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                status = await self._receive(reader)
        except ConnectionError:
            return
        except Exception as exc:  # a malformed request or update: refuse it, keep serving
            log.warning("webhook_bad_request", error=type(exc).__name__)
            status = 400
        reason = _REASONS.get(status, "Error")
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    async def _receive(self, reader: asyncio.StreamReader) -> int:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        lines = head.split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if urlsplit(target).path != self._path:
            return 404
        if method != "POST":
            return 405
        given = headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook_bad_secret")
            return 403
        length = int(headers.get("content-length", "0"))
        if not 0 < length <= MAX_BODY:
            return 413
        data = json.loads(await reader.readexactly(length))
        update = Update.de_json(data, self._app.bot)
        await self._app.update_queue.put(update)
        return 200
