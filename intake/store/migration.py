"""Schema v1/v2 → v3: open drafts carried over into sealed records with their keys in key slots.

Before key slots (schema v1, and v2, which only added the outbox's ``ack_hash``) the store kept,
per draft row, the witness's keyed hash in clear (``witness_key``), the draft's times in clear,
and the draft key wrapped under a key derived from the server key — so every old copy of a row
(WAL frames, freed pages) stayed readable by whoever had ``server.key``. That is why the upgrade
also replaces the server key (:mod:`intake.store.rotation`): the step runs with the ``old`` keys
to open rows and the ``new`` ones for everything it writes. For each old draft it:

1. opens it with the old keys (a row that does not open is dropped, with its blobs);
2. gives it a **new** random key in a key slot sealed under the new server key, tagged with the
   witness's keyed hash under the new witness secret (recomputed from the Telegram chat id the
   old hash proves, see :func:`_carried_tag`);
3. re-seals each attachment blob (``WIBLOB1`` → ``WIBLOB2``) under the new key: temp file, fsync,
   rename over the old one;
4. inserts the v3 row; then ``drafts`` and ``rate_limits`` are dropped — all in the migration's
   one transaction, committed after the new slots are durable.

A crash before the commit leaves the old schema intact; the next start finds the slots it staged
(same record id) and reuses their keys, so blobs already re-sealed still open. What older versions
left in free blocks — old rows, old blobs, old keyed hashes — is not erased, but once the server
key is replaced nothing on the disk opens or tests it any more (docs/threat-model.md §2).
"""

from __future__ import annotations

import hmac
import json
import os
from pathlib import Path
from typing import Any

import aiosqlite
import structlog

from crypto import sealbox as recipe
from intake.store import blobs, datadir
from intake.store.drafts import KIND, Draft, witness_tag
from intake.store.exceptions import DraftCorruptError
from intake.store.schema import Step
from intake.store.sealed import INSERT, Record, SealedRecords
from intake.store.serverkey import ServerKeys

log = structlog.get_logger(__name__)

V1_MAGIC = b"WIBLOB1\n"
_V1_CHANNELS = ("telegram",)  # the channels that kept drafts before key slots
_V1_COLUMNS = (
    "draft_id, witness_key, version, wrapped_key, body, created_at, updated_at, expires_at,"
    " sealing_id"
)


def v1_step(records: SealedRecords, old: ServerKeys, new: ServerKeys, data_dir: Path) -> Step:
    """The Python step of migration v3, for :func:`intake.store.schema.migrate`: rows opened with
    the ``old`` server key, carried over under ``new`` (the same when the key is not replaced)."""

    async def step(conn: aiosqlite.Connection) -> None:
        rows = list(await conn.execute_fetchall(f"SELECT {_V1_COLUMNS} FROM drafts"))  # noqa: S608
        carried: list[tuple[Record, bytes]] = []
        for row in rows:
            found = _open_v1(old, tuple(row))
            if found is None:
                continue
            draft_key, draft = found
            tag = _carried_tag(old, new, str(row[1]), draft)
            record = records.unclaimed(draft.draft_id)
            if record is None or record.tag != tag:
                # staged by an interrupted run (its key may have re-sealed blobs: kept) under
                # another tag: staged again with this one; the stale slot is zeroed at reconcile
                record = records.new(
                    KIND,
                    record_id=draft.draft_id,
                    expires_at=draft.expires_at,
                    tag=tag,
                    key=None if record is None else record.key,
                )
                await records.stage(record)
                records.note_staged(record)
                # the key on disk before any blob is re-sealed under it: a power loss between
                # the two would otherwise leave WIBLOB2 blobs whose key never reached the disk
                await records.sync()
            record.pending = draft.sealing_id is not None
            folder = data_dir / datadir.DRAFTS_DIR / draft.draft_id
            try:
                _reseal_blobs(folder, draft_key, records, record)
            except DraftCorruptError:  # dropped like an unreadable row (its slot is zeroed later)
                log.error("store_migration_blob_unreadable")
                continue
            carried.append((record, draft.to_plaintext()))
        if carried:
            await records.sync()
        for record, body in carried:
            await conn.execute(INSERT, records.insert_params(record, body))
        await conn.execute("DROP TABLE drafts")
        await conn.execute("DROP TABLE rate_limits")
        if rows:
            log.info("store_migrated_v3", drafts=len(carried), dropped=len(rows) - len(carried))

    return step


