"""Sealed records: encrypted rows whose only key lives in one key slot, shredded to destroy them.

A record (a draft, a chat clean-up, later a follow-up) is a row of the ``records`` table::

    record_id TEXT  kind TEXT  slot INTEGER  version INTEGER  pending INTEGER  body BLOB

``body`` is sealed (:func:`crypto.sealbox.seal`) under the record's own random key, with
``kind:record_id:version`` as associated data, and padded to a multiple of 256 bytes so its length
says little. The key is nowhere in SQLite: it is in slot ``slot`` of the key-slot file
(:mod:`intake.store.keyslots`), sealed under the slot-wrap key with the slot number as associated
data, next to the record's id and kind, its expiry time, and an optional 32-byte **lookup tag**
(for a draft, the witness's keyed hash). So nothing that names a witness, and no time of a
record, is in a page SQLite may copy into its WAL or free blocks: only random ids, a kind, a slot
number, a version counter and ciphertext.

Order of every change (:meth:`SealedRecords.commit`), so a crash at any instant is harmless:

1. new records' slots are written, and — for a plain destroy (cancel, decline, wipe, expiry) —
   destroyed records' slots zeroed; then ``fdatasync``: a committed row always has its key, and
   a destroyed record's key is gone from the disk before anything else happens;
2. one SQLite transaction inserts, updates and deletes rows (plus the caller's extra statements);
3. a destroy that carries extra statements (a submit: the outbox row) zeroes and ``fdatasync``\\ es
   its slots only now: until the outbox row is committed the draft must still open, so that the
   submit can run again after a crash. Only then does the caller return.

A power cut, which is what a seizure looks like, between 1 and 2 of a plain destroy thus leaves a
row without a key next to the old WAL and freed pages of its body — noise — rather than a key.
At start-up (:meth:`SealedRecords.load_slots`, then :meth:`reconcile`) a row whose slot does not
hold its key is deleted (that crash, or a torn slot), and a slot with no row is zeroed (crash
between 1 and 2 of a create, or between 2 and 3 of a submit). The index —
tag → record, id → record, expiry — is built in memory from the slots and never written anywhere.
"""

from __future__ import annotations

import asyncio
import os
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import structlog

from crypto import sealbox as recipe
from intake.store.exceptions import DraftCorruptError, StoreError
from intake.store.gate import Reader
from intake.store.keyslots import SLOT_SIZE, KeySlotFile
from intake.store.serverkey import ServerKeys
from intake.store.writer import GroupCommitWriter, Op

log = structlog.get_logger(__name__)

TAG_SIZE = 32
PAD = 256
_KIND_RE = re.compile(r"[a-z]{1,8}")
_SLOT = struct.Struct(">B8s16sd32s32s3x")  # format, kind, id, expires_at, key, tag: 100 bytes
_SLOT_FORMAT = 1
_SLOT_AAD = b"witness-intake/key-slot/v2:"
_BODY_AAD = b"witness-intake/record/v2:"
_BLOB_LABEL = b"witness-intake/blob/v2:"
assert _SLOT.size + recipe.OVERHEAD == SLOT_SIZE

INSERT = (
    "INSERT INTO records (record_id, kind, slot, version, pending, body) VALUES (?, ?, ?, ?, ?, ?)"
)
UPDATE = "UPDATE records SET version = ?, pending = ?, body = ? WHERE record_id = ?"
DELETE = "DELETE FROM records WHERE record_id = ?"


def rewrap_slot(index: int, data: bytes, old: ServerKeys, new: ServerKeys) -> bytes | None:
    """Slot ``index``'s bytes sealed under ``new``'s slot-wrap key: None if they already are, or
    if they open under neither key (a torn slot: left for :meth:`SealedRecords.reconcile`)."""
    aad = _SLOT_AAD + index.to_bytes(8, "big")
    try:
        recipe.open_sealed(new.slot_wrap, data, aad)
        return None
    except recipe.RecordError:
        pass
    try:
        plain = recipe.open_sealed(old.slot_wrap, data, aad)
    except recipe.RecordError:
        return None
    return recipe.seal(new.slot_wrap, plain, aad)


