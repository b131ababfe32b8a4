"""Thin adapters that carry a :class:`~tests.support.witness.Witness`'s decisions to a channel.

- :class:`ServiceWitness`: events straight into ``IntakeService.handle`` (engine, store, sealing).
- :class:`ConsoleWitness`: prompts rendered and decisions typed as lines, read back by the console
  channel (``intake/console/terminal.py``), as a person at ``intake demo --interactive`` would.
- :class:`ChatWitness`: a Telegram user in a private chat on the fake Bot API; tests drive it by
  button label (``say``, ``press``) or let a witness answer what the chat shows (``play``).
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake.channel import Button, Command, Event, Location, Media, Press, Prompt, Reply, Start
from intake.channel import Text as TextEvent
from intake.console import terminal
from intake.console.witness import SampleFile
from intake.engine import tokens
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from tests.support.fakebot.api import Msg
from tests.support.fakebot.inject import FakeBotApi, FakeUser
from tests.support.witness import Answer, Witness, chunks, find

ServiceFactory = Callable[[Questionnaire], IntakeService]  # the ``service`` fixture

MAX_FILE = 20 << 20
MAX_STEPS = 300


@dataclass
class ServiceWitness:
    """A witness talking to the service directly: one event per :meth:`step`, files first."""

    svc: IntakeService
    witness: Witness
    key: str = "qa-witness"
    replies: list[Reply] = field(default_factory=list)
    pending: list[SampleFile] = field(default_factory=list)

    async def send(self, event: Event) -> Reply:
        """Handle one event and remember the reply."""
        reply = await self.svc.handle(self.key, event)
        self.replies.append(reply)
        return reply

    async def start(self, hint: str | None = None) -> Reply:
        """Send Start (``/start``) with the channel's language hint."""
        return await self.send(Start(language_hint=hint))

    async def event_for(self, prompt: Prompt) -> Event:
        """The next event for ``prompt``: a due file (uploaded now) as Media, else the answer."""
        self.pending += self.witness.wants_files(prompt)
        if self.pending:
            sample = self.pending.pop(0)
            ref = await self.svc.add_attachment(
                self.key, chunks(sample.data), filename=sample.filename, mime=sample.mime,
                max_bytes=MAX_FILE,
            )  # fmt: skip
            return Media(ref)
        return self.witness.next_event(prompt)

    async def step(self, prompt: Prompt) -> Reply:
        """Answer ``prompt`` with one event."""
        return await self.send(await self.event_for(prompt))

    async def play(
        self,
        reply: Reply,
        until: str = "submit",
        between: Callable[[], Awaitable[IntakeService]] | None = None,
    ) -> Reply:
        """Answer from ``reply`` on until the ``until`` outcome ("submit") or stage ("review");
        ``between`` (a restart, say) gives the service to use for each next step."""
        for _ in range(MAX_STEPS):
            assert reply.outcome != "rejected", (reply.prompt.question_id, reply.prompt.notice)
            if reply.outcome == until or reply.prompt.stage == until:
                return reply
            assert reply.outcome == "continue", reply
            if between is not None:
                self.svc = await between()
            reply = await self.step(reply.prompt)
        raise AssertionError(f"did not reach {until!r} in {MAX_STEPS} steps")

    async def run(
        self,
        until: str = "submit",
        *,
        hint: str | None = None,
        between: Callable[[], Awaitable[IntakeService]] | None = None,
    ) -> Reply:
        """From Start to ``until`` (see :meth:`play`)."""
        return await self.play(await self.start(hint), until, between)

    async def to_question(self, qid: str) -> Reply:
        """Play from Start until the prompt for ``qid``."""
        reply = await self.start()
        for _ in range(MAX_STEPS):
            if reply.prompt.question_id == qid:
                return reply
            reply = await self.step(reply.prompt)
        raise AssertionError(f"never asked {qid}")

    async def to_review(self, hint: str | None = None) -> Reply:
        """From Start through language, consent and every question, to the review prompt."""
        return await self.run("review", hint=hint)

    async def continue_to_review(self, reply: Reply) -> Reply:
        """Answer prompts from ``reply`` on until the review prompt."""
        return await self.play(reply, "review")

    async def submit(self, hint: str | None = None) -> Reply:
        """Play to the review, then press Submit."""
        return await self.submit_from(await self.to_review(hint))

    async def submit_from(self, review: Reply) -> Reply:
        """Press Submit on the review prompt."""
        token = find(review.prompt, tokens.SUBMIT)
        assert token is not None, review.prompt.buttons
        return await self.send(Press(token))


