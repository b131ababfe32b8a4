"""The store: one SQLite database (WAL, synchronous=FULL) plus encrypted blobs, in a private dir.

All writes go through :class:`GroupCommitWriter` on one connection; reads use a second, read-only
connection (WAL lets them run beside the writer). Every ``save``/``destroy`` returns only after its
transaction is fsync'd. The clock is injectable (``clock=``) so tests pass time in.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiosqlite

from intake.store import blobs, datadir, schema
from intake.store.drafts import DRAFT_COLUMNS, UPSERT_DRAFT, Draft, new_draft_id
from intake.store.exceptions import StoreError
from intake.store.gate import Reader, ReadGate
from intake.store.outbox_index import OutboxIndex
from intake.store.serverkey import KEY_SIZE, ServerKeys
from intake.store.writer import GroupCommitWriter, Op

DEFAULT_TTL = 24 * 3600.0
Clock = Callable[[], float]

_DELETE_DRAFT = "DELETE FROM drafts WHERE draft_id = ?"


class Store:
    """Encrypted drafts, attachment blobs, the outbox index and rate limits of one data dir."""

    def __init__(
        self,
        data_dir: Path,
        keys: ServerKeys,
        writer: GroupCommitWriter,
        reader: Reader,
        conns: tuple[aiosqlite.Connection, ...],
        *,
        clock: Clock,
        draft_ttl: float,
    ) -> None:
        """Use :meth:`open`; this only wires already-opened parts together."""
        self.data_dir = data_dir
        self.keys = keys
        self.clock = clock
        self.draft_ttl = draft_ttl
        self.writer = writer
        self._reader = reader
        self._conns = conns
        self.outbox = OutboxIndex(writer, reader)

    @classmethod
    async def open(
        cls, data_dir: Path, *, clock: Clock = time.time, draft_ttl: float = DEFAULT_TTL
    ) -> Store:
        """Open (creating on first run) the store in ``data_dir``.

        Raises :class:`~intake.store.exceptions.UnsafeDataDirError` if the dir or its files are
        accessible to other users, :class:`~intake.store.exceptions.StoreError` on a newer schema.
        """
        data_dir = datadir.ensure_private_dir(Path(data_dir))
        datadir.ensure_private_dir(data_dir / datadir.DRAFTS_DIR)
        datadir.ensure_private_dir(data_dir / datadir.OUTBOX_DIR)
        db_path = data_dir / datadir.DB_NAME
        key_path = data_dir / datadir.KEY_NAME
        if not key_path.exists() and db_path.exists() and db_path.stat().st_size > 0:
            # A fresh key would silently make every open draft unreadable: make it a decision.
            raise StoreError(
                f"{key_path} is missing but {db_path} exists: restore the server key, or move "
                "the database away to start over (its open drafts are lost)"
            )
        keys = ServerKeys.load_or_create(key_path)
        datadir.create_private_file(db_path)
        for suffix in ("-wal", "-shm"):
            extra = db_path.with_name(db_path.name + suffix)
            if extra.exists():
                datadir.check_private_file(extra)
        conn = await aiosqlite.connect(db_path, isolation_level=None)
        try:
            await schema.configure(conn)
            await schema.migrate(conn, str(db_path))
            reader = await aiosqlite.connect(db_path, isolation_level=None)
            await reader.execute("PRAGMA query_only=ON")
            await reader.execute("PRAGMA busy_timeout=10000")
        except BaseException:
            await conn.close()
            raise
        gate = ReadGate()
        writer = GroupCommitWriter(conn, gate)
        writer.start()
        return cls(
            data_dir,
            keys,
            writer,
            Reader(reader, gate),
            (conn, reader),
            clock=clock,
            draft_ttl=draft_ttl,
        )

    async def close(self) -> None:
        """Finish queued writes and close both connections."""
        await self.writer.close()
        for conn in self._conns:
            await conn.close()

    @property
    def outbox_dir(self) -> Path:
        """Where sealed submissions are written."""
        return self.data_dir / datadir.OUTBOX_DIR

    def draft_dir(self, draft_id: str) -> Path:
        """The folder of one draft's attachment blobs (may not exist yet)."""
        return self.data_dir / datadir.DRAFTS_DIR / draft_id

    def witness_key(self, channel: str, user_id: int | str) -> str:
        """The keyed hash that stands for a witness everywhere in the store."""
        return self.keys.witness_key(channel, user_id)

    # drafts -------------------------------------------------------------------------------------

    def new_draft(self, witness_key: str, body: dict[str, Any]) -> Draft:
        """A fresh draft with a random key (not yet saved)."""
        now = self.clock()
        return Draft(
            draft_id=new_draft_id(),
            witness_key=witness_key,
            version=0,
            key=os.urandom(KEY_SIZE),
            created_at=now,
            updated_at=now,
            expires_at=now + self.draft_ttl,
            body=body,
        )

    async def load_draft(self, witness_key: str) -> Draft | None:
        """The witness's open draft, decrypted, or None."""
        return await self._load_one("witness_key", witness_key)

    async def load_draft_by_id(self, draft_id: str) -> Draft | None:
        """An open draft by its id, or None."""
        return await self._load_one("draft_id", draft_id)

    async def _load_one(self, column: str, value: str) -> Draft | None:
        sql = f"SELECT {DRAFT_COLUMNS} FROM drafts WHERE {column} = ?"  # noqa: S608 (fixed names)
        row = await self._reader.fetchone(sql, (value,))
        return None if row is None else Draft.from_row(self.keys, row)

    async def save_draft(self, draft: Draft) -> None:
        """Durably store ``draft`` as its next version (commits before returning)."""
        draft.version += 1
        draft.updated_at = self.clock()
        await self.writer.write([(UPSERT_DRAFT, draft.to_row(self.keys))])

    async def destroy_draft(self, draft_id: str, *, extra_ops: list[Op] | None = None) -> None:
        """Delete a draft, its wrapped key and its blobs (with ``extra_ops`` in the same commit).

        The row (and with it the key) goes first, in a checkpointed transaction; the blob folder
        after. A crash in between leaves only undecryptable blobs, removed by :meth:`sweep_orphans`.
        """
        ops: list[Op] = [*(extra_ops or []), (_DELETE_DRAFT, (draft_id,))]
        await self.writer.write(ops, checkpoint=True)
        shutil.rmtree(self.draft_dir(draft_id), ignore_errors=True)

    async def destroy_witness_draft(self, witness_key: str) -> None:
        """Destroy the witness's draft row without reading it (used when it cannot be read)."""
        row = await self._reader.fetchone(
            "SELECT draft_id FROM drafts WHERE witness_key = ?", (witness_key,)
        )
        if row is not None:
            await self.destroy_draft(str(row[0]))

    async def expired_draft_ids(self) -> list[str]:
        """Ids of drafts past their expiry time (by the injected clock)."""
        sql = "SELECT draft_id FROM drafts WHERE expires_at <= ? ORDER BY expires_at"
        return [str(r[0]) for r in await self._reader.fetchall(sql, (self.clock(),))]

    async def draft_ids_expiring_by(self, moment: float) -> list[str]:
        """Ids of drafts that expire at or before ``moment`` (to warn their witnesses)."""
        sql = "SELECT draft_id FROM drafts WHERE expires_at <= ? ORDER BY expires_at"
        return [str(r[0]) for r in await self._reader.fetchall(sql, (moment,))]

    async def sealing_draft_ids(self) -> list[str]:
        """Ids of drafts whose submit began but did not finish (crash recovery)."""
        sql = "SELECT draft_id FROM drafts WHERE sealing_id IS NOT NULL"
        return [str(r[0]) for r in await self._reader.fetchall(sql)]

    async def count_drafts(self) -> int:
        """How many drafts are open."""
        row = await self._reader.fetchone("SELECT count(*) FROM drafts")
        return int(row[0]) if row else 0

    async def sweep_orphans(self) -> int:
        """Remove blob folders whose draft no longer exists (and stray temp blobs)."""
        root = self.data_dir / datadir.DRAFTS_DIR
        alive = {str(r[0]) for r in await self._reader.fetchall("SELECT draft_id FROM drafts")}
        removed = 0
        for entry in root.iterdir():
            if entry.name not in alive:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
            elif entry.is_dir():
                for tmp in entry.glob("*.tmp"):
                    tmp.unlink(missing_ok=True)
        return removed

    # attachments --------------------------------------------------------------------------------

    async def add_attachment(
        self, draft: Draft, chunks: AsyncIterator[bytes], max_bytes: int
    ) -> tuple[str, int, str]:
        """Stream an attachment into an encrypted blob; returns (attachment id, size, sha256)."""
        attachment_id = os.urandom(12).hex()
        folder = self.draft_dir(draft.draft_id)
        folder.mkdir(mode=0o700, exist_ok=True)
        size, sha256 = await blobs.write_blob(folder, draft.key, attachment_id, chunks, max_bytes)
        return attachment_id, size, sha256

    def read_attachment(self, draft: Draft, attachment_id: str) -> Iterator[bytes]:
        """The plaintext of one attachment, chunk by chunk (blocking file reads)."""
        return blobs.read_blob(self.draft_dir(draft.draft_id), draft.key, attachment_id)

    # rate limits --------------------------------------------------------------------------------

    async def hit_rate(self, witness_key: str, kind: str, window: int) -> int:
        """Count one event of ``kind`` in the current ``window``-second window; return the count."""
        start = int(self.clock()) // window * window
        sql = (
            "INSERT INTO rate_limits (witness_key, kind, window_start, count) VALUES (?, ?, ?, 1) "
            "ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count"
        )
        row = await self.writer.write([], fetch=(sql, (witness_key, kind, start)))
        return int(row[0])

    async def purge_rate_limits(self, older_than: float) -> None:
        """Forget rate-limit windows that started before ``older_than``."""
        sql = "DELETE FROM rate_limits WHERE window_start < ?"
        await self.writer.write([(sql, (older_than,))])