def new_record_id() -> str:
    """A random record id (128 bits, hex): says nothing about anyone."""
    return os.urandom(16).hex()


@dataclass(slots=True, eq=False)
class Record:
    """One record as the index knows it. ``key`` is its plaintext key: memory only."""

    record_id: str
    kind: str
    key: bytes = field(repr=False)
    expires_at: float
    tag: bytes | None = field(default=None, repr=False)
    slot: int | None = None  # None until created
    version: int = 0  # of the last committed body
    pending: bool = False  # work to finish after a crash (a draft: its submit began)
    gone: bool = False  # destroyed: never created or updated again under this key


def _aad(kind: str, record_id: str, version: int) -> bytes:
    return _BODY_AAD + f"{kind}:{record_id}:{version}".encode()


def _pad(data: bytes) -> bytes:
    padded = data + b"\x80"  # ISO/IEC 7816-4: a 0x80 byte, then zeros to the boundary
    return padded + bytes(-len(padded) % PAD)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\0")
    if not end.endswith(b"\x80"):
        raise recipe.RecordError("record padding is malformed")
    return end[:-1]


class SealedRecords:
    """Create, read, update and destroy sealed records; the in-memory index of the live ones."""

    def __init__(
        self, slots: KeySlotFile, keys: ServerKeys, writer: GroupCommitWriter, reader: Reader
    ) -> None:
        """Wire the parts; then :meth:`load_slots` and :meth:`reconcile` once."""
        self._slots = slots
        self._keys = keys
        self._writer = writer
        self._reader = reader
        self._live: dict[str, Record] = {}
        self._by_tag: dict[tuple[str, bytes], Record] = {}
        self._unclaimed: dict[int, Record] = {}  # decoded at start, not yet matched to a row
        self._torn: list[int] = []  # slots that did not open: zeroed by reconcile

    # the index ----------------------------------------------------------------------------

    def new(
        self,
        kind: str,
        *,
        expires_at: float,
        tag: bytes | None = None,
        record_id: str | None = None,
        key: bytes | None = None,
    ) -> Record:
        """A record in memory only; it exists on disk once :meth:`commit` creates it."""
        if not _KIND_RE.fullmatch(kind):
            raise ValueError(f"record kind must be 1-8 lowercase letters, got {kind!r}")
        if tag is not None and len(tag) != TAG_SIZE:
            raise ValueError(f"a lookup tag is {TAG_SIZE} bytes")
        return Record(record_id or new_record_id(), kind, key or recipe.new_key(), expires_at, tag)

    def get(self, record_id: str, kind: str | None = None) -> Record | None:
        """The live record with this id (and kind, if given), or None."""
        record = self._live.get(record_id)
        return None if record is None or (kind is not None and record.kind != kind) else record

    def find(self, kind: str, tag: bytes) -> Record | None:
        """The live record of ``kind`` with lookup tag ``tag`` (O(1), memory only)."""
        return self._by_tag.get((kind, tag))

    def of_kind(self, kind: str) -> list[Record]:
        """Every live record of ``kind``."""
        return [r for r in self._live.values() if r.kind == kind]

    def blob_key(self, record: Record, blob_id: str) -> bytes:
        """The key of one blob of ``record`` (one key per blob id: never reuse an id)."""
        return recipe.derive_key(record.key, _BLOB_LABEL + blob_id.encode())

    # reading and writing --------------------------------------------------------------------

    async def read(self, record: Record) -> bytes | None:
        """The record's body as last committed; None if its row is gone.

        Raises :class:`DraftCorruptError` if the row does not open under the record's key.
        """
        row = await self._reader.fetchone(
            "SELECT version, body FROM records WHERE record_id = ?", (record.record_id,)
        )
        if row is None:
            return None
        version, body = int(row[0]), bytes(row[1])
        try:
            plain = recipe.open_sealed(
                record.key, body, _aad(record.kind, record.record_id, version)
            )
            return _unpad(plain)
        except recipe.RecordError:
            raise DraftCorruptError(
                f"{record.kind} {record.record_id} v{version} does not open"
            ) from None

    def seal_body(self, record: Record, version: int, body: bytes) -> bytes:
        """``body`` sealed for ``record`` at ``version`` (what the ``body`` column holds)."""
        return recipe.seal(record.key, _pad(body), _aad(record.kind, record.record_id, version))

    async def commit(
        self,
        *,
        create: Sequence[tuple[Record, bytes]] = (),
        update: Sequence[tuple[Record, bytes]] = (),
        destroy: Iterable[Record] = (),
        extra_ops: Sequence[Op] = (),
    ) -> None:
        """Create, update and destroy records (and run ``extra_ops``) in one SQLite transaction.

        Returns once new keys were durable before the commit and destroyed keys are zeroed on
        disk: before it for a plain destroy, after it when ``extra_ops`` ride along (a submit's
        outbox row: the draft must open until that row is committed). Runs to the end even if the
        caller is cancelled, so the index, the slots and the rows never disagree within a run.
        """
        for record, _ in [*create, *update]:
            if record.gone:
                raise StoreError(f"{record.kind} {record.record_id} was destroyed")
        gone = [r for r in destroy if r.slot is not None and not r.gone]
        for record, _ in create:  # (a record destroyed in this commit may hand its tag on)
            live = None if record.tag is None else self.find(record.kind, record.tag)
            if live is not None and live not in gone:
                raise StoreError(f"a live {record.kind} already has this lookup tag")
        if not create and not gone:  # the hot path (an answer saved): no slot, no shield needed
            await self._writer.write([*self._updates(update), *extra_ops])
            for record, _ in update:
                record.version += 1  # (a cancelled caller may miss this: reads use the row's)
            return
        for record in gone:  # nobody may update it any more
            self._unindex(record)
            record.gone = True
        await asyncio.shield(self._commit(list(create), list(update), gone, list(extra_ops)))

    def _updates(self, update: Sequence[tuple[Record, bytes]]) -> list[Op]:
        ops: list[Op] = []
        for record, body in update:
            version = record.version + 1
            sealed = self.seal_body(record, version, body)
            ops.append((UPDATE, (version, int(record.pending), sealed, record.record_id)))
        return ops

    async def _commit(
        self,
        create: list[tuple[Record, bytes]],
        update: list[tuple[Record, bytes]],
        gone: list[Record],
        extra_ops: list[Op],
    ) -> None:
        staged: list[int] = []
        ops: list[Op] = []
        # A plain destroy zeroes the keys first; a submit's (extra_ops) after its commit.
        first = [] if extra_ops else [r.slot for r in gone if r.slot is not None]
        try:
            for record, body in create:
                await self.stage(record)
                staged.append(record.slot)  # type: ignore[arg-type]
                ops.append((INSERT, self.insert_params(record, body)))
            for index in first:
                self._slots.clear(index)
            if staged or first:
                await self._slots.sync()
            ops += self._updates(update)
            ops += extra_ops
            ops += [(DELETE, (r.record_id,)) for r in gone]
            await self._writer.write(ops)
        except Exception:
            for index in staged:  # the transaction was rolled back: these keys protect nothing
                self._slots.clear(index)
            for record in gone:  # rolled back: they still exist, and so must their keys
                if record.slot in first:
                    self._slots.write(record.slot, self._wrap(record))
            await self._slots.sync()
            for index in staged:
                self._slots.release(index)
            for record, _ in create:
                record.slot = None
            for record in gone:
                record.gone = False
                self._index(record)
            raise
        for record, _ in create:
            record.version = 1
            self._index(record)
        for record, _ in update:
            record.version += 1
        if first:  # zeroed and synced before the commit
            for index in first:
                self._slots.release(index)
        else:
            await self.shred(r.slot for r in gone if r.slot is not None)
        for record in gone:
            record.slot = None

    async def stage(self, record: Record) -> None:
        """Give ``record`` a slot and write its key there (durable after the next sync)."""
        record.slot = await self._slots.allocate()
        self._slots.write(record.slot, self._wrap(record))

    async def sync(self) -> None:
        """Wait until every slot written so far is on disk."""
        await self._slots.sync()

    def insert_params(self, record: Record, body: bytes) -> tuple[object, ...]:
        """The parameters of :data:`INSERT` for a staged record's first version."""
        sealed = self.seal_body(record, 1, body)
        return (record.record_id, record.kind, record.slot, 1, int(record.pending), sealed)

    async def shred(self, indices: Iterable[int]) -> None:
        """Zero these slots, wait until the zeros are on disk, then let them be reused."""
        done = list(indices)
        for index in done:
            self._slots.clear(index)
        if done:
            await self._slots.sync()
        for index in done:
            self._slots.release(index)

    # slots ----------------------------------------------------------------------------------

    def _wrap(self, record: Record) -> bytes:
        assert record.slot is not None
        plain = _SLOT.pack(
            _SLOT_FORMAT,
            record.kind.encode(),
            bytes.fromhex(record.record_id),
            record.expires_at,
            record.key,
            record.tag or bytes(TAG_SIZE),
        )
        return recipe.seal(self._keys.slot_wrap, plain, _SLOT_AAD + record.slot.to_bytes(8, "big"))

    def _unwrap(self, index: int, data: bytes) -> Record:
        aad = _SLOT_AAD + index.to_bytes(8, "big")
        plain = recipe.open_sealed(self._keys.slot_wrap, data, aad, what=f"key slot {index}")
        fmt, kind, rid, expires_at, key, tag = _SLOT.unpack(plain)
        if fmt != _SLOT_FORMAT:
            raise recipe.RecordError(f"key slot {index} has format {fmt}")
        return Record(
            rid.hex(), kind.rstrip(b"\0").decode(), key, expires_at,
            None if tag == bytes(TAG_SIZE) else tag, index,
        )  # fmt: skip

    def load_slots(self, raw: dict[int, bytes]) -> None:
        """Decode the non-zero slots read at start-up (before :meth:`reconcile`)."""
        for index, data in raw.items():
            try:
                self._unclaimed[index] = self._unwrap(index, data)
            except recipe.RecordError:
                self._torn.append(index)

    def unclaimed(self, record_id: str) -> Record | None:
        """A decoded slot of ``record_id`` not matched to a row yet (an interrupted migration)."""
        return next((r for r in self._unclaimed.values() if r.record_id == record_id), None)

    def note_staged(self, record: Record) -> None:
        """Remember a slot staged before :meth:`reconcile` (by the migration) as decoded."""
        assert record.slot is not None
        self._unclaimed[record.slot] = record

    async def reconcile(self) -> list[str]:
        """Match rows to slots: index the pairs, delete rows without a key, zero keys without a
        row. Returns the ids of the rows deleted (their blobs are the caller's to remove)."""
        rows = await self._reader.fetchall(
            "SELECT record_id, kind, slot, version, pending FROM records"
        )
        dead: list[str] = []
        for record_id, kind, slot, version, pending in rows:
            record = self._unclaimed.get(slot)
            if record is None or record.record_id != record_id or record.kind != kind:
                dead.append(str(record_id))
                continue
            del self._unclaimed[slot]
            record.version, record.pending = int(version), bool(pending)
            self._index(record)
        if dead:
            await self._writer.write([(DELETE, (rid,)) for rid in dead])
        orphans = [*self._unclaimed, *self._torn]
        self._unclaimed.clear()
        self._torn.clear()
        await self.shred(orphans)
        if dead or orphans:
            log.warning(
                "store_records_reconciled", rows_deleted=len(dead), slots_zeroed=len(orphans)
            )
        return dead

    def _index(self, record: Record) -> None:
        if record.tag is not None:
            key = (record.kind, record.tag)
            if key in self._by_tag and self._by_tag[key] is not record:
                raise StoreError(f"a live {record.kind} already has this lookup tag")
            self._by_tag[key] = record
        self._live[record.record_id] = record

    def _unindex(self, record: Record) -> None:
        self._live.pop(record.record_id, None)
        if record.tag is not None and self._by_tag.get((record.kind, record.tag)) is record:
            del self._by_tag[(record.kind, record.tag)]
