"""Per-witness ordering for PTB's concurrent update processing.

PTB's ``ConversationHandler`` needs ``concurrent_updates=1``, which would queue every witness
behind every other witness's Bot API round trips. Instead updates run concurrently, and this
processor serialises only the updates of the same Telegram user: one lock per user
(:class:`intake.keylocks.KeyLocks`, the service's helper too), taken in the order PTB hands the
updates over (PTB starts one task per update in arrival order, and waiters are woken first-in
first-out). The lock covers everything the bot does
for an update — commit through the service, reply, record the message ids — so a witness's second
message can never overtake the first.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from intake.keylocks import KeyLocks


def ordering_key(update: object) -> int | None:
    """The Telegram user an update belongs to, or None for updates without one."""
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


class PerWitnessUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across users, in order within one user. Locks are dropped when idle."""

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        observe_latency: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: KeyLocks[int] = KeyLocks()  # one per Telegram user, while in use
        self._observe = observe_latency

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await ``coroutine`` while holding the lock of the update's user (if it has one)."""
        started = time.monotonic()
        try:
            await self._ordered(ordering_key(update), coroutine)
        finally:
            if self._observe is not None:
                self._observe(time.monotonic() - started)

    async def _ordered(self, key: int | None, coroutine: Awaitable[Any]) -> None:
        if key is None:
            await coroutine
            return
        async with self._locks.hold(key):
            await coroutine

    @property
    def active_witnesses(self) -> int:
        """Users with an update in progress or waiting (for tests and metrics)."""
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: locks are dropped as soon as they are idle."""
