"""The Bot API client's connections: at most ``size`` requests in flight, idle connections kept
per origin and reused newest first.

A connection goes back to the pool only when its answer was complete (see :mod:`bot.http1`) and
nothing arrived since; one idle longer than ``idle_timeout`` is closed instead of reused, before
a server's own keep-alive timeout can close it under a request (nginx, in front of Telegram,
allows 75 s). Waiting for a free slot is bounded by the pool timeout.
"""

from __future__ import annotations

import asyncio
import math
import ssl
from collections.abc import Callable

from bot.wire import Wire, connect

Origin = tuple[str, str, int]  # scheme, host, port


class PoolTimeout(Exception):
    """Every connection stayed busy for the whole pool timeout; nothing was sent."""


class ConnectionPool:
    """Slots and idle connections; :meth:`acquire` a wire, :meth:`release` it after the answer."""

    def __init__(
        self, size: int, tls: Callable[[], ssl.SSLContext], idle_timeout: float = 30.0
    ) -> None:
        if size < 1:
            raise ValueError("the connection pool needs at least one connection")
        self._size = size
        self._tls = tls
        self._idle_timeout = idle_timeout
        self._slots = asyncio.Semaphore(size)
        self._idle: dict[Origin, list[tuple[Wire, float]]] = {}
        self._busy: set[Wire] = set()
        self.closed = False

    async def acquire(self, origin: Origin, pool_timeout: float, connect_deadline: float) -> Wire:
        """A connection to ``origin``: an idle one if any is still clean, else a new one."""
        if self.closed:
            raise RuntimeError("the Bot API client is shut down")
        if self._slots.locked():
            try:
                async with asyncio.timeout(None if pool_timeout == math.inf else pool_timeout):
                    await self._slots.acquire()
            except TimeoutError:
                raise PoolTimeout from None
        else:
            await self._slots.acquire()  # a free slot: returns at once
        try:
            wire = self._reuse(origin)
            if wire is None:
                scheme, host, port = origin
                context = self._tls() if scheme == "https" else None
                wire = await connect(host, port, context, connect_deadline)
        except BaseException:
            self._slots.release()
            raise
        self._busy.add(wire)
        return wire

    def release(self, origin: Origin, wire: Wire, reusable: bool) -> None:
        """Give the slot back; keep ``wire`` for the next request only if ``reusable``."""
        self._busy.discard(wire)
        self._slots.release()
        if not reusable or self.closed or not wire.idle_clean:
            wire.close()
            return
        idle = self._idle.setdefault(origin, [])
        idle.append((wire, asyncio.get_running_loop().time()))
        if len(idle) > self._size:
            idle.pop(0)[0].close()

    def _reuse(self, origin: Origin) -> Wire | None:
        idle = self._idle.get(origin)
        if not idle:
            return None
        oldest_allowed = asyncio.get_running_loop().time() - self._idle_timeout
        while idle:
            wire, since = idle.pop()
            if since >= oldest_allowed and wire.idle_clean:
                return wire
            wire.close()
        return None

    def close(self) -> None:
        """Close every connection; requests in flight fail, later ones raise RuntimeError."""
        self.closed = True
        for idle in self._idle.values():
            for wire, _ in idle:
                wire.close()
        self._idle.clear()
        for wire in list(self._busy):
            wire.close()
