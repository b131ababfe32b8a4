"""A scripted witness for ``intake demo``: answers whatever questionnaire it is shown.

It reads only what a person would see (the prompt, its buttons, the question's type) and picks a
plausible answer, so the demo plays any valid questionnaire — not just the bundled one — through
the same service a Telegram witness talks to. Presses use the engine's button tokens, exactly as a
channel passes them back.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from intake.channel import Event, Location, Press, Prompt, Text
from intake.engine import tokens
from intake.questionnaire import Question, Questionnaire

# Sample answers for the bundled questionnaire; any other text question gets a generic sentence.
SAMPLE_TEXT = {
    "what_happened": (
        "On the evening of 10 August I was walking home near Pushkinskaya metro station. "
        "Men in black uniforms without insignia pushed me into a minibus and beat me."
    ),
    "place": "Near Pushkinskaya metro station, Minsk",
    "detainers_details": "Black uniforms, balaclavas, no insignia; a grey minibus without plates.",
    "place_held": "Detention centre on Akrestsina street",
    "injuries": "Bruises on my back and legs, a cut above my eye.",
    "other_witnesses": "Two people who were held in the same cell could confirm this.",
    "anything_else": "Thank you for listening.",
}
SAMPLE_DATE = "10.08.2020"
SAMPLE_NUMBER = "3"
SAMPLE_LOCATION = (53.9097, 27.4965)


@dataclass(frozen=True, slots=True)
class SampleFile:
    """An attachment the scripted witness sends."""

    filename: str
    mime: str
    data: bytes


def sample_png(width: int = 96, height: int = 64) -> bytes:
    """A small valid PNG (a gradient), made here so the demo needs no files."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


SAMPLE_FILES = (
    SampleFile("bruises photo.png", "image/png", sample_png()),
    SampleFile("medical-note.txt", "text/plain", b"Emergency room note: contusions, 2020-08-14.\n"),
)


@dataclass
class ScriptedWitness:
    """Decides the next event from the prompt on screen. ``edit_once`` shows the review's edit."""

    questionnaire: Questionnaire
    language: str = "en"
    edit_once: bool = True
    attached: set[str] = field(default_factory=set)
    _edited: bool = False

    def wants_files(self, prompt: Prompt) -> tuple[SampleFile, ...]:
        """Files to send now (on a media question not yet answered), else nothing."""
        qid = prompt.question_id
        if prompt.stage != "question" or qid is None or qid in self.attached:
            return ()
        if self.questionnaire.question(qid).type != "media":
            return ()
        self.attached.add(qid)
        return SAMPLE_FILES

    def next_event(self, prompt: Prompt) -> Event:
        """The event a cooperative witness would produce for this prompt."""
        actions = _actions(prompt)
        if prompt.stage == "language":
            return _press(actions, tokens.LANGUAGE, self.language) or _first(prompt)
        if prompt.stage == "consent":
            return _press(actions, tokens.ACCEPT) or _first(prompt)
        if prompt.stage == "review":
            edit = _press(actions, tokens.EDIT)
            if self.edit_once and not self._edited and edit is not None:
                self._edited = True
                return edit
            change = _press(actions, tokens.PICK, "1")  # "Change an answer": the list of answers
            if self.edit_once and not self._edited and change is not None:
                return change
            return _press(actions, tokens.SUBMIT) or _first(prompt)
        if prompt.question_id is None:
            return _first(prompt)
        ambiguous = _press(actions, tokens.DATE)
        if ambiguous is not None:
            return ambiguous
        # asked where a message belongs (typed soon after the last answer): it was this one's
        held = _press(actions, tokens.HERE) or _press(actions, tokens.REPLACE)
        if held is not None:
            return held
        return self._answer(self.questionnaire.question(prompt.question_id), actions, prompt)

    def _answer(self, question: Question, actions: dict[str, list[str]], prompt: Prompt) -> Event:
        kind = question.type
        if kind in ("choice", "yes_no"):
            return _press(actions, tokens.OPTION) or _press(actions, tokens.YES) or _first(prompt)
        if kind == "multi_choice":
            chosen = sum(b.selected for row in prompt.buttons for b in row)
            options = actions.get(tokens.OPTION, [])
            if chosen < min(2, len(options)):
                unselected = [b.token for r in prompt.buttons for b in r if not b.selected]
                picks = [t for t in options if t in unselected]
                return Press(picks[0])
            return _press(actions, tokens.DONE) or _first(prompt)
        if kind == "media":
            return _press(actions, tokens.DONE) or _press(actions, tokens.SKIP) or _first(prompt)
        if kind == "date":
            return Text(SAMPLE_DATE)
        if kind == "number":
            low = question.min if question.min is not None else 0
            return Text(str(max(int(low), int(SAMPLE_NUMBER))))
        if kind == "location":
            return Location(*SAMPLE_LOCATION)
        if prompt.notice and self._edited is True and question.id in SAMPLE_TEXT:
            return Text(SAMPLE_TEXT[question.id][:40])
        text = SAMPLE_TEXT.get(question.id, f"(sample answer to '{question.id}')")
        limit = question.max_length or len(text)
        return Text(text[:limit])


def _actions(prompt: Prompt) -> dict[str, list[str]]:
    by_action: dict[str, list[str]] = {}
    for row in prompt.buttons:
        for button in row:
            parsed = tokens.parse(button.token)
            if parsed is not None:
                by_action.setdefault(parsed.action, []).append(button.token)
    return by_action


def _press(actions: dict[str, list[str]], action: str, arg: str | None = None) -> Press | None:
    for token in actions.get(action, []):
        parsed = tokens.parse(token)
        if parsed is not None and (arg is None or parsed.arg == arg):
            return Press(token)
    return None


def _first(prompt: Prompt) -> Event:
    for row in prompt.buttons:
        for button in row:
            return Press(button.token)
    return Text("…")