def _carried_tag(old: ServerKeys, new: ServerKeys, old_key: str, draft: Draft) -> bytes | None:
    """The draft's lookup tag under the ``new`` witness secret.

    The old tag is a keyed hash of the witness, which the store cannot reverse — but before key
    slots only Telegram kept drafts, and their private chat's id is the witness's user id, in the
    draft's channel data: the tag is recomputed when the old key proves that id. Otherwise the
    draft keeps no tag: it is no longer found by its witness, only by its id (an interrupted
    submit is still sealed; the rest expires), and that is logged."""
    if old == new:
        return witness_tag(old_key)
    channel = draft.body.get("channel")
    chat = channel.get("chat") if isinstance(channel, dict) else None
    if isinstance(chat, int) and not isinstance(chat, bool):
        for name in _V1_CHANNELS:
            if hmac.compare_digest(old.witness_key(name, chat), old_key):
                return witness_tag(new.witness_key(name, chat))
    log.warning("store_migration_draft_not_retagged")
    return None


def _open_v1(keys: ServerKeys, row: tuple[Any, ...]) -> tuple[bytes, Draft] | None:
    """(v1 draft key, draft) of a v1 row, or None if it does not open."""
    draft_id, _, version, wrapped, body, created, updated, expires, sealing = row
    try:
        key = recipe.open_sealed(keys.v1_wrap, bytes(wrapped), f"draft-key:{draft_id}".encode())
        plain = recipe.open_sealed(key, bytes(body), f"draft:{draft_id}:{version}".encode())
    except recipe.RecordError:
        log.error("store_migration_draft_unreadable")
        return None
    draft = Draft(
        draft_id=str(draft_id),
        witness_key="",
        version=0,
        key=b"",
        created_at=float(created),
        updated_at=float(updated),
        expires_at=float(expires),
        body=json.loads(plain),
        sealing_id=None if sealing is None else str(sealing),
    )
    return key, draft


def _reseal_blobs(folder: Path, v1_key: bytes, records: SealedRecords, record: Record) -> None:
    """Every ``WIBLOB1`` blob of the draft re-sealed as ``WIBLOB2`` under the new record key."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.blob")):
        attachment_id = path.stem
        with path.open("rb") as f:
            if f.read(len(V1_MAGIC)) != V1_MAGIC:
                continue  # already WIBLOB2 (an interrupted migration re-sealed it)
            label = b"witness-intake/attachment/v1:" + attachment_id.encode()
            reader = recipe.stream_reader(f, recipe.derive_key(v1_key, label), what=path.name)
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            try:
                with os.fdopen(fd, "wb", closefd=False) as out:
                    out.write(blobs.MAGIC)
                    with recipe.stream_writer(out, records.blob_key(record, attachment_id)) as w:
                        while piece := _read(reader, path):
                            w.write(piece)
                    out.flush()
                    os.fsync(fd)
            except BaseException:
                os.close(fd)
                tmp.unlink(missing_ok=True)
                raise
            os.close(fd)
        os.replace(tmp, path)
    datadir.fsync_dir(folder)


def _read(reader: recipe.StreamReader, path: Path) -> bytes:
    try:
        return reader.read(blobs.CHUNK)
    except recipe.RecordError:
        raise DraftCorruptError(f"v1 attachment blob {path.name} does not open") from None
