"""The store: SQLite (WAL, synchronous=FULL), the key-slot file, encrypted blobs, in a private dir.

All writes go through :class:`GroupCommitWriter` on one connection; reads use a second, read-only
connection (WAL lets them run beside the writer). Every ``save``/``destroy`` returns only after its
transaction is fsync'd — and, for a destroy, after the record's key slot is zeroed on disk. The
clock is injectable (``clock=``) so tests pass time in.

Two ways to open one: :meth:`Store.open` for the process that serves witnesses (it needs the
server key, owns the key-slot file — one such process per data dir — and upgrades older schemas),
and :meth:`Store.open_outbox` for ``intake export``, ``ack`` and ``status``, which touch only the
outbox index and counts and never see a key.
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
from intake.store.cleanups import Cleanups
from intake.store.drafts import KIND, Draft, witness_tag
from intake.store.exceptions import StoreError
from intake.store.gate import Reader, ReadGate
from intake.store.keyslots import KeySlotFile
from intake.store.migration import v1_step
from intake.store.mounts import shredding_warning
from intake.store.outbox_index import OutboxIndex
from intake.store.rotation import begin as begin_rotation
from intake.store.rotation import finish as finish_rotation
from intake.store.rotation import pending as rotation_pending
from intake.store.sealed import SealedRecords, rewrap_slot
from intake.store.serverkey import KeySource, ServerKeys, load
from intake.store.writer import GroupCommitWriter, Op

DEFAULT_TTL = 24 * 3600.0
Clock = Callable[[], float]


def default_key_source(data_dir: Path) -> KeySource:
    """``<data>/server.key``: the fallback when no better place is configured."""
    return KeySource(Path(data_dir) / datadir.KEY_NAME, "data dir")


def storage_warnings(data_dir: Path, source: KeySource) -> list[str]:
    """What makes a seized disk yield more than the design promises (for status and /health)."""
    found = [source.warning(), shredding_warning(Path(data_dir))]
    stray = Path(data_dir) / datadir.KEY_NAME
    if source.path != stray and stray.exists():
        found.append(
            f"an old server key is still in {stray} although the key now comes from "
            f"{source.origin}: destroy it with `shred -u {stray}` (it opens whatever older "
            "versions left on this disk)"
        )
    return [w for w in found if w]


class Store:
    """Sealed records (drafts, clean-ups), attachment blobs and the outbox index of a data dir."""

    def __init__(
        self,
        data_dir: Path,
        writer: GroupCommitWriter,
        reader: Reader,
        conns: tuple[aiosqlite.Connection, ...],
        *,
        clock: Clock,
        draft_ttl: float,
        keys: ServerKeys | None = None,
        records: SealedRecords | None = None,
        slots: KeySlotFile | None = None,
        warnings: tuple[str, ...] = (),
    ) -> None:
        """Use :meth:`open` or :meth:`open_outbox`; this only wires opened parts together."""
        self.data_dir = data_dir
        self.clock = clock
        self.draft_ttl = draft_ttl
        self.writer = writer
        self._reader = reader
        self._conns = conns
        self._keys = keys
        self._records = records
        self._slots = slots
        self.warnings = warnings
        self.outbox = OutboxIndex(writer, reader)
        self._cleanups = None if records is None else Cleanups(records, clock)

    @classmethod
    async def open(
        cls,
        data_dir: Path,
        *,
        key_source: KeySource | None = None,
        clock: Clock = time.time,
        draft_ttl: float = DEFAULT_TTL,
    ) -> Store:
        """Open (creating on first run) the store in ``data_dir`` to serve witnesses.

        ``key_source`` says where the server key is (default ``<data>/server.key``). Raises
        :class:`~intake.store.exceptions.UnsafeDataDirError` if the dir or its files are
        accessible to other users, :class:`~intake.store.exceptions.StoreError` on a newer schema,
        a missing or wrong server key, or a data dir another process is serving.
        """
        data_dir = datadir.ensure_private_dir(Path(data_dir))
        datadir.ensure_private_dir(data_dir / datadir.DRAFTS_DIR)
        datadir.ensure_private_dir(data_dir / datadir.OUTBOX_DIR)
        source = key_source or default_key_source(data_dir)
        conn, db_path = await _connect(data_dir)
        slots: KeySlotFile | None = None
        reader_conn: aiosqlite.Connection | None = None
        writer: GroupCommitWriter | None = None
        try:
            slots_path = data_dir / datadir.KEYSLOTS_NAME
            version = await schema.version_of(conn)
            old_drafts = 1 <= version < 3 and await _count(conn, "SELECT count(*) FROM drafts") > 0
            old_keys = keys = load(source, may_create=not slots_path.exists() and not old_drafts)
            rotation = None
            if 1 <= version < 3 or rotation_pending(source):  # see intake.store.rotation
                rotation = begin_rotation(source, keys, schema_version=version)
                keys = rotation.new
            previous = old_keys.slot_check if rotation else None
            slots, raw = KeySlotFile.open(slots_path, keys.slot_check, previous=previous)
            if rotation:
                raw = await _rewrapped(slots, raw, old_keys, keys)
            reader_conn, gate = await _reader(db_path), ReadGate()
            reader = Reader(reader_conn, gate)
            writer = GroupCommitWriter(conn, gate)
            records = SealedRecords(slots, keys, writer, reader)
            records.load_slots(raw)
            steps = {3: v1_step(records, old_keys, keys, data_dir)}
            await schema.migrate(conn, str(db_path), steps)
            if version < schema.LATEST:  # old pages out of the live WAL file
                await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if rotation:  # only now may the old key go: nothing needs it any more
                finish_rotation(rotation)
            writer.start()
            await records.reconcile()
        except BaseException:
            if writer is not None:
                await writer.close()
            if slots is not None:
                slots.close()
            if reader_conn is not None:
                await reader_conn.close()
            await conn.close()
            raise
        return cls(
            data_dir, writer, reader, (conn, reader_conn),
            clock=clock, draft_ttl=draft_ttl, keys=keys, records=records, slots=slots,
            warnings=tuple(storage_warnings(data_dir, source)),
        )  # fmt: skip

    @classmethod
    async def open_outbox(cls, data_dir: Path) -> Store:
        """Open an existing store for the outbox index and counts only, without the server key.

        Drafts cannot be read or changed through it, and it never touches the key-slot file,
        so it is safe beside a running ``intake run``.
        """
        data_dir = datadir.ensure_private_dir(Path(data_dir))
        conn, db_path = await _connect(data_dir)
        try:
            version = await schema.version_of(conn)
            if version < schema.LATEST:
                await schema.migrate(conn, str(db_path))  # refuses what needs the key
            reader, gate = await _reader(db_path), ReadGate()
        except BaseException:
            await conn.close()
            raise
        writer = GroupCommitWriter(conn, gate)
        writer.start()
        return cls(
            data_dir, writer, Reader(reader, gate), (conn, reader), clock=time.time,
            draft_ttl=DEFAULT_TTL,
        )  # fmt: skip

    async def close(self) -> None:
        """Finish queued writes, close both connections and release the key-slot file."""
        await self.writer.close()
        for conn in self._conns:
            await conn.close()
        if self._slots is not None:
            self._slots.close()

    @property
    def records(self) -> SealedRecords:
        """The sealed records (for record kinds of their own, e.g. follow-ups)."""
        if self._records is None:
            raise StoreError("this store was opened without the server key (outbox only)")
        return self._records

    @property
    def cleanups(self) -> Cleanups:
        """The chat clean-up records (see :mod:`intake.store.cleanups`)."""
        if self._cleanups is None:
            raise StoreError("this store was opened without the server key (outbox only)")
        return self._cleanups

    @property
    def outbox_dir(self) -> Path:
        """Where sealed submissions are written."""
        return self.data_dir / datadir.OUTBOX_DIR

    def draft_dir(self, draft_id: str) -> Path:
        """The folder of one draft's attachment blobs (may not exist yet)."""
        return self.data_dir / datadir.DRAFTS_DIR / draft_id

    def witness_key(self, channel: str, user_id: int | str) -> str:
        """The keyed hash that stands for a witness (in memory, and in its draft's key slot)."""
        if self._keys is None:
            raise StoreError("this store was opened without the server key (outbox only)")
        return self._keys.witness_key(channel, user_id)

    # drafts -------------------------------------------------------------------------------------

    def new_draft(
        self, witness_key: str, body: dict[str, Any], *, expires_at: float | None = None
    ) -> Draft:
        """A fresh draft with a random key (not yet saved: its first save creates it), kept
        for the store's draft TTL unless ``expires_at`` says otherwise."""
        now = self.clock()
        until = now + self.draft_ttl if expires_at is None else expires_at
        record = self.records.new(KIND, expires_at=until, tag=witness_tag(witness_key))
        return Draft(
            draft_id=record.record_id,
            witness_key=witness_key,
            version=0,
            key=record.key,
            created_at=now,
            updated_at=now,
            expires_at=record.expires_at,
            body=body,
            record=record,
        )

    async def load_draft(self, witness_key: str) -> Draft | None:
        """The witness's open draft, decrypted, or None (found through the in-memory index)."""
        record = self.records.find(KIND, witness_tag(witness_key))
        draft = None if record is None else await self._load(record.record_id)
        if draft is not None:
            draft.witness_key = witness_key
        return draft

    async def load_draft_by_id(self, draft_id: str) -> Draft | None:
        """An open draft by its id, or None."""
        return await self._load(draft_id)

    async def _load(self, draft_id: str) -> Draft | None:
        record = self.records.get(draft_id, KIND)
        body = None if record is None else await self.records.read(record)
        return None if record is None or body is None else Draft.from_record(record, body)

    async def save_draft(self, draft: Draft) -> None:
        """Durably store ``draft`` as its next version (its first save creates its key slot)."""
        record = draft.record
        if record is None:
            raise StoreError("a draft not made by this store cannot be saved")
        draft.updated_at = self.clock()
        record.pending = draft.sealing_id is not None
        change = [(record, draft.to_plaintext())]
        if record.slot is None:
            await self.records.commit(create=change)
        else:
            await self.records.commit(update=change)
        draft.version = record.version

    async def destroy_draft(
        self,
        draft_id: str,
        *,
        extra_ops: list[Op] | None = None,
        cleanup: dict[str, Any] | None = None,
        closing: str | None = None,
        receipt: str | None = None,
    ) -> str | None:
        """Destroy a draft: its row, its key slot (shredded), its blobs.

        ``extra_ops`` run in the same commit; with ``cleanup`` (the channel's data, non-empty) a
        clean-up record holding it, ``closing`` and ``receipt`` is created in that commit too,
        and its id returned. The blob folder goes last: without the key its blobs are noise
        anyway, and a crash before removing them leaves a folder :meth:`sweep_orphans` removes.
        """
        record = self.records.get(draft_id, KIND)
        created = []
        if record is not None and cleanup:
            created.append(self.cleanups.new(cleanup, closing, receipt=receipt))
        if record is not None or extra_ops:
            await self.records.commit(
                create=created, destroy=[record] if record else [], extra_ops=extra_ops or []
            )
        shutil.rmtree(self.draft_dir(draft_id), ignore_errors=True)
        return created[0][0].record_id if created else None

    async def replace_draft(self, old: Draft | None, new: Draft) -> None:
        """Create ``new`` (never saved yet) and destroy ``old`` (same witness, or None) in one
        commit: the witness has exactly one draft at every instant, and ``old``'s key is
        shredded. ``old``'s files go with it."""
        if new.record is None or new.record.slot is not None:
            raise StoreError("replace_draft needs a draft made by new_draft and not yet saved")
        new.updated_at = self.clock()
        destroy = [old.record] if old is not None and old.record is not None else []
        await self.records.commit(create=[(new.record, new.to_plaintext())], destroy=destroy)
        new.version = new.record.version
        if old is not None:
            shutil.rmtree(self.draft_dir(old.draft_id), ignore_errors=True)

    async def destroy_witness_draft(self, witness_key: str) -> None:
        """Destroy the witness's draft without reading it (used when it cannot be read)."""
        record = self.records.find(KIND, witness_tag(witness_key))
        if record is not None:
            await self.destroy_draft(record.record_id)

    async def expired_draft_ids(self) -> list[str]:
        """Ids of drafts past their expiry time (by the injected clock), oldest first."""
        return await self.draft_ids_expiring_by(self.clock())

    async def draft_ids_expiring_by(self, moment: float) -> list[str]:
        """Ids of drafts that expire at or before ``moment``, oldest first (from the index)."""
        late = [r for r in self.records.of_kind(KIND) if r.expires_at <= moment]
        return [r.record_id for r in sorted(late, key=lambda r: r.expires_at)]

    async def sealing_draft_ids(self) -> list[str]:
        """Ids of drafts whose submit began but did not finish (crash recovery)."""
        return [r.record_id for r in self.records.of_kind(KIND) if r.pending]

    async def count_drafts(self) -> int:
        """How many drafts are open."""
        return await self.count_records(KIND)

    async def count_records(self, kind: str) -> int:
        """How many sealed records of ``kind`` live (``reply``: staff replies waiting)."""
        if self._records is not None:
            return len(self._records.of_kind(kind))
        sql = "SELECT count(*) FROM records WHERE kind = ?"
        row = await self._reader.fetchone(sql, (kind,))
        return int(row[0]) if row else 0

    async def sweep_orphans(self) -> int:
        """Remove blob folders whose draft no longer exists (and stray temp blobs)."""
        root = self.data_dir / datadir.DRAFTS_DIR
        alive = {r.record_id for r in self.records.of_kind(KIND)}
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
        key = self._blob_key(draft, attachment_id)
        size, sha256 = await blobs.write_blob(folder, key, attachment_id, chunks, max_bytes)
        return attachment_id, size, sha256

    def read_attachment(self, draft: Draft, attachment_id: str) -> Iterator[bytes]:
        """The plaintext of one attachment, chunk by chunk (blocking file reads)."""
        blobs.blob_path(self.draft_dir(draft.draft_id), attachment_id)  # refuses a forged id
        key = self._blob_key(draft, attachment_id)
        return blobs.read_blob(self.draft_dir(draft.draft_id), key, attachment_id)

    def _blob_key(self, draft: Draft, attachment_id: str) -> bytes:
        if draft.record is None:
            raise StoreError("a draft not made by this store has no blobs")
        return self.records.blob_key(draft.record, attachment_id)


