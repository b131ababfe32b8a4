"""One witness action, start to finish: commit through the service, then reply, then remember.

Order matters for safety: the service commits the witness's answer (``handle``) *before* the bot
tries to reply, so a Telegram outage delays the reply but loses nothing; the message ids are
recorded (encrypted, with the draft) after the reply. On a terminal outcome — submitted,
cancelled, declined — and on /delete, /x and expiry, every message of the conversation is deleted
and at most one neutral line remains (:mod:`bot.closing`); what the bot shows for a while — the
receipt, lines in a chat without a draft — goes later (:mod:`bot.held`).

A pressed button is answered in a task of its own (:mod:`bot.answers`), started once the chat
shows what comes next: the witness's next update does not wait for it, and the answer still tells
that the chat is up to date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import structlog
from telegram import Bot, CallbackQuery
from telegram.error import BadRequest

from bot import followup_chat
from bot.answers import CallbackAnswers
from bot.closing import close_chat
from bot.held import LOOSE_SECONDS, HeldMessages
from bot.markup import Chunk, render
from bot.records import RecordCache
from bot.retry import ErrorHook, RetryPolicy, with_retry
from bot.texts import BotTexts, TextKey
from bot.traces import MAX_SPAN, ChatRecord, delete_messages
from intake import engine, i18n
from intake.channel import Closing, Event, Reply, Start, Text
from intake.ops.metrics import Metrics
from intake.service import IntakeService
from intake.store.trouble import Trouble, storage_trouble

TERMINAL = frozenset({"submit", "cancelled", "declined"})
CHANNEL = "telegram"
STARTUP_DEADLINE = 30.0  # seconds Telegram is retried for a clean-up at start-up (updates wait)
WARN_BEFORE = 3600.0  # the witness is told this long before a draft expires (at most half its TTL)
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
        # the receipt shown for a while, messages of chats without a draft (bot.held)
        self.held = HeldMessages(svc, bot, policy, on_error)
        self._unsaved: dict[str, list[int]] = {}  # witness key -> message ids not yet recorded

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
        """Store ``rec`` inside the encrypted draft (if anything lasting changed), with the ids
        of messages sent while the store was failing."""
        unsaved = self._unsaved.pop(key, None)
        if unsaved:
            rec.add(unsaved)
        try:
            await self.records.save(key, rec)
        except Exception as exc:
            if (trouble := storage_trouble(exc)) is None:
                raise
            # The witness's answer is committed and the reply is out: only message ids wait
            # (the record in memory keeps them; the next save writes them). Telling the witness
            # "not saved" now would make them send the answer again, to the next question.
            self._storage_failed(trouble, type(exc).__name__)

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
        await self.held.release(inc.chat_id, ["receipt"])  # the witness is back: it goes now
        opens = rec.chat_id is None and isinstance(event, Start)  # only /start opens a draft
        if opens and not await self.allowed(key, "submission"):
            await self.notice(inc, "telegram.too_many_submissions")
            return
        if isinstance(event, Text) and self.unseen(inc, rec):
            event = Text(event.text, event.at, unseen=True)
        if isinstance(event, Text) and rec.stage in followup_chat.SECRET_STAGES:
            await followup_chat.before_code(self, inc, rec)  # the code goes from the chat at once
        # committed before any reply is attempted; an update seen before comes back as the
        # current prompt, shown again (the reply may never have reached the witness)
        reply = await self.svc.handle(key, event, seq=inc.update_id)
        if self.metrics is not None and rec.chat_id is None and reply.outcome == "continue":
            self.metrics.conversations_started.inc()
        if reply.outcome == "rejected" and reply.prompt.stage == "cancelled":
            # there is no draft: remember nothing, so the next /start counts as opening one
            self.records.forget(key)
            await self.idle(inc)
            return
        if opens and reply.outcome == "continue":
            # a conversation starts: what was said in the chat before it goes now
            await self.held.release(inc.chat_id)
        if reply.outcome in TERMINAL:
            await self.finish(inc, key, rec, reply)
        else:
            await self.show(inc, key, rec, reply)

    async def idle(self, inc: Incoming) -> None:
        """A message in a chat with no draft: one neutral line per quiet spell; the message and
        the line are deleted when a conversation starts or after a while (:mod:`bot.held`)."""
        line = self.texts("telegram.idle", inc.language_code)
        if inc.callback is not None:  # a button of a deleted chat: a pop-up, nothing stays
            self.answers.soon(inc.callback, line)
            return
        if self.held.said(inc.chat_id):  # the line is there already: no second one
            mine = [inc.message_id] if inc.message_id is not None else []
            await self.held.hold_loose(inc.chat_id, mine, LOOSE_SECONDS)
            return
        await self.say_loose(inc, line)

    async def say_loose(self, inc: Incoming, text: str) -> None:
        """Answer in a chat without a draft; the witness's message and the answer are held for
        a while (:mod:`bot.held`). They are held before the answer is sent, with the id it will
        have — the next in a private chat — so a crash in between leaves nothing behind; if it
        gets another (the witness wrote meanwhile: that message goes too), that one is added."""
        mine = [inc.message_id] if inc.message_id is not None else []
        expected = [inc.message_id + 1] if inc.message_id is not None else []
        await self.held.hold_loose(inc.chat_id, [*mine, *expected], LOOSE_SECONDS)
        ids = await self.send(inc.chat_id, [Chunk(text)])
        if not set(ids) <= set(expected):
            await self.held.hold_loose(inc.chat_id, ids, LOOSE_SECONDS)

    @staticmethod
    def unseen(inc: Incoming, rec: ChatRecord) -> bool:
        """Whether the witness sent this message before the prompt now showing reached them (a
        private chat numbers both sides' messages in order): then it cannot answer that prompt
        and continues the previous answer — e.g. the second part of a long paste."""
        return (
            bool(rec.prompt_ids)
            and inc.message_id is not None
            and (inc.message_id < min(rec.prompt_ids))
        )

    async def show(self, inc: Incoming, key: str, rec: ChatRecord, reply: Reply) -> None:
        """Render ``reply.prompt``: edit the pressed prompt in place, or send new messages.

        A pressed button is answered (its spinner stopped) once the prompt is shown, so the
        answer also tells that the chat is up to date; a stale button only gets the answer."""
        prompt = reply.prompt
        # The same step shown again (a message joined to the previous answer, a refused answer,
        # a file received): its older copy goes once the new one is sent, so one prompt stays.
        again = rec.stage is not None and (rec.stage, rec.question) == (
            prompt.stage,
            prompt.question_id,
        )
        rec.question = prompt.question_id
        rec.chat_id = inc.chat_id
        rec.language = prompt.language or rec.language
        if inc.message_id is not None:
            rec.add([inc.message_id])
        if reply.shown:  # staff replies for a witness back with a code: before the prompt
            rec.add(await followup_chat.show_replies(self, inc.chat_id, reply.shown, rec.language))
        chunks = render(prompt, self.texts)
        query = inc.callback
        notice = None
        if reply.outcome == "rejected":
            notice = prompt.notice or self.texts("telegram.stale_button", rec.language)
        if query is not None:
            pressed = query.message.message_id if query.message else None
            if reply.outcome == "rejected" and pressed not in rec.prompt_ids:
                # A button of an older message: the pop-up says so, and the current step is
                # shown again at the bottom of the chat (its old copy removed), as it promises.
                self.answers.soon(query, notice)
                await delete_messages(self.bot, inc.chat_id, rec.prompt_ids, self.policy)
                ids = await self.send(inc.chat_id, render(replace(prompt, notice=None), self.texts))
                rec.add(ids)
                rec.prompt_ids = ids
                await self.remember(key, rec, prompt.expects, prompt.stage, inc.update_id)
                return
            edited = None
            if pressed is not None and pressed in rec.prompt_ids and len(chunks) == 1:
                edited = await self.edit(inc.chat_id, pressed, chunks[0])
            if edited is not None and pressed is not None:
                others = [i for i in rec.prompt_ids if i != pressed]
                if others:
                    await delete_messages(self.bot, inc.chat_id, others, self.policy)
                # The prompt already showed this very notice (the same refusal twice, e.g. a
                # submit failing again): the edit changed nothing on the phone, so the notice
                # comes as an alert the witness sees and dismisses (nothing stays in the chat).
                self.answers.soon(query, notice, alert=edited == "same" and notice is not None)
                rec.prompt_ids = [pressed]
                await self.remember(key, rec, prompt.expects, prompt.stage, inc.update_id)
                return
        ids = await self.send(inc.chat_id, chunks)
        if query is not None:
            self.answers.soon(query, notice)
        superseded = [i for i in rec.prompt_ids if i not in ids] if again else []
        rec.add(ids)
        # A replay (an update applied before a crash) shows the same prompt again: the earlier
        # copy still counts as shown, so a message the witness sent after it is not "unseen".
        rec.prompt_ids = [*rec.prompt_ids, *ids] if reply.replayed else ids
        await self.remember(key, rec, prompt.expects, prompt.stage, inc.update_id)
        if superseded:
            await delete_messages(self.bot, inc.chat_id, superseded, self.policy, self.on_error)

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
        # sent but never recorded (killed in between) are deleted too. After a submit it is
        # the neutral line; the thank-you (which says what happened) follows in a message of
        # its own that is deleted too (bot.closing, bot.held).
        language = reply.prompt.language or rec.language
        done.language = done.language or language
        closing = reply.prompt
        if reply.outcome == "submit":
            closing = engine.closing_prompt(self.svc.questionnaire, language, "submitted")
        line = render(closing, self.texts)[-1].text
        receipt = reply.receipt if reply.outcome == "submit" else None
        await close_chat(
            self, done, reply.cleanup_id, line=line, receipt=receipt, extra=extra, to_line=True
        )
        self.records.forget(key)
        if self.metrics is not None:
            counter = self.metrics.conversations_submitted
            if reply.outcome != "submit":
                counter = self.metrics.conversations_cancelled
            counter.inc()
        log.info("conversation_closed", outcome=reply.outcome)

    async def wipe(self, inc: Incoming, *, quick: bool) -> None:
        """/delete (leaves "Done.") and /x (leaves nothing): destroy the draft and the chat."""
        key = self.key(inc)
        self.records.forget(key)
        await self.held.release(inc.chat_id)  # the receipt, lines of a chat without a draft
        closing = await self.svc.wipe(key)
        rec = ChatRecord.from_data(closing.channel_data)
        language = rec.language or inc.language_code
        rec.chat_id = rec.chat_id or inc.chat_id
        extra = [inc.message_id] if inc.message_id is not None else []
        if quick and inc.message_id is not None:
            # the quick exit wipes the whole chat with the bot, earlier receipts included
            extra.append(max(1, inc.message_id - MAX_SPAN))
        await close_chat(self, rec, closing.cleanup_id, extra=extra, upto=inc.message_id)
        done = self.texts("telegram.deleted", language)
        if not quick and rec.message_ids:
            await self.send(inc.chat_id, [Chunk(done)])  # the one neutral line that stays
        elif not quick:  # there was nothing to delete: this line goes after a while
            await self.say_loose(inc, done)
        log.info("conversation_wiped", quick=quick)
        if self.metrics is not None and rec.message_ids:
            self.metrics.conversations_cancelled.inc()

    def ui(self, language: str | None) -> Mapping[str, str]:
        """The interface strings of ``language`` (the questionnaire's default if it has none)."""
        return self.svc.questionnaire.strings(i18n.normalise_language(language))

    async def close(self, inc: Incoming) -> None:
        """The OK under the thank-you: remove that message now."""
        query = inc.callback
        if query is not None:
            await self.answer(query, None)
        await self.held.release(inc.chat_id, ["receipt"])
        if query is not None and query.message is not None:  # e.g. a receipt the store lost
            await delete_messages(self.bot, inc.chat_id, [query.message.message_id], self.policy)

    async def warn_expiring(self) -> int:
        """Tell witnesses whose draft expires soon (once each); return how many were told."""
        told = 0
        within = min(WARN_BEFORE, self.svc.store.draft_ttl / 2)
        for key, data, left in await self.svc.expiring(within):
            rec = await self.record(key)
            if rec.chat_id is None:
                rec = ChatRecord.from_data(data)
            if rec.chat_id is None:
                continue
            ui = self.ui(rec.language)
            time = i18n.render_about(ui, left)
            text = i18n.render(ui, "notice.expiring", time=time, **i18n.button_names(ui))
            rec.add(await self.send(rec.chat_id, [Chunk(text)]))
            await self.save(key, rec)
            told += 1
        if told:
            log.info("drafts_expiry_warned", count=told)
        return told

    async def take_back(self) -> None:
        """At start-up, before any update: hold again what was held before a restart (the
        receipt, lines of chats without a draft), so it goes in its own time — on OK, at the
        witness's next message, or when due — and finish the clean-ups a crash left.

        Nothing else writes in any chat yet, so a conversation a crash left half closed is
        cleaned up to its new closing line: the line sent before the crash and messages the bot
        sent but never recorded go too — unless the witness has opened a new draft since, whose
        messages may be among them. Telegram is not waited for long here (updates wait): what it
        cannot take now is left to the sweep."""
        brief = replace(self.policy, deadline=min(self.policy.deadline, STARTUP_DEADLINE))
        for closed in await self.svc.unclaimed_cleanups():
            if not self.held.resume(closed):
                await self.close_left(closed, brief, at_start=True)

    async def close_left(
        self, closed: Closing, policy: RetryPolicy | None = None, *, at_start: bool = False
    ) -> bool:
        """:meth:`close_one`, and one failure (the store failing, say) does not stop the others:
        the record goes back to the sweep. True for an expired draft."""
        try:
            return await self.close_one(closed, policy, at_start=at_start)
        except Exception as exc:
            log.error("chat_cleanup_failed", error=type(exc).__name__)
            self.svc.unclaim(closed.cleanup_id)
            return False

    async def close_one(
        self, closed: Closing, policy: RetryPolicy | None, *, at_start: bool
    ) -> bool:
        """Close the chat of a clean-up the service handed out (an expired draft; a crash or an
        outage left it): its line (an expired draft: the expiry line), the deletions, the
        receipt. True for an expired draft."""
        rec = ChatRecord.from_data(closed.channel_data)
        line = closed.closing
        if line is None:
            line = engine.closing_prompt(self.svc.questionnaire, rec.language, "expired").text
        to_line = at_start and rec.chat_id is not None
        if to_line and rec.chat_id is not None:  # a private chat's id is its user's id
            to_line = not await self.svc.has_draft(self.svc.witness_key(CHANNEL, rec.chat_id))
        await close_chat(
            self, rec, closed.cleanup_id, line=line, receipt=closed.receipt, to_line=to_line,
            policy=policy,
        )  # fmt: skip
        return closed.closing is None

    async def expire(self) -> int:
        """One round of the sweep: warn drafts that expire soon; destroy those past their TTL,
        wipe their chats and leave the neutral expiry line; finish clean-ups an outage (or an
        expiry on access) left; delete held messages whose time is up. Returns how many drafts
        expired."""
        await self.warn_expiring()
        closings = await self.svc.expire()
        if closings:
            self.records.clear()
        expired = 0
        for closed in closings:
            if not self.held.resume(closed):  # (held before a restart: it goes in its own time)
                expired += await self.close_left(closed)
        await self.held.sweep()
        if expired:  # (the service logs drafts_expired, once; this says their chats are done)
            log.info("expired_chats_cleaned", count=expired)
        if expired and self.metrics is not None:
            self.metrics.conversations_expired.inc(expired)
        return expired

    def _storage_failed(self, trouble: Trouble, error: str) -> None:
        where = trouble.describe(self.svc.store.data_dir)
        log.error("storage_failed", problem=where, advice=trouble.advice, error=error)
        if self.metrics is not None:
            self.metrics.storage_failed(where)

    async def trouble(self, inc: Incoming, trouble: Trouble, error: str = "") -> None:
        """The store failed a write while handling the witness's update, so nothing of it was
        saved: tell them to try again later, and alert the operators (via the metrics)."""
        self._storage_failed(trouble, error)
        key = self.key(inc)
        rec = self.records.peek(key)
        language = (rec.language if rec else None) or inc.language_code
        if inc.callback is not None:
            await self.answer(inc.callback, None)
        text = self.texts("trouble.storage", language)
        if rec is None or rec.chat_id is None:  # no draft: they go after a while
            await self.say_loose(inc, text)  # (held in memory only while the store fails)
            return
        ids = await self.send(inc.chat_id, [Chunk(text)])
        # The store cannot remember these now: they join the record at its next save.
        mine = [inc.message_id] if inc.message_id is not None else []
        self._unsaved.setdefault(key, []).extend([*mine, *ids])

    async def notice(self, inc: Incoming, what: TextKey, **fields: object) -> None:
        """A line of the bot's own (rate limit, odd input…), remembered for deletion if a draft
        exists; the witness's message that caused it is remembered too."""
        key = self.key(inc)
        rec = await self.record(key)
        await self.tell(inc, self.texts(what, rec.language or inc.language_code, **fields))

    async def tell(self, inc: Incoming, text: str) -> None:
        """:meth:`notice` with a line already worded (e.g. by the service)."""
        key = self.key(inc)
        rec = await self.record(key)
        if inc.callback is not None:
            self.answers.soon(inc.callback, text)
            return
        if rec.chat_id is None:  # no draft to remember them: they go after a while
            await self.say_loose(inc, text)
            return
        ids = await self.send(inc.chat_id, [Chunk(text)])
        rec.add([*([inc.message_id] if inc.message_id is not None else []), *ids])
        await self.save(key, rec)

    # -- Bot API calls, each retried ------------------------------------------------------------
    async def send(
        self, chat_id: int, chunks: Sequence[Chunk], policy: RetryPolicy | None = None
    ) -> list[int]:
        """Send ``chunks`` in order (protect_content comes from the Application's Defaults),
        retried per ``policy`` (default: the bot's)."""
        ids = []
        policy = policy or self.policy
        for chunk in chunks:

            async def call(chunk: Chunk = chunk) -> int:
                sent = await self.bot.send_message(chat_id, chunk.text, reply_markup=chunk.markup)
                return sent.message_id

            ids.append(await with_retry(call, policy, what="sendMessage", on_error=self.on_error))
        return ids

    async def edit(
        self, chat_id: int, message_id: int, chunk: Chunk
    ) -> Literal["edited", "same"] | None:
        """Replace a prompt in place: "edited", "same" when it already showed exactly this
        (Telegram's "message is not modified": nothing changed on the phone), or None when
        Telegram refuses (then the caller sends anew)."""

        async def call() -> object:
            return await self.bot.edit_message_text(
                chunk.text, chat_id=chat_id, message_id=message_id, reply_markup=chunk.markup
            )

        try:
            await with_retry(call, self.policy, what="editMessageText", on_error=self.on_error)
        except BadRequest as exc:
            return "same" if "not modified" in str(exc).lower() else None
        return "edited"

    async def answer(self, query: CallbackQuery, text: str | None) -> None:
        """Stop the button's spinner now (see :class:`bot.answers.CallbackAnswers`)."""
        await self.answers.answer(query, text)
