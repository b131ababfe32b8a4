"""The follow-up conversation: a code offered at submit, and a witness who comes back with it.

Two moments, both inside :class:`intake.service.IntakeService` (under the witness's lock):

**At submit** (:meth:`FollowupDesk.offer_code`). A witness who chose the follow-up option, or
pressed "Submit and get a follow-up code", sees a fresh code in a message of its own and types
its last group back. The code lives in this object's memory only (a dict by witness key) — never
in the draft, never on disk; the draft only says a code is being confirmed. Once confirmed, the
keys are derived (bounded, in a thread) and the submit begins with the *public* parts
(recipient, mailbox tag, case link) as ``followup`` in the sealed submission; the code is
forgotten. After a restart the code is gone: the witness gets a new one (nothing was sealed yet).

**Coming back** (:meth:`FollowupDesk.handle` on a follow-up draft). ``/followup`` or the start
screen's button opens a draft in follow-up mode that asks for the code; the channel deletes the
message holding it at once. The code is checked for shape only (24 digits: a typo is said so,
which tells nothing about codes), counted against a per-witness and a global limit (memory
only), derived, and the waiting replies looked up by tag. Found or not, the witness reads the
same menu — "Add information" and "Done" — so a wrong code looks exactly like "nothing new".
The draft is then re-made with a reading deadline of :data:`READING_SECONDS`: its expiry
deletes the replies from the chat even after a restart. Done (or /cancel, or the deadline)
shreds the replies shown; "Add information" shreds them too and turns the draft into an addition
(the bundled ``addition`` questionnaire) that carries the case link and is sealed to staff like
any submission.

Body of a follow-up draft: ``{"fu": {"stage": "ask"|"menu", "rev": n, "lang": …, "shown": [record
ids], "case": hex}, "state": …, "channel": …}`` — sealed under the draft's key and shredded with
it; no code, no tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import structlog

from crypto.followup import FollowupKeyError, FollowupKeys
from intake import engine, i18n
from intake.channel import (
    Button,
    Command,
    Event,
    FollowUp,
    Press,
    Prompt,
    Reply,
    ReplyFile,
    ShownReply,
    Start,
    Text,
)
from intake.engine import DraftState, tokens
from intake.followup import codes
from intake.followup.deriver import DEFAULT_CONCURRENCY, Deriver
from intake.followup.kdfparams import FollowupParams
from intake.followup.mailboxes import DEFAULT_TTL, Mailboxes
from intake.followup.replyfile import ReplyFormatError, open_reply
from intake.questionnaire import Questionnaire
from intake.ratelimits import RateLimiter
from intake.store import Draft

if TYPE_CHECKING:
    from intake.service import IntakeService

log = structlog.get_logger(__name__)

READING_SECONDS = 600.0  # replies shown are deleted from the chat after this, if not before
#: Tries of a code: per witness, and by everyone together (memory only, like the other limits).
DEFAULT_LIMITS: Mapping[str, tuple[int, int]] = {
    "followup": (5, 900),
    "followup_all": (60, 60),
}
_EVERYONE = "*"  # the limiter's key for the global count


@dataclass(frozen=True, slots=True)
class FollowupSettings:
    """How a service offers follow-up codes: the data dir's ``params``, at most ``concurrency``
    derivations at once, waiting replies kept ``reply_ttl`` seconds, tries limited by ``limits``
    (``followup`` per witness, ``followup_all`` for everyone)."""

    params: FollowupParams
    concurrency: int = DEFAULT_CONCURRENCY
    reply_ttl: float = DEFAULT_TTL
    limits: Mapping[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_LIMITS))


class FollowupDesk:
    """Follow-up codes of one service (see the module's docstring)."""

    def __init__(self, svc: IntakeService, settings: FollowupSettings) -> None:
        """Serve ``svc``'s witnesses as ``settings`` say."""
        self.svc = svc
        self.deriver = Deriver(settings.params, settings.concurrency)
        self.mailboxes = Mailboxes(svc.store, ttl=settings.reply_ttl)
        self._limiter = RateLimiter(settings.limits, svc.clock)
        self._codes: dict[str, str] = {}  # witness key -> code being confirmed: memory only

    @property
    def busy(self) -> bool:
        """True when a derivation now would wait for others first ("one moment")."""
        return self.deriver.busy

    def close(self) -> None:
        """Stop the derivation threads."""
        self.deriver.close()

    # -- at submit ------------------------------------------------------------------------------

    def wants_code(self, q: Questionnaire, event: Event, state: DraftState) -> bool:
        """Whether this submit asks for a follow-up code."""
        if not q.offers_followup:
            return False
        if isinstance(event, Press):
            tok = tokens.parse(event.token)
            if tok is not None and tok.action == tokens.SUBMIT_CODE:
                return True
        option = q.followup_option
        if option is None:
            return False
        value = state.answers.get(option[0])
        return value == option[1] or (isinstance(value, list | tuple) and option[1] in value)

    async def offer_code(self, key: str, draft: Draft, notice: str | None = None) -> Reply:
        """Show a new code to confirm (the draft stays at its review, marked as confirming)."""
        code = codes.new_code()
        self._codes[key] = code
        draft.body["code"] = True  # a code is being confirmed (which one: memory only)
        await self.svc.store.save_draft(draft)
        return Reply(self._code_prompt(draft, code, notice), "continue")

    def _code_prompt(self, draft: Draft, code: str | None, notice: str | None) -> Prompt:
        state = DraftState.from_json(draft.body["state"])
        lang = state.language or self.svc.questionnaire.default_language
        ui = self.svc.questionnaire.strings(lang)
        buttons = ((Button(tokens.make(state.rev, tokens.NO_CODE), _ui(ui, "buttons.no_code")),),)
        if code is None:  # typed wrong: the code stays in the message above, not shown again
            text = _ui(ui, "followup.code_mismatch")
            return Prompt(text, "code", buttons, expects="text", notice=text, language=lang)
        text = i18n.render(ui, "followup.code_shown", code=codes.shown(code))
        return Prompt(text, "code", buttons, expects="text", notice=notice, language=lang)

    async def confirm(self, key: str, draft: Draft, event: Event) -> Reply | None:
        """An event while a code is being confirmed; None hands it on to the engine (the code
        is then dropped: the witness went back to the review, or cancelled)."""
        state = DraftState.from_json(draft.body["state"])
        ui = self.svc.questionnaire.strings(state.language)
        code = self._codes.get(key)
        if isinstance(event, Press):
            tok = tokens.parse(event.token)
            if tok is not None and tok.action == tokens.NO_CODE and tok.rev == state.rev:
                self._drop(key, draft)
                return await self.svc.submit(draft, state, None)
        if not isinstance(event, Text):
            self._drop(key, draft)
            return None
        if code is None:  # the bot restarted: the code was never kept anywhere
            return await self.offer_code(key, draft, _ui(ui, "followup.code_new"))
        typed = codes.digits_of(event.text)
        if typed not in (codes.last_group(code), code):
            return Reply(self._code_prompt(draft, None, None), "rejected")
        try:
            keys = await self.deriver.derive(code)
        except FollowupKeyError as exc:  # the code shown must work: nothing sealed, try again
            log.error("followup_derive_failed", error=str(exc))
            failed = self._code_prompt(draft, None, None)
            text = _ui(ui, "followup.code_failed")
            return Reply(replace(failed, text=text, notice=text), "rejected")
        self._drop(key, draft)
        extra = {"followup": public_parts(keys)}
        return await self.svc.submit(draft, state, extra, with_code=True)

    def _drop(self, key: str, draft: Draft) -> None:
        self._codes.pop(key, None)
        draft.body.pop("code", None)

    # -- coming back ----------------------------------------------------------------------------

    async def begin(self, key: str, draft: Draft | None, language: str | None) -> Reply:
        """``/followup`` or the start screen's button: a draft that asks for the code. An open
        conversation with answers is never thrown away: the witness is told to finish it."""
        if draft is not None and "fu" not in draft.body and _has_answers(draft):
            return self.svc.rejected_draft(draft, "followup.busy")
        lang = self._language(draft, language)
        channel = dict(draft.body.get("channel", {})) if draft is not None else {}
        if draft is not None:
            await self._release(draft)
        new = self.svc.store.new_draft(key, self._body("ask", lang, channel))
        await self.svc.store.replace_draft(draft, new)
        return Reply(self._ask(lang, None), "continue")

    def _language(self, draft: Draft | None, hint: str | None) -> str:
        q = self.svc.questionnaire
        if draft is not None:
            if "fu" in draft.body:
                return str(draft.body["fu"]["lang"])
            state = DraftState.from_json(draft.body["state"])
            if state.language in q.languages:
                return str(state.language)
        found = i18n.normalise_language(hint)
        return found if found in q.languages else q.default_language

    def _body(
        self, stage: str, lang: str, channel: dict[str, Any], **more: object
    ) -> dict[str, Any]:
        addition = self.svc.addition
        state = DraftState(addition.id, addition.version, stage="consent", language=lang)
        fu: dict[str, object] = {"stage": stage, "rev": 1, "lang": lang, **more}
        return {"fu": fu, "state": state.to_json(), "channel": channel}

    def _ask(self, lang: str, notice_key: str | None, **fields: object) -> Prompt:
        ui = self.svc.questionnaire.strings(lang)
        notice = i18n.render(ui, notice_key, **fields) if notice_key else None
        text = _ui(ui, "followup.ask")
        return Prompt(text, "followup", expects="text", notice=notice, language=lang)

    async def handle(self, key: str, draft: Draft, event: Event) -> Reply:
        """An event of a witness in a follow-up draft (asked for the code, or at the menu)."""
        fu = draft.body["fu"]
        lang = str(fu["lang"])
        if isinstance(event, FollowUp):
            return await self.begin(key, draft, lang)
        if isinstance(event, Start):  # a new testimony instead
            return await self._restart(key, draft, event)
        if isinstance(event, Command) and event.name == "cancel":
            return await self._done(draft, lang)
        if fu["stage"] == "ask":
            if isinstance(event, Text):
                return await self._code_typed(key, draft, event.text, lang)
            return Reply(self._ask(lang, None), "rejected")
        if isinstance(event, Press):
            tok = tokens.parse(event.token)
            if tok is not None and tok.rev == fu["rev"] and tok.action == tokens.FU_DONE:
                return await self._done(draft, lang)
            if tok is not None and tok.rev == fu["rev"] and tok.action == tokens.FU_ADD:
                return await self._add(key, draft, lang)
        return Reply(self._menu(lang, fu["rev"], bool(fu.get("shown"))), "rejected")

    async def _code_typed(self, key: str, draft: Draft, text: str, lang: str) -> Reply:
        code = codes.parse_code(text)
        if code is None:
            return Reply(self._ask(lang, "followup.not_a_code"), "rejected")
        if not self._limiter.allow(key, "followup") or not self._limiter.allow(
            _EVERYONE, "followup_all"
        ):
            ui = self.svc.questionnaire.strings(lang)
            wait = i18n.render_duration(ui, self._limiter.limits["followup"][1])
            return Reply(self._ask(lang, "followup.too_many", time=wait), "rejected")
        try:
            keys = await self.deriver.derive(code)
        except FollowupKeyError as exc:
            log.error("followup_derive_failed", error=str(exc))
            return Reply(self._ask(lang, "followup.not_a_code"), "rejected")
        waiting = await self.mailboxes.waiting(keys.mailbox_tag)
        shown: list[ShownReply] = []
        for item in waiting:
            try:
                reply = open_reply(item.sealed, [keys.identity])
            except ReplyFormatError as exc:  # not shown; shredded with the others on Done
                log.warning("reply_unreadable", error=str(exc))
                continue
            files = tuple(ReplyFile(f.filename, f.mime, f.data) for f in reply.files)
            shown.append(ShownReply(reply.text, files))
        ids = [item.record_id for item in waiting]
        channel = dict(draft.body.get("channel", {}))
        body = self._body("menu", lang, channel, shown=ids, case=keys.case_link.hex())
        body["fu"]["rev"] = int(draft.body["fu"]["rev"]) + 1
        deadline = self.svc.clock() + READING_SECONDS
        new = self.svc.store.new_draft(key, body, expires_at=deadline)
        await self.svc.store.replace_draft(draft, new)
        log.info("followup_opened")  # the same line whatever was found: nothing to tell apart
        return Reply(
            self._menu(lang, body["fu"]["rev"], bool(shown)), "continue", shown=tuple(shown)
        )

    def _menu(self, lang: str, rev: int, shown: bool) -> Prompt:
        ui = self.svc.questionnaire.strings(lang)
        first = (
            i18n.render(ui, "followup.replies", time=i18n.render_duration(ui, READING_SECONDS))
            if shown
            else _ui(ui, "followup.nothing")
        )
        text = f"{first}\n\n{_ui(ui, 'followup.menu')}"
        rows = (
            (Button(tokens.make(rev, tokens.FU_ADD), _ui(ui, "buttons.add")),),
            (Button(tokens.make(rev, tokens.FU_DONE), _ui(ui, "buttons.done")),),
        )
        return Prompt(text, "followup", rows, language=lang)

    async def _done(self, draft: Draft, lang: str) -> Reply:
        """Done (or /cancel): the replies shown are shredded, the chat wiped, "Done." left."""
        await self._release(draft)
        prompt = engine.closing_prompt(self.svc.questionnaire, lang, "followup")
        return await self.svc.close_draft(draft, prompt)

    async def _add(self, key: str, draft: Draft, lang: str) -> Reply:
        """Add information: the additions questionnaire, in a draft of its own with the case."""
        case = str(draft.body["fu"]["case"])
        await self._release(draft)
        step = engine.begin_at_questions(self.svc.addition, lang)
        channel = dict(draft.body.get("channel", {}))
        body = {"state": step.state.to_json(), "channel": channel, "q": "addition", "of": case}
        new = self.svc.store.new_draft(key, body)
        await self.svc.store.replace_draft(draft, new)
        return Reply(step.prompt, "continue")

    async def _restart(self, key: str, draft: Draft, event: Start) -> Reply:
        """/start while in a follow-up: the replies shown go, a new conversation begins."""
        await self._release(draft)
        step = engine.start(self.svc.questionnaire, event.language_hint or draft.body["fu"]["lang"])
        channel = dict(draft.body.get("channel", {}))
        new = self.svc.store.new_draft(key, {"state": step.state.to_json(), "channel": channel})
        await self.svc.store.replace_draft(draft, new)
        return Reply(step.prompt, "continue")

    async def _release(self, draft: Draft) -> None:
        """Shred the replies this draft showed (delivered: the witness has read them)."""
        shown = draft.body.get("fu", {}).get("shown") or []
        if shown:
            await self.mailboxes.delivered([str(i) for i in shown])
            draft.body["fu"]["shown"] = []

    async def ended(self, draft: Draft) -> None:
        """A draft ends some other way (expiry, /delete, /x): shred what it showed."""
        await self._release(draft)


def public_parts(keys: FollowupKeys) -> dict[str, str]:
    """What a submission carries of the witness's follow-up keys (``followup`` of v1)."""
    return {
        "recipient": str(keys.recipient),
        "mailbox_tag": keys.mailbox_tag.hex(),
        "case_link": keys.case_link.hex(),
    }


def _has_answers(draft: Draft) -> bool:
    state = DraftState.from_json(draft.body["state"])
    return bool(state.answers) or state.stage not in ("language", "consent")


def _ui(ui: Mapping[str, str], key: str) -> str:
    return i18n.render(ui, key)
