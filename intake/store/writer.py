"""Group commit: one writer task, many callers, one fsync per batch.

A durable reply needs an fsync'd commit per answer. Done one by one, the disk's fsync rate caps the
whole service. Instead every write is queued; a single task takes everything queued, runs it in one
transaction (consecutive identical statements through ``executemany``), commits once, and only then
resolves each caller's future — so each caller still returns only after *its* data is on disk.

If a batch fails, it is rolled back and its items are retried one transaction each, so one bad write
fails only its own caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiosqlite
import structlog

Op = tuple[str, Sequence[Any]]

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class _Item:
    ops: Sequence[Op]
    fetch: Op | None
    checkpoint: bool
    future: asyncio.Future[Any]
    result: Any = field(default=None)


class WriterClosedError(RuntimeError):
    """A write was submitted after :meth:`GroupCommitWriter.close`."""


class GroupCommitWriter:
    """Owns the write connection; serialises and batches every write transaction."""

    def __init__(self, conn: aiosqlite.Connection, *, max_batch: int = 1024) -> None:
        self._conn = conn
        self._max_batch = max_batch
        self._queue: list[_Item] = []
        self._wakeup = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self.batches = 0  # for the benchmark: how many commits served how many writes
        self.items = 0

    def start(self) -> None:
        """Start the writer task on the running loop."""
        self._task = asyncio.create_task(self._run(), name="store-group-commit")

    async def write(
        self, ops: Sequence[Op], *, fetch: Op | None = None, checkpoint: bool = False
    ) -> Any:
        """Run ``ops`` (then ``fetch``, returning its first row) durably; return after commit.

        ``checkpoint`` asks for ``wal_checkpoint(TRUNCATE)`` after the commit, so pages that held
        destroyed data leave the WAL before the caller is told it is gone.
        """
        if self._closing or self._task is None:
            raise WriterClosedError("store is closed")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Item(ops, fetch, checkpoint, future))
        self._wakeup.set()
        return await future

    async def close(self) -> None:
        """Finish everything queued, then stop."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                await self._commit_batch(batch)
            if self._closing:
                return

    async def _commit_batch(self, batch: list[_Item]) -> None:
        try:
            await self._transaction(batch)
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0], exc)
                return
            log.warning("store_batch_retry", items=len(batch), error=type(exc).__name__)
            for item in batch:
                try:
                    await self._transaction([item])
                except Exception as single:
                    _settle(item, single)
                else:
                    _settle(item, None)
            return
        for item in batch:
            _settle(item, None)

    async def _transaction(self, batch: list[_Item]) -> None:
        conn = self._conn
        await conn.execute("BEGIN IMMEDIATE")
        try:
            run_sql: str | None = None
            run: list[Sequence[Any]] = []
            for item in batch:
                for sql, params in item.ops:
                    if sql != run_sql and run:
                        await _flush(conn, run_sql, run)
                        run = []
                    run_sql = sql
                    run.append(params)
                if item.fetch is not None:
                    if run:
                        await _flush(conn, run_sql, run)
                        run, run_sql = [], None
                    async with conn.execute(*item.fetch) as cur:
                        item.result = await cur.fetchone()
            if run:
                await _flush(conn, run_sql, run)
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        self.batches += 1
        self.items += len(batch)
        if any(item.checkpoint for item in batch):
            async with conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
                row = await cur.fetchone()
            if row is not None and row[0]:
                log.warning("store_checkpoint_busy")


async def _flush(conn: aiosqlite.Connection, sql: str | None, run: list[Sequence[Any]]) -> None:
    assert sql is not None
    if len(run) == 1:
        await conn.execute(sql, run[0])
    else:
        await conn.executemany(sql, run)


def _settle(item: _Item, exc: BaseException | None) -> None:
    if item.future.done():  # the caller was cancelled; the write happened (or not) regardless
        return
    if exc is None:
        item.future.set_result(item.result)
    else:
        item.future.set_exception(exc)