async def _connect(data_dir: Path) -> tuple[aiosqlite.Connection, Path]:
    db_path = data_dir / datadir.DB_NAME
    datadir.create_private_file(db_path)
    for suffix in ("-wal", "-shm"):
        extra = db_path.with_name(db_path.name + suffix)
        if extra.exists():
            datadir.check_private_file(extra)
    conn = await aiosqlite.connect(db_path, isolation_level=None)
    try:
        await schema.configure(conn)
    except BaseException:
        await conn.close()
        raise
    return conn, db_path


async def _rewrapped(
    slots: KeySlotFile, raw: dict[int, bytes], old: ServerKeys, new: ServerKeys
) -> dict[int, bytes]:
    """Every slot still sealed under the old server key re-sealed under the new one, durably."""
    out = dict(raw)
    for index, data in raw.items():
        sealed = rewrap_slot(index, data, old, new)
        if sealed is not None:
            slots.write(index, sealed)
            out[index] = sealed
    await slots.sync()
    return out


async def _reader(db_path: Path) -> aiosqlite.Connection:
    reader = await aiosqlite.connect(db_path, isolation_level=None)
    await reader.execute("PRAGMA query_only=ON")
    await reader.execute("PRAGMA temp_store=MEMORY")
    await reader.execute("PRAGMA busy_timeout=10000")
    return reader


async def _count(conn: aiosqlite.Connection, sql: str) -> int:
    rows = list(await conn.execute_fetchall(sql))
    return int(rows[0][0]) if rows else 0
