"""The simulated witness of every test: one decider for any prompt, thin adapters per channel.

:class:`Witness` decides what a person would answer to any prompt of any questionnaire. It *is*
:class:`intake.console.witness.ScriptedWitness` (the cooperative witness of ``intake demo``) with
three knobs for tests: a ``script`` of answers by question id, an ``rng`` for random choices (so
many witnesses take many branches), and a ``tag`` put in every text answer for the test to find.
It reads only what a person sees — the prompt, its buttons — and the question's type.

The adapters in :mod:`tests.support.channels` carry its decisions to a channel:
``IntakeService.handle`` directly, lines typed at the console channel, or a Telegram user on the
fake Bot API.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from intake.channel import Event, Location, Press, Prompt, Text
from intake.console.witness import SAMPLE_FILES, SampleFile, ScriptedWitness
from intake.engine import tokens
from intake.questionnaire import Question, Questionnaire


@dataclass(frozen=True, slots=True)
class Skip:
    """Script value: press Skip on this question."""


@dataclass(frozen=True, slots=True)
class Files:
    """Script value: send these (filename, mime, bytes) files, then press Done."""

    items: tuple[tuple[str, str, bytes], ...]


Answer = str | bool | list[str] | Location | Skip | Files | tuple[str, str]
# a str answers text/long_text/date/number questions; ("choice", option_id) presses an option.


def tokens_of(prompt: Prompt) -> list[str]:
    """Every button token of a prompt, in order."""
    return [b.token for row in prompt.buttons for b in row]


def find(prompt: Prompt, action: str, arg: str | None = None) -> str | None:
    """The first token with ``action`` (and ``arg``), or None."""
    for token in tokens_of(prompt):
        parsed = tokens.parse(token)
        if parsed and parsed.action == action and (arg is None or parsed.arg == arg):
            return token
    return None


def press_label(prompt: Prompt, label: str) -> Press:
    """Press the button whose label is exactly ``label`` (ignoring a ✓ mark)."""
    for row in prompt.buttons:
        for button in row:
            if button.label.removeprefix("✓ ").strip() == label.strip():
                return Press(button.token)
    raise AssertionError(f"no button {label!r} in {[b.label for r in prompt.buttons for b in r]}")


async def chunks(data: bytes, size: int = 50_000) -> AsyncIterator[bytes]:
    """The bytes in ``size`` pieces, as a channel streams a download."""
    for i in range(0, len(data), size):
        yield data[i : i + size]


@dataclass
class Witness(ScriptedWitness):
    """Decides the next event for any prompt (see the module docstring for the knobs).

    Precedence on a question: the ambiguous-date buttons, then ``script``, then Skip when
    ``skip_unscripted``, then ``tag``/``rng`` answers, then the demo witness's plausible answer.
    ``files`` are sent on every unscripted media question; ``asked`` lists the questions seen.
    """

    script: dict[str, Answer] = field(default_factory=dict)
    skip_unscripted: bool = False
    rng: random.Random | None = None
    tag: str | None = None
    files: tuple[SampleFile, ...] = SAMPLE_FILES
    asked: list[str] = field(default_factory=list)

    @classmethod
    def following(cls, q: Questionnaire, script: dict[str, Answer], language: str) -> Witness:
        """A witness who answers exactly ``script`` in ``language`` and skips everything else."""
        return cls(q, language, edit_once=False, script=script, skip_unscripted=True)

    @classmethod
    def at_random(
        cls, q: Questionnaire, rng: random.Random, *, tag: str, attachment: bytes = b""
    ) -> Witness:
        """A witness in a language drawn from ``rng`` who answers everything, choices at random,
        texts ``"<tag> <question id> answer"``, and ``attachment`` (if any) on media questions."""
        files = (SampleFile("../evil name.JPG", "image/jpeg", attachment),) if attachment else ()
        language = rng.choice(q.languages)
        return cls(q, language, edit_once=False, rng=rng, tag=tag, files=files)

    def wants_files(self, prompt: Prompt) -> tuple[SampleFile, ...]:
        """Files to send now: the scripted ones, else :attr:`files`, once per media question."""
        qid = self._seen(prompt)
        if qid is None or qid in self.attached:
            return ()
        answer = self.script.get(qid)
        if isinstance(answer, Files):
            self.attached.add(qid)
            return tuple(SampleFile(*item) for item in answer.items)
        if answer is not None or self.skip_unscripted:
            return ()
        return self.files if super().wants_files(prompt) else ()

    def next_event(self, prompt: Prompt) -> Event:
        """The event this witness produces for ``prompt``."""
        qid = self._seen(prompt)
        settling = (tokens.DATE, tokens.HERE, tokens.REPLACE)  # a date to pick, a message to place
        if qid is None or any(find(prompt, action) is not None for action in settling):
            return super().next_event(prompt)
        question = self.questionnaire.question(qid)
        if qid in self.script:
            return self._scripted(prompt, question, self.script[qid])
        if self.skip_unscripted:
            return _press(prompt, tokens.SKIP)
        if self.tag is not None and question.type in ("text", "long_text"):
            return Text(f"{self.tag} {qid} answer")
        if self.rng is not None and question.type in ("yes_no", "choice", "multi_choice"):
            return self._random_choice(prompt, question)
        if self.rng is not None and question.type == "number":
            return Text(str(self.rng.randint(1, 9)))
        return super().next_event(prompt)

    def _seen(self, prompt: Prompt) -> str | None:
        """The question id of a question prompt (recorded in :attr:`asked`), else None."""
        qid = prompt.question_id
        if prompt.stage != "question" or qid is None:
            return None
        if not self.asked or self.asked[-1] != qid:
            self.asked.append(qid)
        return qid

    def _random_choice(self, prompt: Prompt, question: Question) -> Event:
        assert self.rng is not None
        if question.type == "yes_no":
            return _press(prompt, self.rng.choice([tokens.YES, tokens.NO]))
        options = [
            t for t in tokens_of(prompt) if (p := tokens.parse(t)) and p.action == tokens.OPTION
        ]
        chosen = any(b.selected for row in prompt.buttons for b in row)
        if question.type == "multi_choice" and chosen and find(prompt, tokens.DONE):
            return _press(prompt, tokens.DONE)
        return Press(self.rng.choice(options))

    def _scripted(self, prompt: Prompt, question: Question, answer: Answer) -> Event:
        if isinstance(answer, Skip):
            return _press(prompt, tokens.SKIP)
        if isinstance(answer, Files):
            return _press(prompt, tokens.DONE)
        if isinstance(answer, Location):
            return answer
        if isinstance(answer, bool):
            return _press(prompt, tokens.YES if answer else tokens.NO)
        if isinstance(answer, tuple):
            return press_label(prompt, self._label(question, answer[1]))
        if isinstance(answer, list):
            chosen = {b.label.removeprefix("✓ ") for r in prompt.buttons for b in r if b.selected}
            for option_id in answer:
                label = self._label(question, option_id)
                if label not in chosen:
                    return press_label(prompt, label)
            return _press(prompt, tokens.DONE)
        assert question.type in ("text", "long_text", "date", "number", "location"), question.type
        return Text(answer)

    def _label(self, question: Question, option_id: str) -> str:
        for option in question.options:
            if option.id == option_id:
                return option.label[self.language]
        raise AssertionError(f"{question.id} has no option {option_id}")


def _press(prompt: Prompt, action: str) -> Press:
    """Press the first ``action`` button; an empty token (rejected) when there is none."""
    return Press(find(prompt, action) or "")
