"""Messages in a chat that has no draft: one neutral line, and nothing left behind.

A photo sent before /start, "hello" from someone new, anything typed after a submit or after
expiry, a rate-limit notice: there is no draft to remember their ids, so they stayed in the chat
(a photo sent before /start even outlived /start → /cancel). Here they are kept — the witness's
message and the bot's answer — until the next conversation starts (they go at once) or
:data:`LOOSE_SECONDS` pass (the sweep removes them). The neutral line is said once per quiet
spell: a second message gets no second line.

Memory only: the ids name a chat, so they never touch the disk (a restart forgets them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

LOOSE_SECONDS = 600.0  # how long a line in a chat without a draft stays


@dataclass
class _Spell:
    ids: list[int] = field(default_factory=list)
    due: float = 0.0
    said: bool = False


class LooseMessages:
    """Ids of messages in chats without a draft, per chat, with when to delete them."""

    def __init__(self, clock: Callable[[], float], delay: float = LOOSE_SECONDS) -> None:
        self._clock = clock
        self._delay = delay
        self._chats: dict[int, _Spell] = {}

    def said(self, chat_id: int) -> bool:
        """Whether the neutral line already went out in this chat's quiet spell."""
        spell = self._chats.get(chat_id)
        return spell is not None and spell.said

    def add(self, chat_id: int, ids: Iterable[int], *, said: bool = False) -> None:
        """Remember ``ids`` for deletion (``said``: the bot answered, no line needed again)."""
        spell = self._chats.setdefault(chat_id, _Spell())
        spell.ids.extend(i for i in ids if i not in spell.ids)
        spell.due = self._clock() + self._delay
        spell.said = spell.said or said

    def take(self, chat_id: int) -> list[int]:
        """The chat's ids, forgotten here (a conversation starts: they go now)."""
        spell = self._chats.pop(chat_id, None)
        return [] if spell is None else spell.ids

    def due(self) -> dict[int, list[int]]:
        """Chats whose time is up, with their ids, forgotten here."""
        now = self._clock()
        late = {chat: spell.ids for chat, spell in self._chats.items() if spell.due <= now}
        for chat in late:
            del self._chats[chat]
        return late

    def __len__(self) -> int:
        return len(self._chats)
