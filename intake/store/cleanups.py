"""Chat clean-up records: what a channel must still remove after a draft is gone.

When a conversation ends (submit, cancel, decline, expiry, /delete, /x) its draft is destroyed,
but the channel may still have work to do for up to Telegram's 48 h deletion window: delete the
conversation's messages, deliver one closing line and, after a submit, the receipt (in a message
of its own, deleted too). A clean-up record carries exactly that — the channel's own data (for
Telegram: the chat id and message ids), the closing line, the receipt, a deadline —
as a sealed record of kind ``cleanup`` with its own key slot. It is created in the same commit
that destroys the draft, so no restart can lose it, and destroyed (its slot shredded) as soon as
the channel reports the chat clean, or by :meth:`Cleanups.destroy_expired` once the window is
over, whichever comes first. It has no lookup tag: the channel iterates them; the chat id is
only inside the ciphertext. A channel may also keep messages of its own making in one (a line it
shows for a few minutes) and narrow a record to what is left of it (:meth:`Cleanups.replace`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from intake.store.sealed import Record, SealedRecords

KIND = "cleanup"
WINDOW = 48 * 3600.0  # bots may delete messages of a private chat for 48 h


@dataclass(frozen=True, slots=True)
class Cleanup:
    """One pending clean-up, decrypted."""

    cleanup_id: str
    channel: dict[str, Any]
    closing: str | None
    deadline: float
    receipt: str | None = None  # after a submit: the receipt still to show (then deleted too)


class Cleanups:
    """The clean-up records of a store (``store.cleanups``)."""

    def __init__(self, records: SealedRecords, clock: Callable[[], float]) -> None:
        """Use the store's sealed records and clock."""
        self._records = records
        self._clock = clock

    def new(
        self,
        channel: dict[str, Any],
        closing: str | None,
        *,
        receipt: str | None = None,
        deadline: float | None = None,
    ) -> tuple[Record, bytes]:
        """A record (not yet created) and its body, for ``SealedRecords.commit(create=…)``."""
        deadline = self._clock() + WINDOW if deadline is None else deadline
        record = self._records.new(KIND, expires_at=deadline)
        body: dict[str, Any] = {"channel": channel, "closing": closing}
        if receipt is not None:
            body["receipt"] = receipt
        return record, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    async def create(
        self, channel: dict[str, Any], closing: str | None = None, *, receipt: str | None = None
    ) -> str:
        """Create a clean-up record on its own; returns its id."""
        record, body = self.new(channel, closing, receipt=receipt)
        await self._records.commit(create=[(record, body)])
        return record.record_id

    def ids(self) -> list[str]:
        """Ids of every pending clean-up, oldest deadline first."""
        found = sorted(self._records.of_kind(KIND), key=lambda r: r.expires_at)
        return [r.record_id for r in found]

    async def load(self, cleanup_id: str) -> Cleanup | None:
        """One clean-up, decrypted; None if it is gone."""
        record = self._records.get(cleanup_id, KIND)
        if record is None:
            return None
        body = await self._records.read(record)
        if body is None:
            return None
        doc = json.loads(body)
        closing, receipt = doc.get("closing"), doc.get("receipt")
        return Cleanup(
            record.record_id,
            dict(doc.get("channel") or {}),
            closing if isinstance(closing, str) else None,
            record.expires_at,
            receipt if isinstance(receipt, str) else None,
        )

    async def replace(
        self,
        cleanup_id: str,
        channel: dict[str, Any],
        closing: str | None,
        *,
        receipt: str | None = None,
    ) -> str | None:
        """Narrow a clean-up to what is left of it (the channel got part of the way): a new
        record, same deadline, created in the commit that shreds the old one (a body is never
        rewritten under the same key). Returns the new id, or None when the old one is gone."""
        old = self._records.get(cleanup_id, KIND)
        if old is None:
            return None
        record, body = self.new(channel, closing, receipt=receipt, deadline=old.expires_at)
        await self._records.commit(create=[(record, body)], destroy=[old])
        return record.record_id

    async def destroy(self, cleanup_id: str) -> None:
        """The chat is clean (or cannot be cleaned): shred the record. Unknown ids are ignored."""
        record = self._records.get(cleanup_id, KIND)
        if record is not None:
            await self._records.commit(destroy=[record])

    async def destroy_expired(self) -> int:
        """Shred every clean-up past its deadline; returns how many."""
        now = self._clock()
        late = [r for r in self._records.of_kind(KIND) if r.expires_at <= now]
        if late:
            await self._records.commit(destroy=late)
        return len(late)
