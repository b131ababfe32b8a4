"""Messages the bot shows for a while and then deletes — kept in sealed clean-up records meanwhile.

Two kinds, held per chat:

- ``receipt``: the thank-you with the receipt code after a submit. It goes when the witness
  presses OK, at their next message, on /delete or /x, or :data:`RECEIPT_SECONDS` after it came.
- ``loose``: messages of a chat that has no draft — a photo sent before /start, "hello" from
  someone new, anything typed after a submit or an expiry, a rate-limit notice — with the bot's
  one neutral line (said once per quiet spell: :meth:`HeldMessages.said`). They go when a
  conversation starts, on /delete or /x, or :data:`LOOSE_SECONDS` after the last of them.

Their ids name a chat, so they are never written in clear: each group is also a clean-up record
(:meth:`~intake.service.IntakeService.keep_for_cleanup`, narrowed as a loose group grows), with
channel data ``{"chat", "ids", "due", "hold": kind}``, shredded once the messages are gone. A
crash forgets what is held here; after the restart the record is handed out and :meth:`resume`
holds it again until it is due, so nothing is left behind and nothing goes early. A clean stop
deletes everything held at once (:meth:`release_all`): no record of it stays on the disk. When
the store cannot write (disk trouble), a group is held in memory only: it still goes, unless the
bot is killed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Literal, get_args

import structlog
from telegram import Bot

from bot.retry import ErrorHook, RetryPolicy
from bot.traces import delete_messages
from intake.channel import Closing
from intake.keylocks import KeyLocks
from intake.service import IntakeService
from intake.store.trouble import storage_trouble

Kind = Literal["receipt", "loose"]
KINDS: tuple[Kind, ...] = get_args(Kind)
RECEIPT_SECONDS = 600.0  # the thank-you after submitting is deleted after this, if not before
LOOSE_SECONDS = 600.0  # how long a line in a chat without a draft stays
log = structlog.get_logger("bot.held")


@dataclass
class Group:
    """Messages of one chat held together: deleted at ``due`` (or before), then ``cleanup_id``
    (the record that keeps them across a restart; None if the store could not write) shredded."""

    kind: Kind
    ids: list[int]
    due: float
    cleanup_id: str | None = None


class HeldMessages:
    """The held groups of every chat, in memory, each backed by a clean-up record."""

    def __init__(
        self, svc: IntakeService, bot: Bot, policy: RetryPolicy, on_error: ErrorHook | None = None
    ) -> None:
        self._svc = svc
        self._bot = bot
        self._policy = policy
        self._on_error = on_error
        self._chats: dict[int, list[Group]] = {}
        self._locks: KeyLocks[int] = KeyLocks()  # the sweep and the chat's updates take turns

    def said(self, chat_id: int) -> bool:
        """Whether the chat's neutral line went out in this quiet spell (a loose group is held)."""
        return self._loose(chat_id) is not None

    def held(self, chat_id: int, kind: Kind) -> list[int]:
        """The ids of ``kind`` held for the chat (for tests and checks)."""
        return [i for g in self._chats.get(chat_id, []) if g.kind == kind for i in g.ids]

    def _loose(self, chat_id: int) -> Group | None:
        return next((g for g in self._chats.get(chat_id, []) if g.kind == "loose"), None)

    async def hold(
        self, chat_id: int, kind: Kind, ids: Collection[int], due: float, cleanup_id: str | None
    ) -> None:
        """Hold ``ids`` until ``due``, kept in the record ``cleanup_id`` (which holds them already
        and is the caller's to hand over), or in a record made here when None."""
        async with self._locks.hold(chat_id):
            group = Group(kind, sorted(set(ids)), due, cleanup_id)
            self._chats.setdefault(chat_id, []).append(group)
            if cleanup_id is None:
                group.cleanup_id = await self._keep(chat_id, group, None)

    async def hold_loose(self, chat_id: int, ids: Collection[int], seconds: float) -> None:
        """Add ``ids`` to the chat's loose group (made if there is none), due ``seconds`` from
        now; its record is replaced by one that holds them all."""
        if not ids:
            return
        async with self._locks.hold(chat_id):
            group = self._loose(chat_id)
            if group is not None and set(ids) <= set(group.ids):
                return  # a replayed update (confirmed only once applied): nothing new, same time
            if group is None:
                group = Group("loose", [], 0.0)
                self._chats.setdefault(chat_id, []).append(group)
            group.ids = sorted({*group.ids, *ids})
            group.due = self._svc.clock() + seconds
            group.cleanup_id = await self._keep(chat_id, group, group.cleanup_id)

    async def _keep(self, chat_id: int, group: Group, old: str | None) -> str | None:
        """A record holding ``group`` (replacing ``old``); ``old`` if the store cannot write."""
        data: dict[str, Any] = {"chat": chat_id, "ids": group.ids, "due": group.due}
        data["hold"] = group.kind
        try:
            if old is not None and (new := await self._svc.narrow(old, data)) is not None:
                return new
            return await self._svc.keep_for_cleanup(data)
        except Exception as exc:
            if (trouble := storage_trouble(exc)) is None:
                raise
            log.warning("held_in_memory_only", reason=trouble.reason, messages=len(group.ids))
            return old

    def resume(self, closing: Closing) -> bool:
        """Take back a held group's record the sweep handed out (a restart forgot it): held
        again until its time, then deleted. False when ``closing`` is not a held group's — or
        is a receipt that may never have been shown (a crash before it was sent): that one is
        closed like a conversation, its expected ids deleted and the receipt shown anew."""
        data = closing.channel_data
        chat, kind, due = data.get("chat"), data.get("hold"), data.get("due")
        if not isinstance(chat, int) or kind not in KINDS or not isinstance(due, int | float):
            return False
        if closing.receipt is not None:
            return False
        raw = data.get("ids")
        ids = [i for i in raw if isinstance(i, int)] if isinstance(raw, list) else []
        group = Group("receipt" if kind == "receipt" else "loose", ids, float(due))
        group.cleanup_id = closing.cleanup_id
        self._chats.setdefault(chat, []).append(group)
        return True

    async def release(self, chat_id: int, kinds: Collection[Kind] = KINDS) -> None:
        """Delete the chat's held messages of ``kinds`` now."""
        await self._delete(chat_id, lambda g: g.kind in kinds)

    async def release_all(self, policy: RetryPolicy, budget: float) -> None:
        """At a clean stop: delete everything held now, Telegram retried per ``policy`` and
        ``budget`` seconds in all. A stop is what an operator does before a machine is moved or
        taken: it leaves no record naming a chat on the disk, at the price of a receipt gone
        before its time. What Telegram could not take in time stays recorded for the next
        start (its records are shredded only once the messages are gone)."""
        try:
            async with asyncio.timeout(budget):
                for chat_id in list(self._chats):
                    await self._delete(chat_id, lambda g: True, policy)
        except TimeoutError:
            log.warning("held_left_at_stop", chats=len(self._chats))

    async def sweep(self) -> None:
        """Delete every group whose time is up (a round of the expiry sweep)."""
        now = self._svc.clock()
        for chat_id in list(self._chats):
            await self._delete(chat_id, lambda g: g.due <= now)

    async def _delete(
        self, chat_id: int, which: Callable[[Group], bool], policy: RetryPolicy | None = None
    ) -> None:
        async with self._locks.hold(chat_id):
            groups = self._chats.get(chat_id, [])
            gone = [g for g in groups if which(g)]
            if not gone:
                return
            left = [g for g in groups if not which(g)]
            if left:
                self._chats[chat_id] = left
            else:
                del self._chats[chat_id]
        for n, group in enumerate(gone):
            failed: list[int] = []
            try:
                await delete_messages(
                    self._bot, chat_id, group.ids, policy or self._policy, self._on_error,
                    failed=failed,
                )  # fmt: skip
            except BaseException:  # stopped, or an error no retry covers: the sweep has them
                for undone in gone[n:]:
                    self._svc.unclaim(undone.cleanup_id)
                raise
            if failed:  # Telegram out of reach: the sweep hands the record out again later
                self._svc.unclaim(group.cleanup_id)
            else:
                await self._svc.cleaned(group.cleanup_id)

    def __len__(self) -> int:
        """How many chats have messages held."""
        return len(self._chats)
