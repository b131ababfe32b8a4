"""Each witness's :class:`~bot.traces.ChatRecord`, read from the draft once and kept in memory.

Reading the record from the encrypted draft (and writing it back) costs a lock, a decryption and
an fsync'd commit per update; the record only changes when the bot changes it, under the witness's
lock (:mod:`bot.ordering`). So it is read once per witness and process, and written back only when
something that must survive a restart changed: message ids, the prompt's ids, language, what the
prompt expects. A button press that edits the prompt in place changes none of these — only the
last update id, whose replay after a crash is harmless for a press (its token is stale by then).
The memory holds message ids and a chat id for open drafts only, never content.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.traces import ChatRecord
from intake.service import IntakeService

MAX_CACHED = 10_000  # witnesses kept in memory; older entries are read from the draft again
_VOLATILE = ("upd",)  # fields not worth a commit on their own


class RecordCache:
    """Read-through, write-if-changed cache of chat records, keyed by witness key."""

    def __init__(self, svc: IntakeService, max_entries: int = MAX_CACHED) -> None:
        self._svc = svc
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[ChatRecord, dict[str, object]]] = OrderedDict()

    async def get(self, key: str) -> ChatRecord:
        """The witness's record (empty without a draft); the same object until forgotten."""
        entry = self._entries.get(key)
        if entry is None:
            data = await self._svc.get_channel_data(key)
            rec = ChatRecord.from_data(data)
            entry = (rec, rec.to_data())
            self._entries[key] = entry
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        self._entries.move_to_end(key)
        return entry[0]

    def peek(self, key: str) -> ChatRecord | None:
        """The witness's record if it is in memory (no store access: the store may be failing)."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    async def save(self, key: str, rec: ChatRecord) -> bool:
        """Write ``rec`` into the draft if a lasting field changed; True if it was written."""
        data = rec.to_data()
        entry = self._entries.get(key)
        if entry is not None and entry[0] is rec and _same(entry[1], data):
            return False
        await self._svc.set_channel_data(key, data)
        self._entries[key] = (rec, data)
        return True

    def forget(self, key: str) -> None:
        """The draft is gone (submitted, cancelled, wiped)."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Drafts were destroyed whose keys we do not know (expiry): start afresh."""
        self._entries.clear()


def _same(old: dict[str, object], new: dict[str, object]) -> bool:
    return all(old.get(k) == v for k, v in new.items() if k not in _VOLATILE)
