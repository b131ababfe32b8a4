"""One :class:`asyncio.Lock` per key, alive only while someone holds or awaits it.

The service serialises the events of one witness (key: the keyed hash) and the bot serialises the
updates of one Telegram user (key: the user id, in memory only) with this same helper. Waiters are
woken first-in first-out (:class:`asyncio.Lock`), so work on one key runs in the order it asked
for the lock; the table forgets a key as soon as nobody uses it, so it never grows with the
number of witnesses ever seen.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class _Entry:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # holding or waiting


class KeyLocks(Generic[K]):
    """A lock per key, created on first use and dropped when the last user leaves."""

    def __init__(self) -> None:
        self._entries: dict[K, _Entry] = {}

    @asynccontextmanager
    async def hold(self, key: K) -> AsyncIterator[None]:
        """Hold the lock of ``key`` for the ``async with`` block."""
        entry = self._entries.setdefault(key, _Entry())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]

    def __len__(self) -> int:
        """How many keys are held or awaited now."""
        return len(self._entries)
