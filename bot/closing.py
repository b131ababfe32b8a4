"""Closing a conversation's chat, against the sealed clean-up record that outlives its draft.

When a draft ends (submit, cancel, decline, /delete, /x, expiry) the service destroys it and, in
the same commit, writes a clean-up record: the chat, the message ids, the line to leave, after a
submit the receipt (:mod:`intake.store.cleanups`). :func:`close_chat` does what the record says,
in an order that survives anything:

1. the neutral line (when the bot is there to see it, its id bounds the conversation: messages
   the bot sent but never recorded, killed in between, are deleted too);
2. every message of the conversation is deleted;
3. after a submit, the thank-you with the receipt, in a message of its own: the record is first
   narrowed to that message (:mod:`bot.held`), which goes on OK, at the witness's next message,
   or after a few minutes — also after a restart;
4. the record is shredded.

A crash at any point leaves the record to the sweep, which does the rest after the restart. When
Telegram cannot be reached for a step (the retries gave up), the record is narrowed to what is
left and handed back: the sweep tries again every minute, after a restart too, within the 48 h
Telegram lets a bot delete messages. A refusal on the merits (the chat is gone, the bot blocked,
a message too old) is not retried: nothing could change it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any, NoReturn

import structlog
from telegram.error import BadRequest, Forbidden

from bot.held import RECEIPT_SECONDS
from bot.markup import Chunk, close_keyboard, render
from bot.retry import GaveUpError, RetryPolicy
from bot.traces import ChatRecord, delete_messages, delete_traces, span
from intake import i18n

if TYPE_CHECKING:
    from bot.actions import Flow

log = structlog.get_logger("bot.closing")


class _Left(Exception):
    """A step could not be done now: the record was narrowed to the rest, for the sweep."""


async def close_chat(
    flow: Flow,
    record: ChatRecord,
    cleanup_id: str | None,
    *,
    line: str | None = None,
    receipt: str | None = None,
    extra: Iterable[int] = (),
    upto: int | None = None,
    to_line: bool = False,
    policy: RetryPolicy | None = None,
) -> None:
    """Leave ``line`` (if any) in the chat of ``record``, delete the conversation — the ids the
    record knows, ``extra``, the gaps between them up to ``upto`` (with ``to_line``, up to the
    line just sent) — show ``receipt`` (if any) for a while, and report to the service.
    Telegram is retried per ``policy`` (default: the bot's)."""
    chat_id = record.chat_id
    if chat_id is None:
        await flow.svc.cleaned(cleanup_id)
        return
    known = {*record.message_ids, *record.prompt_ids, *extra}
    closer = _Closer(flow, record, chat_id, cleanup_id, policy or flow.policy)
    try:
        sent = await closer.leave(line, span(known, upto), receipt)
        if sent is not None and to_line:
            upto = sent - 1
        await closer.delete(known, upto, receipt)
        if receipt:
            await closer.show_receipt(receipt, sent)
        else:
            await flow.svc.cleaned(closer.cleanup_id)  # the chat is clean: shred the record
    except _Left:
        return
    except BaseException:  # stopped, or the store failed: the sweep finishes it after all
        flow.svc.unclaim(closer.cleanup_id)
        raise


class _Closer:
    """The steps of :func:`close_chat`, with the record as narrowed so far."""

    def __init__(
        self,
        flow: Flow,
        record: ChatRecord,
        chat_id: int,
        cleanup_id: str | None,
        policy: RetryPolicy,
    ) -> None:
        self.flow = flow
        self.policy = policy
        self.record = record
        self.chat_id = chat_id
        self.cleanup_id = cleanup_id

    async def leave(
        self, line: str | None, ids: Collection[int], receipt: str | None
    ) -> int | None:
        """Send the neutral line; its id, or None (no line, or Telegram refused it)."""
        if not line:
            return None
        try:
            sent = await self.flow.send(self.chat_id, [Chunk(line)], self.policy)  # no buttons
        except GaveUpError:
            await self.postpone(ids, line, receipt)
        except (BadRequest, Forbidden) as exc:  # blocked, or the chat is gone: nothing to say
            log.info("closing_line_refused", kind=type(exc).__name__)
            return None
        return sent[0]

    async def delete(self, known: set[int], upto: int | None, receipt: str | None) -> None:
        """Delete the conversation; what Telegram could not be reached for is postponed."""
        failed: list[int] = []
        await delete_traces(
            self.flow.bot, self.record, self.policy, known, self.flow.on_error,
            upto=upto, failed=failed,
        )  # fmt: skip
        if failed:
            await self.postpone(failed, "", receipt)

    async def show_receipt(self, receipt: str, line_id: int | None) -> None:
        """The thank-you with the receipt, held for a while (:mod:`bot.held`). The record is
        narrowed to it first, with the receipt: the messages the bot is about to send come right
        after the line (a private chat numbers them one by one), so after a crash in between
        those ids are deleted and the receipt is shown again. Once it is out, the record keeps
        only its ids."""
        flow = self.flow
        chunks = receipt_chunks(flow, self.record.language, receipt)
        expected = [] if line_id is None else [line_id + 1 + n for n in range(len(chunks))]
        due = flow.svc.clock() + RECEIPT_SECONDS
        data: dict[str, Any] = {"chat": self.chat_id, "ids": expected, "due": due}
        data["hold"] = "receipt"
        await self.narrow(data, receipt)
        ids: list[int] = []
        try:
            ids = await flow.send(self.chat_id, chunks, self.policy)
        except GaveUpError:  # shown later by the sweep (the expected ids are deleted first)
            await self.postpone(expected, "", receipt)
        except (BadRequest, Forbidden) as exc:  # blocked, the chat gone: it can never be shown
            log.info("receipt_refused", kind=type(exc).__name__)
            await self.give_up(expected)
            return
        data["ids"] = sorted({*expected, *ids})  # (the witness may have written in between)
        await self.narrow(data)
        await flow.held.hold(self.chat_id, "receipt", data["ids"], due, self.cleanup_id)

    async def give_up(self, ids: Iterable[int]) -> None:
        """Telegram refused the chat on the merits (the witness blocked the bot, the chat is
        gone): delete what may have come of the receipt (a refusal too, most likely) and shred
        the record now — retrying could never succeed, and the record names the chat."""
        flow = self.flow
        await delete_messages(flow.bot, self.chat_id, ids, self.policy, flow.on_error)
        await flow.svc.cleaned(self.cleanup_id)

    async def narrow(self, data: dict[str, Any], receipt: str | None = None) -> None:
        """Replace the record by one holding ``data`` (and ``receipt``), kept by this process."""
        if self.cleanup_id is not None:
            self.cleanup_id = await self.flow.svc.narrow(self.cleanup_id, data, receipt=receipt)

    async def postpone(self, ids: Iterable[int], line: str, receipt: str | None) -> NoReturn:
        """Hand what is left back to the sweep (ids to delete, the line, the receipt)."""
        left = sorted(set(ids))
        data = {"chat": self.chat_id, "ids": left, "lang": self.record.language}
        if self.cleanup_id is not None:
            await self.flow.svc.narrow(
                self.cleanup_id, data, closing=line, receipt=receipt, hold=False
            )
        log.warning("chat_cleanup_postponed", messages=len(left), line=bool(line))
        raise _Left


def receipt_chunks(flow: Flow, language: str | None, receipt: str) -> list[Chunk]:
    """The thank-you with ``receipt`` in ``language``, its last part with the OK button."""
    q = flow.svc.questionnaire
    lang = language if language in q.languages else q.default_language
    # (the receipt as the service gave it: it may say the witness took a follow-up code)
    thanks = [Chunk(c.text) for c in render(flow.svc.thank_you(lang, receipt), flow.texts)]
    ok = i18n.render(flow.ui(lang), "buttons.close")
    thanks[-1] = Chunk(thanks[-1].text, close_keyboard(ok))
    return thanks
