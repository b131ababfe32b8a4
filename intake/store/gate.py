"""A gate that lets the writer checkpoint with no reader in the way.

``wal_checkpoint(TRUNCATE)`` must wait until no connection is reading the WAL. Under load the
store's read connection is almost never idle, so the checkpoint would starve for the whole busy
timeout. All reads of this process pass through :meth:`ReadGate.reading`; the writer closes the
gate, waits for reads in flight to finish (milliseconds), checkpoints, and reopens it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite


class ReadGate:
    """Many concurrent readers, or one exclusive holder (the writer, to checkpoint)."""

    def __init__(self) -> None:
        self._readers = 0
        self._open = asyncio.Event()
        self._open.set()
        self._idle = asyncio.Event()
        self._idle.set()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[None]:
        """Hold a read slot (waits while the gate is closed)."""
        while not self._open.is_set():
            await self._open.wait()
        self._readers += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._readers -= 1
            if self._readers == 0:
                self._idle.set()

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Close the gate and wait until no read is in flight."""
        self._open.clear()
        try:
            await self._idle.wait()
            yield
        finally:
            self._open.set()


class Reader:
    """The store's read-only connection, every query passing through the gate.

    Each query runs to completion in one call on the connection's thread (``execute_fetchall``).
    A cursor stepped in one call and closed in a later one would keep the connection's read
    transaction open in between, and queries of other witnesses interleaved there would read that
    old snapshot — a just-committed answer would look lost.
    """

    def __init__(self, conn: aiosqlite.Connection, gate: ReadGate) -> None:
        """Wrap ``conn`` (opened with ``query_only``)."""
        self._conn = conn
        self._gate = gate

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of ``sql``."""
        async with self._gate.reading():
            return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first row of ``sql``, or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None
