"""Waiting replies: one sealed record each, found only by a tag that lives inside its key slot.

A reply staff sealed to a witness's follow-up recipient waits on the server until the witness
comes back with the code. It is a sealed record of kind ``reply`` (:mod:`intake.store.sealed`):

* its **lookup tag** is ``HMAC(mailbox tag, "reply:<n>")`` for the n-th waiting reply of that
  mailbox (n < :data:`MAX_WAITING`), so several replies wait side by side and each has its own
  expiry; the tag exists on disk only inside the record's live key slot — never in a file name,
  never in SQLite — and the index tag → record is built in memory at start-up;
* its **body** (sealed under the record key) holds the reply's random id, its blob id, size and
  the time it was placed;
* the reply itself — an age file only the witness's code opens — is a blob
  ``replies/<record id>/<blob id>.blob`` encrypted once more under a key derived from the record
  key: once the slot is shredded, every copy left in free blocks is noise even to someone who
  has the code, or the server key.

:meth:`Mailboxes.delivered` (the witness read it) and :meth:`Mailboxes.expire` (nobody came for
it) shred the slot first, then remove the blob folder; a crash in between leaves a folder the
start-up sweep removes.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from crypto import sealbox
from intake.keylocks import KeyLocks
from intake.store import Store
from intake.store.blobs import read_blob, write_blob
from intake.store.datadir import ensure_private_dir
from intake.store.sealed import Record

log = structlog.get_logger(__name__)

KIND = "reply"
REPLIES_DIR = "replies"
MAX_WAITING = 16  # replies waiting for one witness at once
MAX_REPLY_BYTES = 20 * 1024 * 1024  # one sealed reply (Telegram lets a bot send 50 MB files)
DEFAULT_TTL = 90 * 24 * 3600.0  # an undelivered reply is shredded after this
_REPLY_ID = re.compile(r"[0-9a-f]{32}")


class MailboxFullError(Exception):
    """The witness already has :data:`MAX_WAITING` replies waiting."""


@dataclass(frozen=True, slots=True)
class WaitingReply:
    """One reply waiting for its witness: its record, id and sealed bytes (an age file)."""

    record_id: str
    reply_id: str
    sealed: bytes


def slot_tag(mailbox_tag: bytes, n: int) -> bytes:
    """The lookup tag of the ``n``-th waiting reply of a mailbox."""
    return sealbox.keyed_tag(mailbox_tag, f"reply:{n}".encode())


class Mailboxes:
    """The waiting replies of a store (see the module's docstring)."""

    def __init__(
        self, store: Store, *, ttl: float = DEFAULT_TTL, clock: Callable[[], float] | None = None
    ) -> None:
        """Keep replies in ``store`` for ``ttl`` seconds at most."""
        self.store = store
        self.ttl = ttl
        self._clock = clock or store.clock
        self._locks: KeyLocks[bytes] = KeyLocks()  # one per mailbox tag, while in use
        self.root = ensure_private_dir(store.data_dir / REPLIES_DIR)

    def _records(self, mailbox_tag: bytes) -> list[Record]:
        found = (
            self.store.records.find(KIND, slot_tag(mailbox_tag, n)) for n in range(MAX_WAITING)
        )
        return [r for r in found if r is not None]

    def count(self) -> int:
        """How many replies are waiting (for status screens: a number, nothing else)."""
        return len(self.store.records.of_kind(KIND))

    async def place(self, mailbox_tag: bytes, reply_id: str, sealed: bytes) -> bool:
        """Keep ``sealed`` (an age file) for the witness whose mailbox tag is ``mailbox_tag``.

        Returns False if a reply with this id is already waiting (placed twice: nothing done).
        Raises :class:`MailboxFullError`, or ``ValueError`` for a malformed id, tag or size.
        """
        if len(mailbox_tag) != 32 or not _REPLY_ID.fullmatch(reply_id):
            raise ValueError("a reply needs a 32-byte mailbox tag and a 32-hex-digit id")
        if not 0 < len(sealed) <= MAX_REPLY_BYTES:
            raise ValueError(f"a sealed reply is 1 byte to {MAX_REPLY_BYTES} bytes")
        async with self._locks.hold(mailbox_tag):
            taken = {}
            for record in self._records(mailbox_tag):
                body = await self._body(record)
                if body is not None and body.get("reply_id") == reply_id:
                    return False
                taken[record.tag] = record
            free = next(
                (n for n in range(MAX_WAITING) if slot_tag(mailbox_tag, n) not in taken), None
            )
            if free is None:
                raise MailboxFullError(f"{MAX_WAITING} replies are waiting already")
            now = self._clock()
            record = self.store.records.new(
                KIND, expires_at=now + self.ttl, tag=slot_tag(mailbox_tag, free)
            )
            blob_id = os.urandom(12).hex()
            folder = ensure_private_dir(self.root / record.record_id)
            await write_blob(
                folder, self.store.records.blob_key(record, blob_id), blob_id, _once(sealed),
                MAX_REPLY_BYTES,
            )  # fmt: skip
            body = {"reply_id": reply_id, "blob": blob_id, "size": len(sealed), "placed_at": now}
            try:
                await self.store.records.commit(create=[(record, _json(body))])
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
        log.info("reply_placed", size=len(sealed))
        return True

    async def waiting(self, mailbox_tag: bytes) -> list[WaitingReply]:
        """Every reply waiting under ``mailbox_tag``, oldest first (none for a wrong code)."""
        out: list[tuple[float, WaitingReply]] = []
        async with self._locks.hold(mailbox_tag):
            for record in self._records(mailbox_tag):
                body = await self._body(record)
                if body is None:
                    continue
                blob = str(body["blob"])
                key = self.store.records.blob_key(record, blob)
                data = await asyncio.to_thread(_read_all, self.root / record.record_id, key, blob)
                item = WaitingReply(record.record_id, str(body["reply_id"]), data)
                placed = body.get("placed_at", 0.0)
                out.append((float(placed) if isinstance(placed, (int, float)) else 0.0, item))
        return [item for _, item in sorted(out, key=lambda pair: pair[0])]

    async def delivered(self, record_ids: list[str]) -> int:
        """The witness has read these replies: shred them. Unknown ids (gone already) are
        skipped; returns how many were shredded."""
        records = [r for rid in record_ids if (r := self.store.records.get(rid, KIND)) is not None]
        await self._destroy(records)
        if records:
            log.info("replies_delivered", count=len(records))
        return len(records)

    async def expire(self) -> int:
        """Shred every reply nobody came for within the TTL; returns how many."""
        now = self._clock()
        late = [r for r in self.store.records.of_kind(KIND) if r.expires_at <= now]
        await self._destroy(late)
        if late:
            log.info("replies_expired", count=len(late))
        return len(late)

    async def _destroy(self, records: list[Record]) -> None:
        if not records:
            return
        await self.store.records.commit(destroy=records)  # the keys first: then all is noise
        for record in records:
            shutil.rmtree(self.root / record.record_id, ignore_errors=True)

    def sweep_orphans(self) -> int:
        """Remove blob folders without a live reply (left by a crash); returns how many."""
        alive = {r.record_id for r in self.store.records.of_kind(KIND)}
        removed = 0
        for entry in self.root.iterdir():
            if entry.name in alive:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
        return removed

    async def _body(self, record: Record) -> dict[str, object] | None:
        raw = await self.store.records.read(record)
        if raw is None:
            return None
        body = json.loads(raw)
        return body if isinstance(body, dict) else None


def _read_all(folder: Path, key: bytes, blob_id: str) -> bytes:
    return b"".join(read_blob(folder, key, blob_id))


def _json(body: dict[str, object]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


async def _once(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 64 * 1024):
        yield data[start : start + 64 * 1024]


def reply_dir(data_dir: Path) -> Path:
    """Where the blobs of waiting replies are (for tests and the forensic examiner's map)."""
    return Path(data_dir) / REPLIES_DIR
