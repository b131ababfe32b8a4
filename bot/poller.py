"""Long polling that confirms an update to Telegram only after it was applied.

Telegram keeps every update it handed out until a ``getUpdates`` call asks for a higher offset
(for up to 24 hours), and hands it out again until then. python-telegram-bot's Updater asks for
the next offset as soon as a batch is queued, so a crash before the handlers ran lost the batch.
This poller asks for the **lowest update id not yet applied** (see :mod:`bot.dispatch` for
"applied"), so a crash, a kill or a stop that cannot wait leaves those updates with Telegram, and
the next process gets them again. Nothing of an update is written to disk meanwhile.

While updates are in flight Telegram answers at once (it has unconfirmed updates to give), so
the loop does not long-poll then: it asks with ``timeout=0`` when something finished or after
:data:`BUSY_RECHECK` seconds for new arrivals, and never more often than every
:data:`MIN_BUSY_INTERVAL`. Updates it already holds are recognised by id before they are parsed
(parsing 100 updates costs ~12 ms). Telegram returns at most 100 updates per call, so an update
stuck at the head delays (never loses) later ones; handler time is bounded by the retry deadline.

After a restart, updates that were applied but not yet confirmed come again; the service
recognises them (``seq``, stored with the draft in the same commit as the answer) and the bot
then shows the current prompt again instead of applying them twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
import warnings
from collections.abc import Sequence
from typing import Any

import structlog
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.dispatch import Dispatcher
from bot.retry import RetryPolicy, error_kind, retry_after_seconds

log = structlog.get_logger("bot.poller")

BUSY_RECHECK = 0.25  # seconds between polls for new updates while others are in flight
MIN_BUSY_INTERVAL = 0.02  # at most 50 polls a second, however fast updates finish
READ_MARGIN = 10.0  # seconds a long poll may take beyond its timeout before it counts as lost
CONFIRM_TIMEOUT = 3.0  # the final confirmation at stop must not hold the shutdown

# getUpdates goes through do_api_request so that updates already in hand are not parsed again;
# PTB suggests its own get_updates for that, which parses every one of them.
warnings.filterwarnings("ignore", r"Please use 'Bot\.getUpdates'", PTBUserWarning)


class Poller:
    """Fetches updates for ``app`` and feeds them to ``dispatcher``; see the module docstring."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        dispatcher: Dispatcher,
        *,
        allowed_updates: Sequence[str],
        poll_timeout: int = 30,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._app = app
        self._dispatcher = dispatcher
        self._allowed = list(allowed_updates)
        self._timeout = poll_timeout
        self._retry = retry or RetryPolicy()
        self._pending: set[int] = set()  # fetched, not applied yet
        self._done: set[int] = set()  # applied, above the confirmed offset
        self._max_seen: int | None = None
        self._task: asyncio.Task[None] | None = None

    def safe_offset(self) -> int | None:
        """The offset that confirms exactly the updates applied so far."""
        if self._pending:
            return min(self._pending)
        return None if self._max_seen is None else self._max_seen + 1

    def start(self) -> asyncio.Task[None]:
        """Start polling in a task (it raises if the token is refused)."""
        self._task = asyncio.create_task(self.run(), name="getUpdates")
        return self._task

    async def run(self) -> None:
        """Poll until cancelled."""
        await self._delete_webhook()
        failures = 0
        last_poll = 0.0
        while True:
            busy = bool(self._pending)
            if busy:
                await self._wait_for_progress(last_poll)
            self._dispatcher.progress.clear()
            offset = self.safe_offset()
            last_poll = time.monotonic()
            try:
                raw = await self._get_updates(offset, 0 if busy else self._timeout)
            except (InvalidToken, Conflict, NetworkError, TelegramError) as exc:
                failures += 1
                await self._back_off(exc, failures)
                continue
            failures = 0
            if offset is not None:
                self._done = {i for i in self._done if i >= offset}
            self._take(raw)

    async def _wait_for_progress(self, last_poll: float) -> None:
        # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation that
        # arrives as the wait ends, and the poller would then never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(BUSY_RECHECK):
                await self._dispatcher.progress.wait()
        pause = last_poll + MIN_BUSY_INTERVAL - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)  # a rate limit on polling, not a synchronisation

    async def _get_updates(self, offset: int | None, wait: int) -> list[Any]:
        kwargs: dict[str, Any] = {"timeout": wait, "allowed_updates": self._allowed}
        if offset is not None:
            kwargs["offset"] = offset
        result = await self._app.bot.do_api_request(
            "getUpdates", api_kwargs=kwargs, read_timeout=wait + READ_MARGIN
        )
        return list(result) if isinstance(result, list) else []

    def _take(self, raw: list[Any]) -> None:
        for item in raw:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int):
                continue
            if update_id in self._pending or update_id in self._done:
                continue  # given again because an older update is still in flight
            if self._max_seen is not None and update_id <= self._max_seen:
                continue  # confirmed earlier
            self._max_seen = update_id
            try:
                update = Update.de_json(item, self._app.bot)
            except Exception as exc:  # an update PTB cannot read: confirm it, keep serving
                log.error("update_unreadable", update_id=update_id, error=type(exc).__name__)
                self._done.add(update_id)
                continue
            self._pending.add(update_id)
            future = self._dispatcher.dispatch(update)
            future.add_done_callback(functools.partial(self._applied, update_id))

    def _applied(self, update_id: int, future: asyncio.Future[bool]) -> None:
        self._pending.discard(update_id)
        if not future.cancelled():
            self._done.add(update_id)
        elif self._max_seen is not None:
            # Not applied (stopping): never confirm it, whatever finished after it.
            self._pending.add(update_id)

    async def _delete_webhook(self) -> None:
        """A webhook left set makes getUpdates fail with 409 Conflict; keep pending updates."""
        failures = 0
        while True:
            try:
                await self._app.bot.delete_webhook(drop_pending_updates=False)
                return
            except (InvalidToken, Conflict, NetworkError, TelegramError) as exc:
                failures += 1
                await self._back_off(exc, failures, method="deleteWebhook")

    async def _back_off(self, exc: Exception, failures: int, method: str = "getUpdates") -> None:
        if isinstance(exc, InvalidToken) or type(exc).__name__ == "EndPointNotFound":
            raise InvalidToken("the bot token was refused while polling") from None
        if isinstance(exc, RetryAfter):
            delay = retry_after_seconds(exc)
        else:
            base = min(self._retry.cap, self._retry.base * 2 ** min(failures - 1, 16))
            delay = base * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not crypto
        kind = "conflict" if isinstance(exc, Conflict) else error_kind(exc)
        delay = round(delay, 2)
        log.info("telegram_retry", method=method, kind=kind, attempt=failures, delay=delay)
        await asyncio.sleep(delay)  # backoff, as Telegram asks (cancelled at once on stop)

    async def stop(self, grace: float) -> None:
        """Stop polling, let updates in flight finish for up to ``grace`` seconds (the rest are
        left to Telegram), then confirm what was applied."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self._dispatcher.drain(grace)
        offset = self.safe_offset()
        if offset is None:
            return
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                await self._app.bot.do_api_request(
                    "getUpdates",
                    api_kwargs={"offset": offset, "limit": 1, "timeout": 0},
                    read_timeout=CONFIRM_TIMEOUT,
                )
        except (TimeoutError, TelegramError) as exc:
            # Harmless: applied updates come again and are recognised as replays.
            log.warning("updates_not_confirmed", error=type(exc).__name__)