def scripted(
    svc: IntakeService, script: dict[str, Answer], language: str, *, key: str = "qa-witness"
) -> ServiceWitness:
    """A new user's witness on ``svc``: answers ``script`` by question id, skips the rest."""
    return ServiceWitness(svc, Witness.following(svc.questionnaire, script, language), key)


def console_line(event: Event, prompt: Prompt) -> str:
    """What a person types at the console for ``event`` while ``prompt`` is on the screen."""
    if isinstance(event, Press) and event.token in terminal.button_tokens(prompt):
        number = str(terminal.button_tokens(prompt).index(event.token) + 1)
        return "#" + number if terminal.typed_answers(prompt) else number  # "3" may be an answer
    if isinstance(event, TextEvent):
        return event.text
    if isinstance(event, Command):
        return f"/{event.name}"
    if isinstance(event, Location):
        return f"geo:{event.latitude},{event.longitude}"
    raise AssertionError(f"{event!r} cannot be typed at the console")


@dataclass
class ConsoleWitness:
    """A person at the console channel: sees each prompt rendered, types each decision."""

    svc: IntakeService
    witness: Witness
    folder: Path  # where the files the person attaches with ``file:PATH`` are
    key: str = "console-witness"
    transcript: io.StringIO = field(default_factory=io.StringIO)
    pending: list[SampleFile] = field(default_factory=list)

    async def run(self) -> Reply:
        """From Start to the receipt; every typed line must mean what the witness meant."""
        reply = await self.svc.handle(self.key, Start(language_hint=self.witness.language))
        for _ in range(MAX_STEPS):
            terminal.render(reply.prompt, self.transcript)
            assert reply.outcome != "rejected", (reply.prompt.question_id, reply.prompt.notice)
            if reply.outcome == "submit":
                return reply
            assert reply.outcome == "continue", reply
            reply = await self.svc.handle(self.key, await self.typed(reply.prompt))
        raise AssertionError(f"did not submit in {MAX_STEPS} steps")

    async def typed(self, prompt: Prompt) -> Event:
        """The event of the line typed for ``prompt`` (``file:PATH`` for a due file)."""
        self.pending += self.witness.wants_files(prompt)
        if self.pending:
            sample = self.pending.pop(0)
            path = self.folder / (Path(sample.filename).name or "file")
            path.write_bytes(sample.data)
            parsed = terminal.parse_line(self._type(f"file:{path}"), prompt)
            assert parsed == path, parsed
            ref = await self.svc.add_attachment(
                self.key, terminal.file_chunks(path), filename=path.name,
                mime=terminal.guess_mime(path), max_bytes=MAX_FILE,
            )  # fmt: skip
            return Media(ref)
        event = self.witness.next_event(prompt)
        line = self._type(console_line(event, prompt))
        read = terminal.parse_line(line, prompt)
        assert read == event, f"typed {line!r} at {prompt.question_id}: read as {read!r}"
        return event

    def _type(self, line: str) -> str:
        self.transcript.write(f"you > {line}\n")
        return line


