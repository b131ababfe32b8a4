"""Webhook mode: Telegram (or a self-hosted Bot API server) POSTs updates to us.

A deliberately small HTTP/1.1 receiver on ``asyncio.start_server`` (PTB's own webhook server needs
tornado, which we do not ship). Each request must carry the ``X-Telegram-Bot-Api-Secret-Token``
set with ``setWebhook``, compared in constant time before anything else (the path included);
anything else is refused with 403 before the body is read. Accepted updates go through the same
dispatcher as polled ones, and the answer is 200 only once the update was applied — Telegram
re-sends any update it got no 2xx for.
Put a TLS-terminating reverse proxy in front when Telegram's cloud calls it (it requires HTTPS).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from urllib.parse import urlsplit

import structlog
from telegram import Update
from telegram.ext import Application

from bot.wiring import dispatcher_of
from intake.ops.responder import HttpResponder, Request, Response

MAX_BODY = 1024 * 1024  # an update is a few KB; files are never inside it
READ_TIMEOUT = 10.0
# Above Telegram's default of 40 simultaneous webhook connections (setWebhook max_connections).
MAX_CONNECTIONS = 64
# Telegram gives a webhook call about 60 s; answer before that, or it counts as a failure.
APPLY_TIMEOUT = 50.0
SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name, not a secret
log = structlog.get_logger("bot.webhook")


class WebhookServer(HttpResponder):
    """Receives updates for ``app`` on ``host:port`` at the path of ``url``; ``start``, ``stop``
    and ``port`` are the responder's."""

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
        super().__init__(
            (host, port),
            self._receive,
            event="webhook_listening",
            read_timeout=READ_TIMEOUT,
            max_connections=MAX_CONNECTIONS,
        )

    async def _receive(self, request: Request) -> Response:
        # The secret first: without it, nothing about this server (not even which path is
        # the webhook's) is told.
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook_bad_secret")
            return Response(403)  # before the body is read
        if request.path != self._path:
            return Response(404)
        if request.method != "POST":
            return Response(405, allow="POST")
        data = await request.body(MAX_BODY)
        try:
            update = Update.de_json(json.loads(data), self._app.bot)
        except Exception as exc:  # a malformed update: refuse it, keep serving
            log.warning("webhook_bad_request", error=type(exc).__name__)
            return Response(400)
        return Response(await self._apply(update))

    async def _apply(self, update: Update) -> int:
        """200 only once the update is applied: Telegram re-sends it on anything else."""
        future = dispatcher_of(self._app).dispatch(update)
        try:
            async with asyncio.timeout(APPLY_TIMEOUT):
                await asyncio.shield(future)  # a dropped connection must not cancel the update
        except (TimeoutError, asyncio.CancelledError):
            return 503  # still running (Telegram asks again: same update, same future) or stopping
        return 200
