"""The typed, immutable model of a questionnaire (GUIDE §4).

Everything here is plain data built by :mod:`intake.questionnaire.loader` after validation, so the
engine can trust it: every declared language has every text, ids are unique, and a ``when`` only
points at an earlier question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, get_args

QuestionType = Literal[
    "text",
    "long_text",
    "choice",
    "multi_choice",
    "yes_no",
    "date",
    "number",
    "location",
    "media",
]
QUESTION_TYPES: tuple[QuestionType, ...] = get_args(QuestionType)

#: language code -> text in that language
Texts: TypeAlias = Mapping[str, str]

#: The JSON-safe value of one answer (see docs/questionnaire.md, "Answer values"). ``None`` means
#: the witness skipped the question.
AnswerValue: TypeAlias = (
    str | bool | int | float | list[str] | dict[str, float] | dict[str, str] | None
)

# Bounds that keep every prompt and short answer inside one Telegram message (4096 characters).
TELEGRAM_TEXT_LIMIT = 4096
# A long_text answer may span several messages (Telegram splits a long paste at 4096 characters,
# and the parts are joined): its default takes one whole part and more.
LONG_TEXT_LIMIT = 20000
DEFAULT_MAX_LENGTH: Mapping[str, int] = {"text": 500, "long_text": 8000, "location": 500}
DEFAULT_MAX_FILES = 10
MAX_FILES_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Option:
    """One option of a ``choice`` or ``multi_choice`` question. ``followup``: choosing it asks
    for a follow-up code at submit (at most one option of a questionnaire says so)."""

    id: str
    label: Texts
    followup: bool = False


ConditionKind = Literal["equals", "in", "answered"]

#: What a question means to staff (``purpose = "…"``): the overview and reports show these first.
Purpose = Literal["consent_scope", "contact", "incident_date", "place"]
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)
#: The question types each purpose may be given to.
PURPOSE_TYPES: Mapping[str, frozenset[str]] = {
    "consent_scope": frozenset({"choice", "multi_choice"}),
    "contact": frozenset({"choice", "yes_no"}),
    "incident_date": frozenset({"date"}),
    "place": frozenset({"text", "location"}),
}


@dataclass(frozen=True, slots=True)
class Condition:
    """``when = { question = "…", equals | in | answered = … }``.

    ``value`` is the operand: a scalar for ``equals``, a tuple for ``in``, a bool for ``answered``.
    """

    question: str
    kind: ConditionKind
    value: object

    def holds(self, answers: Mapping[str, AnswerValue]) -> bool:
        """Whether the condition is met by ``answers`` (question id -> value, None = skipped).

        A question that was skipped or never asked is "not answered": ``equals``/``in`` are false.
        For a ``multi_choice`` answer (a list), ``equals`` means "this option was among those
        chosen" and ``in`` means "any chosen option is in the list".
        """
        answer = answers.get(self.question)
        if self.kind == "answered":
            return (answer is not None) == bool(self.value)
        if answer is None:
            return False
        if self.kind == "equals":
            if isinstance(answer, list):
                return self.value in answer
            return _same(answer, self.value)
        candidates = self.value if isinstance(self.value, tuple) else ()
        if isinstance(answer, list):
            return any(item in candidates for item in answer)
        return any(_same(answer, candidate) for candidate in candidates)


def _same(answer: object, operand: object) -> bool:
    # bool is an int in Python: never let `true` equal `1`.
    if isinstance(answer, bool) or isinstance(operand, bool):
        return isinstance(answer, bool) and isinstance(operand, bool) and answer == operand
    return answer == operand


@dataclass(frozen=True, slots=True)
class Question:
    """One question. Optional fields are ``None`` when they do not apply to the type."""

    id: str
    type: QuestionType
    prompt: Texts
    help: Texts | None = None
    short: Texts | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    max_files: int | None = None
    when: Condition | None = None
    #: staff side only: answers that need care (torture, sexual violence, health) are marked
    sensitive: bool = False
    purpose: Purpose | None = None

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None."""
        for option in self.options:
            if option.id == option_id:
                return option
        return None


@dataclass(frozen=True, slots=True)
class Consent:
    """The consent step: what happens to the testimony, and the two answers."""

    text: Texts
    accept: Texts
    decline: Texts


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """A loaded, validated questionnaire.

    ``ui`` holds, for every declared language, the complete interface-string table: the bundled
    catalogue of that language (missing keys from English) overlaid with the file's ``[ui.<lang>]``.
    ``source`` names where it came from, for messages.
    """

    id: str
    version: int
    languages: tuple[str, ...]
    default_language: str
    consent: Consent
    questions: tuple[Question, ...]
    ui: Mapping[str, Mapping[str, str]]
    source: str = "<questionnaire>"
    #: language -> interface keys that fall back to English (no catalogue, no ``[ui.<lang>]``)
    untranslated: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: False for the questionnaire of additions: its review never offers a follow-up code
    offers_followup: bool = True

    def strings(self, language: str | None) -> Mapping[str, str]:
        """The interface strings to speak ``language`` with: its table if the questionnaire has
        that language, else the default language's (every channel line goes through here)."""
        if language is not None and language in self.ui:
            return self.ui[language]
        return self.ui[self.default_language]

    @property
    def followup_option(self) -> tuple[str, str] | None:
        """(question id, option id) of the option that asks for a follow-up code, or None."""
        for question in self.questions:
            for option in question.options:
                if option.followup:
                    return question.id, option.id
        return None

    def question(self, question_id: str) -> Question:
        """The question with this id (KeyError if there is none)."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def index(self, question_id: str) -> int:
        """Position of the question (0-based); KeyError if unknown."""
        for position, question in enumerate(self.questions):
            if question.id == question_id:
                return position
        raise KeyError(question_id)

    @property
    def branches(self) -> int:
        """How many questions are asked only under a condition."""
        return sum(1 for question in self.questions if question.when is not None)

    def warnings(self) -> list[str]:
        """What loads but a witness would notice: languages whose buttons would be in English."""
        out = []
        for lang, keys in self.untranslated.items():
            if not keys:
                continue
            shown = ", ".join(keys[:3]) + (", …" if len(keys) > 3 else "")
            out.append(
                f"{self.source}: field 'languages': '{lang}' has no bundled interface strings and "
                f"[ui.{lang}] does not give {len(keys)} of them ({shown}): the witness would see "
                f"English buttons and messages; add a complete [ui.{lang}] table "
                "(keys: intake/data/ui/en.toml)"
            )
        return out

    def summary(self) -> str:
        """One line: ``detention v3: 24 questions, 4 languages (en, be, ru, uk), 5 branches``."""
        langs = ", ".join(self.languages)
        counts = [
            _count(len(self.questions), "question"),
            f"{_count(len(self.languages), 'language')} ({langs})",
            _count(self.branches, "branch", "branches"),
        ]
        return f"{self.id} v{self.version}: {', '.join(counts)}"


def _count(n: int, one: str, many: str | None = None) -> str:
    """``1 question``, ``2 questions``."""
    return f"{n} {one if n == 1 else many or one + 's'}"