@dataclass
class ChatWitness:
    """One simulated person in a private chat with the bot on the fake Bot API."""

    fake: FakeBotApi
    user: FakeUser
    last: Msg | None = None
    sent: list[int] = field(default_factory=list)

    @classmethod
    async def agreed(cls, fake: FakeBotApi, language_code: str = "en") -> ChatWitness:
        """A new person who sent /start, chose English and agreed: the first question shows."""
        w = cls(fake, fake.user(language_code))
        await w.say("/start")
        await w.press("English")
        await w.press("agree")
        return w

    @property
    def chat_id(self) -> int:
        return self.user.id

    async def reply(self) -> Msg:
        """The bot's next message (or edit) in this chat; remembered as :attr:`last`."""
        self.last = await self.fake.next_reply(self.chat_id)
        return self.last

    async def say(self, text: str) -> Msg:
        self.sent.append(await self.fake.send_text(self.user, text))
        return await self.reply()

    async def press(self, label: str, on: Msg | None = None) -> Msg:
        """Press the button whose label contains ``label`` on ``on`` (default: the last prompt)."""
        msg = on or self.last
        assert msg is not None, "nothing to press on yet"
        await self.fake.press(self.user, msg.message_id, msg.button(label))
        return await self.reply()

    async def cancel(self, yes: str = "Yes, delete everything") -> Msg:
        """/cancel, then "yes" to the question the bot asks first: the closing line."""
        await self.say("/cancel")
        return await self.press(yes)

    async def submit(self, label: str = "Submit", *, close: bool = True) -> tuple[Msg, Msg]:
        """Press Submit: the bot leaves its neutral closing line, then the thank-you with the
        receipt code, which OK removes (pressed unless ``close`` is False)."""
        closing = await self.press(label)
        thanks = await self.reply()
        if close:
            await self.fake.press(self.user, thanks.message_id, thanks.button("OK"))
            chat = self.fake.chat(self.chat_id)
            await self.fake.wait_for(lambda: chat.messages[thanks.message_id].deleted)
        return closing, thanks

    async def send_file(self, kind: str, content: bytes, **kw: Any) -> Msg:
        self.sent.append(await self.fake.send_media(self.user, kind, content, **kw))
        return await self.reply()

    def visible(self) -> list[Msg]:
        return self.fake.chat(self.chat_id).visible()

    async def wiped(self, keep: Msg | None = None, wait: float = 30.0) -> None:
        """Wait until the chat holds only ``keep`` (or nothing): the traces are deleted."""
        want = [] if keep is None else [keep.message_id]
        await self.fake.wait_for(lambda: [m.message_id for m in self.visible()] == want, wait)

    async def play(self, witness: Witness) -> Msg:
        """Let ``witness`` answer what this chat shows, from /start to the receipt message."""
        await self.fake.send_text(self.user, "/start")
        msg = await self._keyboard()
        pending: list[SampleFile] = []
        for _ in range(MAX_STEPS):
            prompt = self.prompt_of(msg, witness)
            pending += witness.wants_files(prompt)
            if pending:
                sample = pending.pop(0)
                await self.fake.send_media(
                    self.user, "document", sample.data, filename=sample.filename, mime=sample.mime
                )
                msg = await self._keyboard()
                continue
            event = witness.next_event(prompt)
            if isinstance(event, Press):
                await self.fake.press(self.user, msg.message_id, event.token)
                parsed = tokens.parse(event.token)
                if parsed is not None and parsed.action == tokens.SUBMIT:
                    await self.reply()  # the neutral closing line that stays in the chat
                    return await self.reply()  # the thank-you with the receipt (deleted later)
            elif isinstance(event, Location):
                await self.fake.send_location(self.user, event.latitude, event.longitude)
            elif isinstance(event, TextEvent):
                await self.fake.send_text(self.user, event.text)
            else:
                raise AssertionError(f"{event!r} cannot be sent in a chat")
            msg = await self._keyboard()
        raise AssertionError(f"did not submit in {MAX_STEPS} steps")

    def prompt_of(self, msg: Msg, witness: Witness) -> Prompt:
        """The prompt a message shows, as the person reads it: its text and buttons, the stage
        its buttons imply, and the question whose wording it contains."""
        rows = (msg.reply_markup or {}).get("inline_keyboard", [])
        buttons = tuple(
            tuple(Button(b["callback_data"], b["text"], b["text"].startswith("✓ ")) for b in row)
            for row in rows
        )
        actions = {p.action for row in buttons for b in row if (p := tokens.parse(b.token))}
        stage = "question"
        if tokens.LANGUAGE in actions:
            stage = "language"
        elif tokens.ACCEPT in actions:
            stage = "consent"
        elif tokens.SUBMIT in actions or tokens.PICK in actions:  # the review, or its answers
            stage = "review"
        text = msg.text or ""
        qid = None
        if stage == "question":
            shown = [
                q for q in witness.questionnaire.questions if q.prompt[witness.language] in text
            ]
            assert shown, f"no question of the questionnaire in {text!r}"
            qid = max(shown, key=lambda q: len(q.prompt[witness.language])).id
        return Prompt(text, stage, buttons, question_id=qid, language=witness.language)

    async def _keyboard(self) -> Msg:
        """The bot's next message that carries buttons (earlier chunks of a long prompt and
        edits that took buttons away are passed over)."""
        while not (msg := await self.reply()).buttons:
            pass
        return msg
