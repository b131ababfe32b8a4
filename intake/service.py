"""The service: per-witness ordering, load → engine → durable save → reply, and submit.

Every state change is committed (fsync'd, see :mod:`intake.store.writer`) *before* the reply that
shows the next prompt is returned, so a crash never loses an answered question. Events of one
witness run one at a time under that witness's lock; different witnesses run concurrently and their
commits are grouped. On the ``submit`` outcome the draft first records its submission id and receipt
(committed), then is sealed into the outbox, then indexed and destroyed in one transaction — see
:class:`intake.submission.seal.Submitter` for why that order makes a crash at any point harmless.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import replace
from typing import Any

import structlog

import crypto
from intake import capacity, engine, i18n, outbox
from intake.channel import AttachmentRef, Closing, Event, FollowUp, Media, Prompt, Reply, Start
from intake.engine import DraftState
from intake.followup.session import FollowupDesk, FollowupSettings
from intake.keylocks import KeyLocks
from intake.questionnaire import Questionnaire, load_addition
from intake.ratelimits import RateLimiter
from intake.store import (
    AttachmentTooLargeError,
    Draft,
    DraftCorruptError,
    DraftNotFoundError,
    Store,
)
from intake.submission.document import format_timestamp
from intake.submission.names import safe_mime
from intake.submission.seal import SubmitFailedError, Submitter

log = structlog.get_logger(__name__)

# kind -> (how many, per how many seconds)
DEFAULT_LIMITS: Mapping[str, tuple[int, int]] = {
    "message": (30, 60),
    "submission": (5, 24 * 3600),
}
_KIND_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")


class IntakeService:
    """The conversation service every channel talks to (see docs/architecture.md, "Service")."""

    def __init__(
        self,
        store: Store,
        questionnaire: Questionnaire,
        recipients: Sequence[crypto.Recipient],
        *,
        clock: Callable[[], float] | None = None,
        limits: Mapping[str, tuple[int, int]] = DEFAULT_LIMITS,
        max_draft_bytes: int = capacity.DEFAULT_MAX_DRAFT_BYTES,
        followup: FollowupSettings | None = None,
    ) -> None:
        """``clock`` defaults to the store's clock; ``limits`` maps a kind to (count, seconds);
        ``max_draft_bytes`` bounds the files of one draft together. With ``followup`` (the data
        dir's salt and Argon2id parameters…) witnesses may take a follow-up code and come back
        with it (:mod:`intake.followup.session`)."""
        if not recipients:
            raise ValueError("IntakeService needs at least one recipient to seal submissions to")
        self.store = store
        # the consent says how long an unfinished draft is kept: this server's TTL
        self.questionnaire = engine.with_draft_time(questionnaire, store.draft_ttl)
        if followup is None:  # no follow-up codes here: the engine offers none
            self.questionnaire = replace(self.questionnaire, offers_followup=False)
        self.clock = clock or store.clock
        self.limits = dict(limits)
        self.max_draft_bytes = max_draft_bytes
        self._limiter = RateLimiter(self.limits, self.clock)
        self._submitter = Submitter(store, self.questionnaire, list(recipients), self.clock)
        self.addition = load_addition()  # what a witness back with a code adds
        self._adding = Submitter(store, self.addition, list(recipients), self.clock)
        self.followup = None if followup is None else FollowupDesk(self, followup)
        self._locks: KeyLocks[str] = KeyLocks()  # one per witness, while in use
        self._claimed: set[str] = set()  # clean-ups handed to a channel and not yet reported
        self._makers = 0  # clean-up records being made and claimed now (see _making)

    def _today(self) -> dt.date:
        """The latest date a witness may give: today in UTC by the injected clock, plus one day
        of slack (it is already tomorrow for a witness east of UTC)."""
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC).date() + dt.timedelta(days=1)

    def witness_key(self, channel: str, user_id: int | str) -> str:
        """The keyed hash standing for a witness (HMAC-SHA256 under the server secret)."""
        return self.store.witness_key(channel, user_id)

    async def handle(self, key: str, event: Event, *, seq: int | None = None) -> Reply:
        """Apply one event of one witness; the new state is on disk before this returns.

        ``seq`` is the channel's increasing number for the event (Telegram's update id). It is
        committed with the state, so an event delivered again after a crash (applied, but not yet
        confirmed to the channel) is recognised: it is not applied twice, and the current prompt
        comes back as a ``continue`` reply, for the channel to show again.
        """
        async with self._locks.hold(key):
            draft = await self._current(key)
            if draft is not None and draft.sealing_id is not None:
                return await self._finish(draft)  # an interrupted submit: complete it first
            desk = self.followup
            if (
                desk is not None
                and isinstance(event, FollowUp)
                and (draft is None or "fu" not in draft.body)
            ):
                return await desk.begin(key, draft, event.language_hint)
            if desk is not None and draft is not None and "fu" in draft.body:
                return await desk.handle(key, draft, event)
            if desk is not None and draft is not None and draft.body.get("code"):
                confirmed = await desk.confirm(key, draft, event)
                if confirmed is not None:
                    return confirmed
            if draft is None and not isinstance(event, Start):
                return self._no_conversation()  # e.g. a button of a deleted chat: no new draft
            if draft is None:
                assert isinstance(event, Start)
                step = engine.start(self.questionnaire, event.language_hint)
                body = {"state": step.state.to_json(), "channel": {}, "seq": seq}
                draft = self.store.new_draft(key, body)
                await self.store.save_draft(draft)
                return Reply(step.prompt, "continue")
            state = DraftState.from_json(draft.body["state"])
            q = self._q(draft)
            if seen(draft, seq):
                log.info("event_replayed")
                return Reply(engine.resume(q, state), "continue", replayed=True)
            if isinstance(event, Media) and not _ours(draft, event.attachment):
                return self._rejected(state, "error.not_here", q)  # not a file this draft stored
            step = engine.apply(q, state, event, today=self._today())
            channel = dict(draft.body.get("channel", {}))
            if step.outcome == "rejected":
                return Reply(step.prompt, "rejected")
            if step.outcome == "followup":  # the start screen's "I have a follow-up code"
                if desk is None:
                    return self._rejected(state, "error.not_here", q)
                return await desk.begin(key, draft, state.language or event_hint(event))
            if step.outcome in ("cancelled", "declined"):
                with self._making():
                    cleanup_id = self._claim(
                        await self.store.destroy_draft(
                            draft.draft_id, cleanup=channel, closing=step.prompt.text
                        )
                    )
                return Reply(step.prompt, step.outcome, channel_data=channel, cleanup_id=cleanup_id)
            if seq is not None:
                draft.body["seq"] = seq
            if (
                step.outcome == "submit"
                and desk is not None
                and desk.wants_code(q, event, step.state)
            ):
                return await desk.offer_code(key, draft)  # sealed once the code is confirmed
            if step.outcome == "submit":
                return await self.submit(draft, state, None, step.state)
            draft.body["state"] = step.state.to_json()
            await self.store.save_draft(draft)
            return Reply(step.prompt, "continue")

    def _q(self, draft: Draft) -> Questionnaire:
        """The questionnaire a draft answers: an addition's, or the main one."""
        return self.addition if draft.body.get("q") == "addition" else self.questionnaire

    async def submit(
        self,
        draft: Draft,
        review: DraftState,
        extra: Mapping[str, object] | None,
        state: DraftState | None = None,
        *,
        with_code: bool = False,
    ) -> Reply:
        """Seal ``draft`` (at its review ``review``; ``state`` the engine's submitted state):
        the id and receipt are chosen and committed first, then :meth:`_finish`. ``extra`` goes
        into the submission (``followup``: ``with_code``); an addition carries its case link."""
        if state is not None:
            draft.body["state"] = state.to_json()
        meta = dict(extra or {})
        kind = "followup" if with_code else None
        if draft.body.get("q") == "addition":
            meta["followup_of"] = draft.body["of"]
            kind = "addition"
        self._submitter_of(draft).begin(draft, review.to_json(), meta)
        if kind is not None:  # what the thank-you says (see thank_you)
            draft.body["submit"]["shown_as"] = f"{kind}:{draft.body['submit']['receipt']}"
        await self.store.save_draft(draft)
        return await self._finish(draft)

    def thank_you(self, language: str | None, shown: str) -> Prompt:
        """The thank-you after a submit, for ``shown``: the receipt, or ``followup:<receipt>``
        (the witness took a follow-up code: the thank-you says it works now) or
        ``addition:<receipt>`` (an addition: no receipt to keep). A channel keeps ``shown`` as
        it gets it (``Reply.receipt``) and may ask for the text again, e.g. after a restart."""
        q = self.questionnaire
        lang = language if language in q.languages else q.default_language
        kind, _, receipt = shown.rpartition(":")
        prompt = engine.submitted_prompt(q, lang, receipt)
        ui = q.strings(lang)
        if kind == "addition":
            return replace(prompt, text=i18n.render(ui, "followup.added"))
        if kind == "followup":
            return replace(prompt, text=f"{prompt.text}\n\n{i18n.render(ui, 'followup.thanks')}")
        return prompt

    def _submitter_of(self, draft: Draft) -> Submitter:
        return self._adding if draft.body.get("q") == "addition" else self._submitter

    async def _ended(self, draft: Draft) -> None:
        """A draft ends: what a follow-up draft showed is shredded (delivered) with it."""
        if self.followup is not None and "fu" in draft.body:
            await self.followup.ended(draft)

    def rejected_draft(self, draft: Draft, notice_key: str) -> Reply:
        """The draft's current prompt again, with a notice."""
        state = DraftState.from_json(draft.body["state"])
        return self._rejected(state, notice_key, self._q(draft))

    async def close_draft(self, draft: Draft, prompt: Prompt) -> Reply:
        """End ``draft`` with ``prompt`` as its neutral line (the channel wipes the chat)."""
        channel = dict(draft.body.get("channel", {}))
        with self._making():
            made = await self.store.destroy_draft(
                draft.draft_id, cleanup=channel, closing=prompt.text
            )
            cleanup_id = self._claim(made)
        return Reply(prompt, "cancelled", channel_data=channel, cleanup_id=cleanup_id)

    async def _current(self, key: str) -> Draft | None:
        """The witness's draft, or None; a draft past its TTL is destroyed here, not resumed.

        A draft that fails authentication can never be read again: it is destroyed (and logged
        as an error) so the witness can start over instead of being stuck on an error.
        """
        try:
            draft = await self.store.load_draft(key)
        except DraftCorruptError as exc:
            log.error("draft_unreadable", error=str(exc))
            await self.store.destroy_witness_draft(key)
            return None
        if draft is not None and draft.sealing_id is None and draft.expires_at <= self.clock():
            # the chat is cleaned by the next expiry sweep, from the clean-up record made here
            await self._ended(draft)
            await self.store.destroy_draft(draft.draft_id, cleanup=draft.body.get("channel"))
            log.info("draft_expired", reason="ttl_on_access")
            return None
        return draft

    async def _finish(self, draft: Draft) -> Reply:
        state = DraftState.from_json(draft.body["state"])
        q = self._q(draft)
        language = state.language or self.questionnaire.default_language
        receipt = str(draft.body["submit"].get("shown_as") or draft.body["submit"]["receipt"])
        prompt = self.thank_you(language, receipt)
        channel = dict(draft.body.get("channel", {}))
        try:
            with self._making():
                submitter = self._submitter_of(draft)
                _, made = await submitter.finish(draft, channel, self._neutral(draft))
                cleanup_id = self._claim(made)
        except SubmitFailedError:  # the draft is back at the review; the witness may retry
            state = DraftState.from_json(draft.body["state"])
            return self._rejected(state, "error.submit_failed", q)
        return Reply(prompt, "submit", receipt=receipt, channel_data=channel, cleanup_id=cleanup_id)

    def _neutral(self, draft: Draft) -> str:
        """The line a submit leaves in the chat (neutral: it may stay on a searched phone)."""
        state = DraftState.from_json(draft.body["state"])
        language = state.language or self.questionnaire.default_language
        return engine.closing_prompt(self.questionnaire, language, "submitted").text

    def _claim(self, cleanup_id: str | None) -> str | None:
        """Hand a clean-up to a channel: the expiry sweep leaves it alone until reported."""
        if cleanup_id is not None:
            self._claimed.add(cleanup_id)
        return cleanup_id

    @contextlib.contextmanager
    def _making(self) -> Iterator[None]:
        """Around making a clean-up record and claiming it: the store lists a new record before
        its commit returns (old slots are still being shredded), so meanwhile the sweep hands
        none out (:meth:`unclaimed_cleanups`) — it could take the record from its maker."""
        self._makers += 1
        try:
            yield
        finally:
            self._makers -= 1

    def _no_conversation(self) -> Reply:
        """Input without an open draft: one neutral line pointing to /start, nothing stored."""
        q = self.questionnaire
        text = q.ui[q.default_language].get("error.finished", "/start")
        prompt = Prompt(text, "cancelled", notice=text, language=q.default_language)
        return Reply(prompt, "rejected")

    def _rejected(
        self, state: DraftState, notice_key: str, q: Questionnaire | None = None
    ) -> Reply:
        """The current prompt again, with a notice (when the catalogue has that text)."""
        prompt = engine.resume(q or self.questionnaire, state)
        notice = self.questionnaire.strings(prompt.language).get(notice_key)
        return Reply(replace(prompt, notice=notice or prompt.notice), "rejected")

    async def room_for_file(
        self, key: str, *, size: int | None, max_bytes: int, seq: int | None = None
    ) -> capacity.Room | Reply:
        """May the witness's draft take one more file (of ``size`` bytes, ``max_bytes`` at most)?
        Ask before downloading it. A :class:`Reply` instead means there is nothing to store: no
        open draft (the reply says so), or the event numbered ``seq`` was applied already (the
        current prompt, to show again)."""
        async with self._locks.hold(key):
            draft = await self._current(key)
            if draft is None or draft.sealing_id is not None:
                return self._no_conversation()
            if seen(draft, seq):
                state = DraftState.from_json(draft.body["state"])
                return Reply(engine.resume(self._q(draft), state), "continue", replayed=True)
            return self._room(draft, max_bytes, size)

    def _room(
        self, draft: Draft, max_bytes: int, size: int | None = None, *, asked: bool = True
    ) -> capacity.Room:
        return capacity.room(
            self._q(draft),  # an addition's files are counted against its own questions
            draft.body,
            max_file_bytes=max_bytes,
            max_draft_bytes=self.max_draft_bytes,
            size=size,
            asked=asked,
        )

    async def add_attachment(
        self,
        key: str,
        chunks: AsyncIterator[bytes],
        *,
        filename: str,
        mime: str,
        max_bytes: int,
        received_as: str | None = None,
        caption: str | None = None,
    ) -> AttachmentRef:
        """Stream a file into the witness's draft, encrypted; then send ``Media(ref)`` to handle.

        ``received_as`` says how the channel got the file (``photo``, ``document``…); the ref also
        records the server time of reception, for the chain of custody, and ``caption``, the
        witness's words sent with it. Raises :class:`~intake.store.DraftNotFoundError` without an
        open draft, :class:`NoRoomError` when the question or the draft takes no more files
        (nothing is read), and :class:`~intake.store.AttachmentTooLargeError` past ``max_bytes``
        or the draft's remaining room (nothing is kept).
        """
        async with self._locks.hold(key):
            draft = await self._current(key)
            if draft is None or draft.sealing_id is not None:
                raise DraftNotFoundError("no open draft to attach a file to")
            room = self._room(draft, max_bytes, asked=False)
            if room.refusal is not None:
                raise NoRoomError(room.refusal)
            try:
                attachment_id, size, sha256 = await self.store.add_attachment(
                    draft, chunks, room.max_bytes
                )
            except AttachmentTooLargeError:
                if room.max_bytes >= max_bytes:
                    raise  # over the limit for one file
                raise NoRoomError(
                    capacity.draft_full(self._q(draft), draft.body, self.max_draft_bytes)
                ) from None
            # remembered (encrypted, committed) so a Media event can only name this very file
            draft.body.setdefault("blobs", {})[attachment_id] = [size, sha256]
            await self.store.save_draft(draft)
        received_at = format_timestamp(dt.datetime.fromtimestamp(int(self.clock()), dt.UTC))
        kind = received_as if received_as and _KIND_RE.fullmatch(received_as) else None
        return AttachmentRef(
            attachment_id, filename, safe_mime(mime), size, sha256, received_at, kind, caption
        )

    async def set_channel_data(self, key: str, data: dict[str, Any]) -> None:
        """Store the channel's data with the draft (encrypted); a no-op if there is no draft."""
        async with self._locks.hold(key):
            draft = await self.store.load_draft(key)
            if draft is None:
                return
            draft.body["channel"] = data
            await self.store.save_draft(draft)

    async def get_channel_data(self, key: str) -> dict[str, Any]:
        """The channel's data stored with the draft ({} without one)."""
        async with self._locks.hold(key):
            draft = await self.store.load_draft(key)
            return {} if draft is None else dict(draft.body.get("channel", {}))

    async def has_draft(self, key: str) -> bool:
        """Whether the witness has a draft open (or one whose submit began, or one that cannot
        be read: the answer that touches nothing)."""
        async with self._locks.hold(key):
            try:
                return await self.store.load_draft(key) is not None
            except DraftCorruptError:
                return True

    async def wipe(self, key: str) -> Closing:
        """Destroy the witness's draft, key and files; return its channel data for clean-up.

        A draft whose submit already began is completed instead (the witness chose to submit).
        """
        async with self._locks.hold(key):
            draft = await self.store.load_draft(key)
            if draft is None:
                return Closing({})
            channel = dict(draft.body.get("channel", {}))
            if draft.sealing_id is not None:
                try:  # nothing is shown, not even the receipt: the witness wiped the chat
                    with self._making():
                        _, made = await self._submitter_of(draft).finish(
                            draft, channel, "", show_receipt=False
                        )
                        return Closing(channel, self._claim(made), "")
                except Exception as exc:  # the witness asked for nothing to remain: honour it
                    log.error("wipe_submit_failed", error=type(exc).__name__)
            await self._ended(draft)
            with self._making():
                made = await self.store.destroy_draft(draft.draft_id, cleanup=channel, closing="")
                return Closing(channel, self._claim(made), "")

    async def cleaned(self, cleanup_id: str | None) -> None:
        """The channel removed a closed conversation's traces: shred its clean-up record."""
        if cleanup_id is None:
            return
        self._claimed.discard(cleanup_id)
        await self.store.cleanups.destroy(cleanup_id)

    def unclaim(self, cleanup_id: str | None) -> None:
        """The channel lets go of a clean-up it could not finish (it stopped, or Telegram could
        not be reached): the next sweep (:meth:`expire`) hands it out again, within the 48 h."""
        self._claimed.discard(cleanup_id or "")

    async def keep_for_cleanup(self, channel: dict[str, Any]) -> str:
        """A clean-up of the channel's own making (messages to delete later: a receipt shown for
        a few minutes, lines in a chat without a draft), held by the channel. A restart forgets
        the hold: then the sweep hands it out like any other (:meth:`expire`)."""
        with self._making():
            cleanup_id = await self.store.cleanups.create(channel, "")
            self._claimed.add(cleanup_id)
        return cleanup_id

    async def narrow(
        self,
        cleanup_id: str,
        channel: dict[str, Any],
        *,
        closing: str | None = "",
        receipt: str | None = None,
        hold: bool = True,
    ) -> str | None:
        """Replace a clean-up by what is left of it — ``channel`` (e.g. the ids still to delete),
        the line still to leave (``""``: none), the receipt still to show — in one commit, same
        48 h deadline. The new record stays with the channel (``hold``) or goes back to the sweep.
        Returns its id; None when the old one is gone already."""
        with self._making():
            new_id = await self.store.cleanups.replace(
                cleanup_id, channel, closing, receipt=receipt
            )
            self._claimed.discard(cleanup_id)
            return self._claim(new_id) if hold else new_id

    async def expire(self) -> list[Closing]:
        """Destroy drafts past their TTL (interrupted submits are finished first).

        Returns what the channel must clean: each expired draft's channel data, and every
        clean-up no channel holds (left by a crash, or by a draft that expired on access);
        clean-ups past Telegram's 48 h window are destroyed unseen. Counters of ended rate-limit
        windows are dropped too.
        """
        await self.finish_interrupted()
        closings: list[Closing] = []
        async with aclosing(self._each_locked(await self.store.expired_draft_ids())) as drafts:
            async for draft in drafts:
                if draft.sealing_id is not None or draft.expires_at > self.clock():
                    continue
                channel = dict(draft.body.get("channel", {}))
                await self._ended(draft)
                cleanup_id = await self.store.destroy_draft(draft.draft_id, cleanup=channel)
                closings.append(Closing(channel, self._claim(cleanup_id)))
        if closings:
            log.info("drafts_expired", count=len(closings))
        closings += await self.unclaimed_cleanups()
        self._limiter.purge()
        if self.followup is not None:  # replies nobody came for within their time
            await self.followup.mailboxes.expire()
        return closings

    async def unclaimed_cleanups(self) -> list[Closing]:
        """Every clean-up no channel holds (left by a crash, an outage, or a restart), claimed
        for the caller (:meth:`unclaim` gives one back); those past Telegram's 48 h window are
        destroyed unseen."""
        late = await self.store.cleanups.destroy_expired()
        if late:
            log.warning("cleanups_expired", count=late)
        found: list[Closing] = []
        if self._makers:  # a record being made and claimed: the next round sees the rest
            return found
        for cleanup_id in self.store.cleanups.ids():
            if cleanup_id in self._claimed:
                continue
            cleanup = await self.store.cleanups.load(cleanup_id)
            if cleanup is not None:
                claimed = self._claim(cleanup_id)
                found.append(Closing(cleanup.channel, claimed, cleanup.closing, cleanup.receipt))
        return found

    async def expiring(self, within: float) -> list[tuple[str, dict[str, Any], float]]:
        """Drafts that expire within ``within`` seconds and whose witness was not told yet.

        Each is marked as told (saved with the draft) and returned as (witness key, channel data,
        seconds left), so the channel can warn once: "this conversation ends in about an hour".
        """
        out: list[tuple[str, dict[str, Any], float]] = []
        soon = await self.store.draft_ids_expiring_by(self.clock() + within)
        async with aclosing(self._each_locked(soon)) as drafts:
            async for draft in drafts:
                left = draft.expires_at - self.clock()
                if draft.sealing_id is not None or draft.body.get("warned") or left <= 0:
                    continue
                if "fu" in draft.body:  # a follow-up's ten minutes: the witness was told
                    continue
                draft.body["warned"] = True
                await self.store.save_draft(draft)
                out.append((draft.witness_key, dict(draft.body.get("channel", {})), left))
        return out

    async def finish_interrupted(self) -> int:
        """Complete every submit that began but did not finish (e.g. before a crash)."""
        done = 0
        async with aclosing(self._each_locked(await self.store.sealing_draft_ids())) as drafts:
            async for draft in drafts:
                if draft.sealing_id is None:
                    continue
                channel = dict(draft.body.get("channel", {}))
                try:  # the chat is closed by the sweep, with the line a submit leaves
                    await self._submitter_of(draft).finish(draft, channel, self._neutral(draft))
                except Exception as exc:  # one bad draft must not block the others or expiry
                    error = type(exc).__name__
                    log.error("submit_retry_failed", draft_id=draft.draft_id, error=error)
                    continue
                done += 1
        return done

    async def _each_locked(self, draft_ids: Sequence[str]) -> AsyncGenerator[Draft, None]:
        """Each draft of ``draft_ids`` as it stands once its witness's lock is held (read again
        under the lock: an event may have changed or ended it meanwhile); the loop body runs
        under the lock. Drafts gone by then are skipped."""
        for draft_id in draft_ids:
            found = await self.store.load_draft_by_id(draft_id)
            if found is None:
                continue
            async with self._locks.hold(found.witness_key):
                draft = await self.store.load_draft_by_id(draft_id)
                if draft is not None:
                    yield draft

    async def recover(self) -> outbox.Recovery:
        """Start-up recovery: finish interrupted submits, reconcile the outbox, sweep orphans."""
        finished = await self.finish_interrupted()
        report = await outbox.recover(self.store)
        swept = await self.store.sweep_orphans()
        if self.followup is not None:
            swept += self.followup.mailboxes.sweep_orphans()
        log.info(
            "recovery_done",
            submits_finished=finished,
            temp_removed=report.temp_removed,
            acks_completed=report.ack_completed,
            indexed=len(report.indexed),
            missing=len(report.missing),
            orphan_folders=swept,
        )
        return report

    async def allow(self, key: str, kind: str) -> bool:
        """Count one ``kind`` event for the witness; False once over the limit in this window.

        Counted in memory only (:mod:`intake.ratelimits`): a restart forgets every counter.
        """
        return self._limiter.allow(key, kind)


class NoRoomError(Exception):
    """The question or the draft takes no more files; the message says so to the witness."""


def seen(draft: Draft, seq: int | None) -> bool:
    """True if the event numbered ``seq`` (or a later one) was already applied to ``draft``."""
    last = draft.body.get("seq")
    return seq is not None and isinstance(last, int) and seq <= last


def event_hint(event: Event) -> str | None:
    """The language a channel guessed for the witness, if the event carries one."""
    return event.language_hint if isinstance(event, Start | FollowUp) else None


def _ours(draft: Draft, ref: AttachmentRef) -> bool:
    """True if ``ref`` is a file :meth:`IntakeService.add_attachment` stored in this draft."""
    known = draft.body.get("blobs", {}).get(ref.attachment_id)
    return known is not None and list(known) == [ref.size, ref.sha256]
