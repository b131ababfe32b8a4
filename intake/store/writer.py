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

from intake.store.gate import ReadGate

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

    def __init__(
        self, conn: aiosqlite.Connection, gate: ReadGate, *, max_batch: int = 1024
    ) -> None:
        """Write through ``conn``; close ``gate`` to readers while checkpointing."""
        self._conn = conn
        self._gate = gate
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
                try:
                    await self._commit_batch(batch)
                except BaseException as exc:  # never leave a caller waiting forever
                    for item in batch + self._queue:
                        _settle(item, exc)
                    self._queue.clear()
                    self._closing = True
                    raise
            if self._closing:
                return

    async def _commit_batch(self, batch: list[_Item]) -> None:
        results: list[BaseException | None]
        try:
            await self._transaction(batch)
            results = [None] * len(batch)
        except Exception as exc:
            if len(batch) == 1:
                results = [exc]
            else:
                log.warning("store_batch_retry", items=len(batch), error=type(exc).__name__)
                results = [await self._alone(item) for item in batch]
        done = zip(batch, results, strict=True)
        if any(item.checkpoint and error is None for item, error in done):
            await self._checkpoint()
        for item, error in zip(batch, results, strict=True):
            _settle(item, error)

    async def _alone(self, item: _Item) -> Exception | None:
        try:
            await self._transaction([item])
        except Exception as exc:
            return exc
        return None

    async def _checkpoint(self) -> None:
        """Move the WAL into the database and truncate it, with no reader of ours in the way.

        Runs after the commit, outside the retry logic: a failure here must not re-run writes
        that are already committed. With ``secure_delete`` the freed pages are zeroed as they are
        copied into the database; the WAL's old frames go with the truncation.
        """
        try:
            async with self._gate.exclusive():
                rows = list(await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
        except Exception as exc:
            log.error("store_checkpoint_failed", error=type(exc).__name__)
            return
        if rows and rows[0][0]:  # another process is reading; the WAL is reused later
            log.warning("store_checkpoint_busy")

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
                    rows = list(await conn.execute_fetchall(*item.fetch))
                    item.result = rows[0] if rows else None
            if run:
                await _flush(conn, run_sql, run)
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        self.batches += 1
        self.items += len(batch)


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
