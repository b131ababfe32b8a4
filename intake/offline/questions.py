"""Which questionnaire a submission was answered on, and its questions as staff should read them.

``submission.json`` names its questionnaire (id and version). The book holds the bundled one and
any given with ``--questionnaire FILE`` (or ``INTAKE_QUESTIONNAIRE``); a submission whose exact
id and version are in the book gets its question texts and option labels in the staff language,
with ``sensitive`` and ``purpose`` from the file. For any other submission the book says so, and
the texts fall back to what ``submission.json`` itself carries: the prompts and option labels as
the witness saw them, in the witness's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from intake.questionnaire import Question, Questionnaire, load, load_default

#: Used when a questionnaire sets no ``purpose`` (older files, or an unknown questionnaire): the
#: bundled questionnaire's ids, where the answer has a type that fits.
CONVENTIONAL_PURPOSES: Mapping[str, tuple[str, frozenset[str]]] = {
    "use_consent": ("consent_scope", frozenset({"choice", "multi_choice"})),
    "contact": ("contact", frozenset({"choice", "yes_no"})),
    "happened_on": ("incident_date", frozenset({"date"})),
    "place": ("place", frozenset({"text", "location"})),
}


@dataclass(frozen=True, slots=True)
class StaffQuestion:
    """One question as staff read it. ``known``: texts come from the questionnaire file (in the
    staff language when it has it); otherwise from the submission (the witness's language)."""

    id: str
    type: str
    text: str
    short: str
    options: tuple[tuple[str, str], ...] = ()  # (option id, label)
    sensitive: bool = False
    purpose: str | None = None
    known: bool = False

    def label(self, option_id: str) -> str | None:
        """The label of an option, or None when the questionnaire does not list it (for many
        ids, take :meth:`labels` once: this builds the lookup on every call)."""
        return self.labels().get(option_id)

    def labels(self) -> dict[str, str]:
        """Option id → label, for looking many up (a linear scan per chosen id made a hostile
        answer of 50,000 ids take a minute)."""
        return dict(self.options)


class QuestionBook:
    """The questionnaires staff have on this computer, by (id, version)."""

    def __init__(self, questionnaires: Iterable[Questionnaire]) -> None:
        """Later questionnaires of the same id and version replace earlier ones."""
        self._by_ref = {(q.id, q.version): q for q in questionnaires}

    @classmethod
    def load(cls, paths: Sequence[Path] = ()) -> QuestionBook:
        """The bundled questionnaire plus ``paths`` (``QuestionnaireError`` for a bad file)."""
        return cls([load_default(), *(load(p) for p in paths)])

    def find(self, qid: str, version: int) -> Questionnaire | None:
        """The questionnaire a submission names, if it is here."""
        return self._by_ref.get((qid, version))

    def staff_questions(self, qid: str, version: int, language: str) -> list[StaffQuestion] | None:
        """Every question of that questionnaire in the staff language, or None if unknown."""
        q = self.find(qid, version)
        if q is None:
            return None
        lang = language if language in q.languages else q.default_language
        with_purpose = any(question.purpose for question in q.questions)
        return [_staff(question, lang, with_purpose) for question in q.questions]


def _staff(question: Question, lang: str, with_purpose: bool) -> StaffQuestion:
    short = question.short[lang] if question.short else question.prompt[lang]
    purpose = question.purpose if with_purpose else conventional_purpose(question.id, question.type)
    return StaffQuestion(
        id=question.id,
        type=question.type,
        text=question.prompt[lang],
        short=short,
        options=tuple((o.id, o.label[lang]) for o in question.options),
        sensitive=question.sensitive,
        purpose=purpose,
        known=True,
    )


def conventional_purpose(question_id: str, qtype: str) -> str | None:
    """The purpose the bundled questionnaire's id implies, if the type fits."""
    found = CONVENTIONAL_PURPOSES.get(question_id)
    if found is None or qtype not in found[1]:
        return None
    return found[0]


def fallback_question(
    question_id: str, qtype: str, prompt: str, options: Iterable[tuple[str, str]] = ()
) -> StaffQuestion:
    """A question of an unknown questionnaire, from what the submission carries."""
    short = prompt if len(prompt) <= 60 else prompt[:59].rstrip() + "…"
    return StaffQuestion(
        id=question_id,
        type=qtype,
        text=prompt,
        short=short,
        options=tuple(options),
        purpose=conventional_purpose(question_id, qtype),
    )
