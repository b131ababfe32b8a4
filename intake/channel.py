"""Plain data that crosses the line between a channel and the engine.

A channel (``bot/`` for Telegram, ``intake.console`` for the terminal) turns what the witness
did into an :data:`Event`, hands it to the engine (through :class:`intake.service.IntakeService`),
and renders the :class:`Prompt` it gets back. No channel type ever crosses this line, and nothing
here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """A file the witness sent, already stored encrypted in the draft.

    ``attachment_id`` names the encrypted blob in the store; the rest is what goes into
    ``submission.json``. ``filename`` is the original name as sent (untrusted text). For the
    chain of custody, ``received_at`` is the server's UTC time when the file was stored (ISO 8601,
    ``Z``) and ``received_as`` how it arrived (``photo``: re-encoded by Telegram, ``document``: the
    original file…; docs/submission-format.md lists them); ``None`` where unknown.
    """

    attachment_id: str
    filename: str
    mime: str
    size: int
    sha256: str
    received_at: str | None = None
    received_as: str | None = None
    caption: str | None = None  # what the witness wrote with the file: their words, sealed too


@dataclass(frozen=True, slots=True)
class Start:
    """The witness opened the conversation (``/start``). ``language_hint`` is the channel's guess
    (Telegram's ``language_code``), used only to preselect a language."""

    language_hint: str | None = None


@dataclass(frozen=True, slots=True)
class Press:
    """The witness pressed a button. ``token`` is exactly a :attr:`Button.token` the engine issued;
    anything else (forged, stale, from an old message) is rejected without effect."""

    token: str


@dataclass(frozen=True, slots=True)
class Text:
    """Free text the witness typed. ``at`` is when it was sent (Unix seconds; Telegram's message
    date). ``unseen`` says it was sent before the prompt now showing reached the witness (its
    message id is lower than the prompt's): it cannot answer that prompt, so it continues the
    previous answer — which is how a long paste Telegram split into several messages stays one."""

    text: str
    at: float | None = None
    unseen: bool = False


@dataclass(frozen=True, slots=True)
class Location:
    """A location the witness shared."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Media:
    """A file the witness sent, already stored in the draft. ``caption`` is what the witness
    wrote with it: at a question that takes text it is read as the typed answer (the file goes
    with it), so the words are never dropped."""

    attachment: AttachmentRef
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """The witness wants to come back with a follow-up code (``/followup``, or the start
    screen's button). ``language_hint`` as for :class:`Start`."""

    language_hint: str | None = None


CommandName = Literal["cancel", "back", "skip", "help", "language", "review", "submit"]


@dataclass(frozen=True, slots=True)
class Command:
    """A typed command, for channels without buttons (``/cancel``, ``/language`` …)."""

    name: CommandName


Event = Start | Press | Text | Location | Media | Command | FollowUp


@dataclass(frozen=True, slots=True)
class Button:
    """One button. ``token`` is ASCII, at most 48 bytes, and carries the state revision it was
    issued for, so a channel can pass it back verbatim (Telegram callback_data ≤ 64 bytes)."""

    token: str
    label: str
    selected: bool = False


#: ``code``: a follow-up code shown at submit, to be confirmed; ``followup``: a witness who came
#: back — asked for their code, or choosing what to do after reading.
Stage = Literal[
    "language",
    "consent",
    "question",
    "review",
    "submitted",
    "cancelled",
    "declined",
    "code",
    "followup",
]
#: ``voice``: text, or files to go with it (a voice message spoken instead of typing, a photo sent
#: at the question: a text or long_text question keeps them with its answer).
Expects = Literal["nothing", "text", "voice", "media", "location"]


@dataclass(frozen=True, slots=True)
class Prompt:
    """What the channel shows next, already in the witness's language.

    ``text`` is the whole message (question, help, hints); ``notice`` is a short line to show first
    when the last input was not accepted (validation error, stale button); ``buttons`` are rows;
    ``expects`` says which free input fits now; ``stage`` and ``question_id`` let a channel adapt
    (for instance a media hint), never decide.
    """

    text: str
    stage: Stage
    buttons: tuple[tuple[Button, ...], ...] = ()
    expects: Expects = "nothing"
    notice: str | None = None
    question_id: str | None = None
    language: str | None = None


#: ``followup``: the witness pressed the start screen's "I have a follow-up code" (the service
#: turns the conversation into a follow-up; a channel never sees this outcome).
Outcome = Literal["continue", "rejected", "submit", "cancelled", "declined", "followup"]


@dataclass(frozen=True, slots=True)
class ReplyFile:
    """A file staff attached to a reply: shown to the witness as a document."""

    filename: str
    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class ShownReply:
    """One staff reply, opened for the witness who came back with its code. A channel shows it
    (Telegram: with ``protect_content``) and removes it when the witness is done, or after
    :data:`intake.followup.session.READING_SECONDS`."""

    text: str = field(repr=False)
    files: tuple[ReplyFile, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    """What :class:`intake.service.IntakeService` answers a channel after an event.

    ``outcome`` is ``continue`` (state advanced — or, with ``replayed``, for an event the service
    had already applied, see ``seq`` of :meth:`~intake.service.IntakeService.handle`: the current
    prompt again, unchanged), ``rejected`` (input not accepted: the state did
    not change and ``prompt.notice`` says why), ``submit`` (sealed: ``receipt`` is set and the
    draft is gone), ``cancelled``/``declined`` (the draft is gone). ``channel_data`` is what the
    channel stored with the draft (e.g. message ids to delete); it is returned on terminal outcomes
    so the channel can clean up after the draft itself is destroyed. ``cleanup_id`` names the
    sealed clean-up record holding that data until the channel reports it done
    (:meth:`intake.service.IntakeService.cleaned`). ``shown`` are staff replies to show before
    the prompt (a witness who came back with a follow-up code); the channel records their
    message ids as ``rids`` in its data so they can be removed on time.
    """

    prompt: Prompt
    outcome: Outcome = "continue"
    receipt: str | None = None
    channel_data: dict[str, object] = field(default_factory=dict)
    cleanup_id: str | None = None
    replayed: bool = False
    shown: tuple[ShownReply, ...] = ()  # staff replies to show before the prompt


@dataclass(frozen=True, slots=True)
class Closing:
    """A conversation whose draft is gone and whose traces the channel must still remove.

    ``channel_data`` is what the channel stored with the draft; ``cleanup_id`` (None when there
    was nothing to clean) is the clean-up record to report done, once the traces are gone, with
    :meth:`intake.service.IntakeService.cleaned`; ``closing`` is the neutral line to leave (a
    conversation that ended before a crash: its own line; an expired draft: None, the expiry line;
    a wipe: "", nothing); ``receipt``, after a submit whose receipt the witness has not been shown
    yet, is that receipt.
    """

    channel_data: dict[str, object]
    cleanup_id: str | None = None
    closing: str | None = None  # the line to leave: None the channel's own for expiry, "" none
    receipt: str | None = None
