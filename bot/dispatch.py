"""Updates run through the Application one witness at a time, and we learn when each is done.

python-telegram-bot's own Updater confirms an update to Telegram before any handler ran; here the
poller (:mod:`bot.poller`) and the webhook receiver (:mod:`bot.webhook`) hand every update to a
:class:`Dispatcher` and confirm it only once :meth:`Dispatcher.dispatch`'s future says it was
applied: its blocking handlers returned (the service committed the answer first, then the bot
replied) or its error handler recorded the failure and told the witness. A cancelled update (the
process is stopping) is not applied and stays unconfirmed, so Telegram delivers it again.

Updates of one Telegram user run in arrival order, one after the other; different users run
concurrently, within the Application's ``concurrent_updates`` cap. An update id seen again (Telegram
re-sends unconfirmed updates, and retries a webhook call that took too long) is not run twice: the
same future is returned.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque
from typing import Any

import structlog
from telegram import Update
from telegram.ext import Application

log = structlog.get_logger("bot.dispatch")

REMEMBERED = 10_000  # finished update ids kept to recognise a re-delivery within this process


def ordering_key(update: Update) -> tuple[str, int]:
    """Updates with the same key run in order: per user, else per chat, else on their own."""
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    return ("update", update.update_id)


class Dispatcher:
    """Per-witness queues in front of ``app.process_update``."""

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self._app = app
        self._queues: dict[tuple[str, int], deque[tuple[Update, asyncio.Future[bool]]]] = {}
        self._workers: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._futures: OrderedDict[int, asyncio.Future[bool]] = OrderedDict()
        self._running: set[int] = set()
        self.progress = asyncio.Event()  # set whenever an update finishes

    @property
    def in_flight(self) -> set[int]:
        """Ids of updates dispatched and not finished yet."""
        return set(self._running)

    def known(self, update_id: int) -> bool:
        """True if ``update_id`` was dispatched by this process (running or done)."""
        return update_id in self._futures

    def dispatch(self, update: Update) -> asyncio.Future[bool]:
        """Queue ``update`` behind the same witness's earlier ones. The future resolves to True
        once it was applied; it is cancelled if the dispatcher stops first. Synchronous, so two
        calls can never interleave with a worker deciding it is idle."""
        known = self._futures.get(update.update_id)
        if known is not None:
            return known
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._futures[update.update_id] = future
        self._running.add(update.update_id)
        key = ordering_key(update)
        queue = self._queues.setdefault(key, deque())
        queue.append((update, future))
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key, queue), name="updates")
        return future

    async def _work(self, key: tuple[str, int], queue: deque[tuple[Update, Any]]) -> None:
        try:
            while queue:
                update, future = queue[0]
                await self._apply(update)
                queue.popleft()
                self._finished(update.update_id)
                if not future.done():
                    future.set_result(True)
        finally:
            # No await between the empty queue and this: dispatch() cannot slip in between.
            del self._workers[key]
            del self._queues[key]
            for update, future in queue:  # cancelled: these stay unconfirmed
                self._running.discard(update.update_id)
                self._futures.pop(update.update_id, None)
                future.cancel()

    async def _apply(self, update: Update) -> None:
        app = self._app
        try:
            # The global cap on concurrent updates, and the latency metric, live there.
            await app.update_processor.process_update(update, app.process_update(update))
        except Exception as exc:  # PTB hands handler errors to the error handler itself
            log.error("update_not_processed", update_id=update.update_id, error=type(exc).__name__)

    def _finished(self, update_id: int) -> None:
        self._running.discard(update_id)
        while len(self._futures) > REMEMBERED:
            oldest = next(iter(self._futures))
            if oldest in self._running:
                break
            self._futures.popitem(last=False)
        self.progress.set()

    async def drain(self, grace: float) -> int:
        """Let updates in progress finish for up to ``grace`` seconds, then cancel the rest
        (they stay unconfirmed and come again after a restart). Returns how many were cancelled."""
        workers = list(self._workers.values())
        if not workers:
            return 0
        _, late = await asyncio.wait(workers, timeout=grace)
        cancelled = sum(len(self._queues.get(k, ())) for k, t in self._workers.items() if t in late)
        for task in late:
            task.cancel()
        for task in late:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if cancelled:
            log.warning("updates_left_for_redelivery", count=cancelled)
        return cancelled
