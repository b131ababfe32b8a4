"""One witness action, start to finish: commit through the service, then reply, then remember.

Order matters for safety: the service commits the witness's answer (``handle``) *before* the bot
tries to reply, so a Telegram outage delays the reply but loses nothing; the message ids are
recorded (encrypted, with the draft) after the reply. On a terminal outcome — submitted,
cancelled, declined — and on /delete, /x and expiry, every message of the conversation is deleted
and at most one neutral line (the receipt or closing line) remains.

A pressed button is answered in a task of its own (:mod:`bot.answers`), started once the chat
shows what comes next: the witness's next update does not wait for it, and the answer still tells
that the chat is up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import structlog
from telegram import Bot, CallbackQuery
from telegram.error import BadRequest

from bot.answers import CallbackAnswers
from bot.markup import Chunk, render
from bot.records import RecordCache
from bot.retry import ErrorHook, RetryPolicy, with_retry
from bot.texts import BotTexts, TextKey
from bot.traces import MAX_SPAN, ChatRecord, delete_messages, delete_traces
from intake.channel import Event, Reply
from intake.ops.metrics import Metrics
from intake.service import IntakeService

TERMINAL = frozenset({"submit", "cancelled", "declined"})
CHANNEL = "telegram"
log = structlog.get_logger("bot.actions")


@dataclass(frozen=True)
class Incoming:
    """Where an action came from. Telegram ids stay in memory; only a keyed hash is stored."""

    chat_id: int
    user_id: int
    message_id: int | None = None  # the witness's own message, deleted with the rest
    callback: CallbackQuery | None = None
    language_code: str | None = None
    update_id: int | None = None


class Flow:
    """The Telegram side of a conversation, over :class:`~intake.service.IntakeService`."""

    def __init__(
        self,
        svc: IntakeService,
        bot: Bot,
        policy: RetryPolicy,
        on_error: ErrorHook | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.svc = svc
        self.bot = bot
        self.policy = policy
        self.on_error = on_error
        self.metrics = metrics
        self.records = RecordCache(svc)
        self.texts = BotTexts(svc.questionnaire)  # the channel's own lines, in its catalogue
        self.answers = CallbackAnswers(policy)  # button answers, in tasks of their own

    async def allowed(self, key: str, kind: Literal["message", "submission"]) -> bool:
        """The service's rate limit for ``kind``; refusals are counted (by kind only)."""
        ok = await self.svc.allow(key, kind)
        if not ok and self.metrics is not None:
            self.metrics.rate_limited("messages" if kind == "message" else "submissions")
        return ok

    def key(self, inc: Incoming) -> str:
        """The witness's keyed hash (the only way the store knows them)."""
        return self.svc.witness_key(CHANNEL, inc.user_id)

    async def record(self, key: str) -> ChatRecord:
        """What the draft remembers about the chat (empty if there is no draft)."""
        return await self.records.get(key)

    async def save(self, key: str, rec: ChatRecord) -> None:
        """Store ``rec`` inside the encrypted draft (if anything lasting changed)."""
        await self.records.save(key, rec)

    # -- the main path ------------------------------------------------------------------------
    async def event(self, inc: Incoming, event: Event) -> None:
        """Apply ``event`` for the witness and show what comes next."""
        if (admitted := await self.admit(inc)) is not None:
            await self.apply(inc, *admitted, event)

    async def admit(self, inc: Incoming) -> tuple[str, ChatRecord] | None:
        """The witness's key and chat record — or None, after saying so, past the message rate
        limit (every update that can change a draft passes here first)."""
        key = self.key(inc)
        if not await self.allowed(key, "message"):
            await self.notice(inc, "telegram.rate_limited")
            return None
        return key, await self.record(key)

    @staticmethod
    def replayed(inc: Incoming, rec: ChatRecord) -> bool:
        """True for an update already applied: Telegram re-delivers updates that were fetched
        but not confirmed when the bot was killed, and a text answer must not be applied twice."""
        if inc.update_id is None or rec.last_update is None or inc.update_id > rec.last_update:
            return False
        log.info("update_replay_skipped", update_id=inc.update_id)
        return True

    async def apply(self, inc: Incoming, key: str, rec: ChatRecord, event: Event) -> None:
        """Commit ``event`` through the service, then reply (rate limit already checked)."""
        if self.replayed(inc, rec):
            return
        if rec.chat_id is None and not await self.allowed(key, "submission"):
            # this event would open a new draft
            await self.notice(inc, "telegram.too_many_submissions")
            return
        reply = await self.svc.handle(key, event)  # committed before any reply is attempted
        if self.metrics is not None and rec.chat_id is None and reply.outcome == "continue":
            self.metrics.conversations_started.inc()
        if reply.outcome in TERMINAL:
            await self.finish(inc, key, rec, reply)
        else:
            await self.show(inc, key, rec, reply)

    async def show(self, inc: Incoming, key: str, rec: ChatRecord, reply: Reply) -> None:
        """Render ``reply.prompt``: edit the pressed prompt in place, or send new messages.

        A pressed button is answered (its spinner stopped) once the prompt is shown, so the
        answer also tells that the chat is up to date; a stale button only gets the answer."""
        prompt = reply.prompt
        rec.chat_id = inc.chat_id
        rec.language = prompt.language or rec.language
        if inc.message_id is not None:
            rec.add([inc.message_id])
        chunks = render(prompt, self.texts)
        query = inc.callback
        notice = None
        if reply.outcome == "rejected":
            notice = prompt.notice or self.texts("telegram.stale_button", rec.language)
        if query is not None:
            pressed = query.message.message_id if query.message else None
            if reply.outcome == "rejected" and pressed not in rec.prompt_ids:
                self.answers.soon(query, notice)  # a stale button: nothing else changes
                return
            if (
                pressed is not None
                and pressed in rec.prompt_ids
                and len(chunks) == 1
                and await self.edit(inc.chat_id, pressed, chunks[0])
            ):
                others = [i for i in rec.prompt_ids if i != pressed]
                if others:
                    await delete_messages(self.bot, inc.chat_id, others, self.policy)
                self.answers.soon(query, notice)
                rec.prompt_ids = [pressed]
                await self.remember(key, rec, prompt.expects, prompt.stage, inc.update_id)
                return
        ids = await self.send(inc.chat_id, chunks)
        if query is not None:
            self.answers.soon(query, notice)
        rec.add(ids)
        rec.prompt_ids = ids
        await self.remember(key, rec, prompt.expects, prompt.stage, inc.update_id)

    async def remember(
        self, key: str, rec: ChatRecord, expects: str, stage: str, update_id: int | None
    ) -> None:
        """Save the record with the prompt now showing and the update just applied."""
        rec.expects, rec.stage = expects, stage
        if update_id is not None:
            rec.last_update = max(update_id, rec.last_update or 0)
        await self.save(key, rec)

    async def finish(self, inc: Incoming, key: str, rec: ChatRecord, reply: Reply) -> None:
        """The draft is gone: wipe the chat, then leave one neutral line (receipt or closing)."""
        if self.metrics is not None and reply.outcome == "submit":
            # Counted here, not after the chat clean-up: the seal is done even if Telegram is down.
            self.metrics.submissions_sealed.inc()
        if inc.callback is not None:
            self.answers.soon(inc.callback, None)  # the wipe may take a while: stop the spinner
        done = ChatRecord.from_data(reply.channel_data)
        extra = [*rec.message_ids, *rec.prompt_ids]
        if inc.message_id is not None:
            extra.append(inc.message_id)
        if inc.callback is not None and inc.callback.message is not None:
            extra.append(inc.callback.message.message_id)
        done.chat_id = done.chat_id or rec.chat_id or inc.chat_id
        # The closing line goes first: its id bounds the conversation, so messages the bot
        # sent but never recorded (killed in between) are deleted too.
        chunk = render(reply.prompt, self.texts)[-1]
        (kept,) = await self.send(inc.chat_id, [Chunk(chunk.text)])  # no buttons to press later
        await delete_traces(self.bot, done, self.policy, extra, self.on_error, upto=kept - 1)
        self.records.forget(key)
        log.info("conversation_closed", outcome=reply.outcome)
        if self.metrics is not None:
            counter = self.metrics.conversations_submitted
            if reply.outcome != "submit":
                counter = self.metrics.conversations_cancelled
            counter.inc()

    async def wipe(self, inc: Incoming, *, quick: bool) -> None:
        """/delete (leaves "Done.") and /x (leaves nothing): destroy the draft and the chat."""
        key = self.key(inc)
        self.records.forget(key)
        rec = ChatRecord.from_data(await self.svc.wipe(key))
        language = rec.language or inc.language_code
        rec.chat_id = rec.chat_id or inc.chat_id
        extra = [inc.message_id] if inc.message_id is not None else []
        if quick and inc.message_id is not None:
            # the quick exit wipes the whole chat with the bot, earlier receipts included
            extra.append(max(1, inc.message_id - MAX_SPAN))
        await delete_traces(self.bot, rec, self.policy, extra, self.on_error, upto=inc.message_id)
        if not quick:
            await self.send(inc.chat_id, [Chunk(self.texts("telegram.deleted", language))])
        log.info("conversation_wiped", quick=quick)
        if self.metrics is not None and rec.message_ids:
            self.metrics.conversations_cancelled.inc()

    async def expire(self) -> int:
        """Destroy drafts past their TTL and wipe their chats; return how many."""
        expired = await self.svc.expire()
        if expired:
            self.records.clear()
        for data in expired:
            await delete_traces(
                self.bot, ChatRecord.from_data(data), self.policy, (), self.on_error
            )
        if expired and self.metrics is not None:  # (the service logs drafts_expired, once)
            self.metrics.conversations_expired.inc(len(expired))
        return len(expired)

    async def notice(self, inc: Incoming, what: TextKey, **fields: object) -> None:
        """A line of the bot's own (rate limit, odd input…), remembered for deletion if a draft
        exists; the witness's message that caused it is remembered too."""
        key = self.key(inc)
        rec = await self.record(key)
        language = rec.language or inc.language_code
        if inc.callback is not None:
            self.answers.soon(inc.callback, self.texts(what, language, **fields))
            return
        ids = await self.send(inc.chat_id, [Chunk(self.texts(what, language, **fields))])
        if rec.chat_id is not None:
            rec.add([*([inc.message_id] if inc.message_id is not None else []), *ids])
            await self.save(key, rec)

    # -- Bot API calls, each retried ------------------------------------------------------------
    async def send(self, chat_id: int, chunks: Sequence[Chunk]) -> list[int]:
        """Send ``chunks`` in order (protect_content comes from the Application's Defaults)."""
        ids = []
        for chunk in chunks:

            async def call(chunk: Chunk = chunk) -> int:
                sent = await self.bot.send_message(chat_id, chunk.text, reply_markup=chunk.markup)
                return sent.message_id

            ids.append(
                await with_retry(call, self.policy, what="sendMessage", on_error=self.on_error)
            )
        return ids

    async def edit(self, chat_id: int, message_id: int, chunk: Chunk) -> bool:
        """Replace a prompt in place; False if Telegram refuses (then the caller sends anew)."""

        async def call() -> object:
            return await self.bot.edit_message_text(
                chunk.text, chat_id=chat_id, message_id=message_id, reply_markup=chunk.markup
            )

        try:
            await with_retry(call, self.policy, what="editMessageText", on_error=self.on_error)
        except BadRequest as exc:
            return "not modified" in str(exc).lower()
        return True

    async def answer(self, query: CallbackQuery, text: str | None) -> None:
        """Stop the button's spinner now (see :class:`bot.answers.CallbackAnswers`)."""
        await self.answers.answer(query, text)
