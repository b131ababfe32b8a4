"""The questions every index shows, in the staff language: the union over the archive.

A questionnaire on this computer contributes all its questions the first time one of its
submissions is seen (so options nobody chose still get a column); an unknown questionnaire
contributes the questions its submissions answered, with the prompts and option labels the
witness saw. Questions are keyed by id (the same id across versions is one column) and kept in
the order first seen; :meth:`Layout.ordered` puts consent scope, contact, incident date and place
first, because they govern what staff may do. The layout is saved with the index cache, so a new
submission only has to be compared with it, not with the whole archive.

What unknown questionnaires add is bounded (anyone with the staff public key can seal one): at
most :data:`MAX_UNKNOWN_COLUMNS` questions and options in all, at most
:data:`MAX_UNKNOWN_OPTIONS` options a question. Past that a submission's other answers get no
column (they stay in its report.html); :attr:`Layout.capped` names those submissions, and a
saved layout beyond the bounds is not used (the indexes are rebuilt within them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from intake.offline.questions import QuestionBook, StaffQuestion, fallback_question

PURPOSE_ORDER = ("consent_scope", "contact", "incident_date", "place")
#: questions plus options that questionnaires not on this computer may add to the indexes
MAX_UNKNOWN_COLUMNS = 1000
#: options one question of an unknown questionnaire may add (a real one has at most 30)
MAX_UNKNOWN_OPTIONS = 100


@dataclass(slots=True)
class Layout:
    """Staff language, header style, questionnaires seen (``id@version`` → known) and questions."""

    language: str
    ids: bool = False
    refs: dict[str, bool] = field(default_factory=dict)
    questions: dict[str, StaffQuestion] = field(default_factory=dict)
    #: ids of the submissions absorbed since this layout was made or loaded that brought more
    #: than the bounds let in (not saved: each rebuild finds them again)
    capped: list[str] = field(default_factory=list, compare=False)
    #: questions and options of unknown questionnaires held
    _unknown: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._unknown = _unknown_columns(self.questions.values())

    def absorb(self, summary: Mapping[str, Any], book: QuestionBook) -> bool:
        """Add what ``summary`` brings that is not here yet; True if the layout changed."""
        row, prompts = summary["row"], summary.get("prompts", {})
        changed = capped = False
        ref = f"{row['q']}@{row['qv']}"
        if ref not in self.refs:
            staff = book.staff_questions(row["q"], row["qv"], self.language)
            self.refs[ref] = staff is not None
            changed = True
            for question in staff or ():
                changed |= self._add(question)
        for qid, qtype, value, labels, *_ in row["a"]:
            current = self.questions.get(qid)
            if current is None:
                prompt = prompts.get(qid) if isinstance(prompts.get(qid), str) else qid
                choice = qtype in ("choice", "multi_choice")
                seen = list(dict(_options_seen(value, labels)).items()) if choice else []
                if len(seen) > MAX_UNKNOWN_OPTIONS:
                    seen, capped = seen[:MAX_UNKNOWN_OPTIONS], True
                if self._unknown + 1 + len(seen) > MAX_UNKNOWN_COLUMNS:
                    capped = True
                    continue
                changed |= self._add(fallback_question(qid, qtype, prompt, seen))
            elif not current.known and qtype in ("choice", "multi_choice"):
                seen = _options_seen(value, labels)
                added = self._add(fallback_question(qid, qtype, "", seen))
                changed |= added
                capped |= not added and _brings_new(current, seen)
        if capped:
            self.capped.append(str(row["id"]))
        return changed

    def _add(self, question: StaffQuestion) -> bool:
        """Add a question or its options not here yet, within the bounds of unknown ones."""
        current = self.questions.get(question.id)
        if current is None:
            self.questions[question.id] = question
            self._unknown += _unknown_columns([question])
            return True
        if current.type not in ("choice", "multi_choice"):
            return False
        known = {oid for oid, _ in current.options}
        extra = tuple(dict(o for o in question.options if o[0] not in known).items())
        if not current.known:
            room = min(
                MAX_UNKNOWN_OPTIONS - len(current.options), MAX_UNKNOWN_COLUMNS - self._unknown
            )
            extra = extra[: max(room, 0)]
            self._unknown += len(extra)
        if not extra:
            return False
        self.questions[question.id] = _replace_options(current, current.options + extra)
        return True

    def ordered(self) -> list[StaffQuestion]:
        """Questions with a purpose first (consent, contact, date, place), then the rest."""
        first = [q for p in PURPOSE_ORDER for q in self.questions.values() if q.purpose == p]
        return first + [q for q in self.questions.values() if q not in first]

    def purpose(self, purpose: str) -> StaffQuestion | None:
        """The question with that purpose, if any."""
        return next((q for q in self.questions.values() if q.purpose == purpose), None)

    def unknown_refs(self) -> list[str]:
        """Questionnaires seen that are not on this computer (``id@version``)."""
        return [ref for ref, known in self.refs.items() if not known]

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form, saved in the index cache."""
        return {
            "language": self.language,
            "ids": self.ids,
            "refs": dict(self.refs),
            "questions": [asdict(q) for q in self.questions.values()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Layout:
        """Rebuild a saved layout; ValueError/TypeError/KeyError if it is damaged."""
        questions = {}
        for item in data["questions"]:
            options = tuple((str(o), str(label)) for o, label in item["options"])
            question = StaffQuestion(**{**item, "options": options})
            if not isinstance(question.id, str) or not isinstance(question.type, str):
                raise TypeError("question id and type must be strings")
            questions[question.id] = question
        refs = {str(k): bool(v) for k, v in dict(data["refs"]).items()}
        layout = cls(language=str(data["language"]), ids=bool(data["ids"]), refs=refs,
                     questions=questions)  # fmt: skip
        if layout._unknown > MAX_UNKNOWN_COLUMNS or any(
            not q.known and len(q.options) > MAX_UNKNOWN_OPTIONS for q in questions.values()
        ):
            raise ValueError("saved layout wider than the bounds (made by an older version)")
        return layout


def _unknown_columns(questions: Iterable[StaffQuestion]) -> int:
    """What questions of unknown questionnaires count against :data:`MAX_UNKNOWN_COLUMNS`."""
    return sum(1 + len(q.options) for q in questions if not q.known)  # (only choices have any)


def _brings_new(question: StaffQuestion, seen: list[tuple[str, str]]) -> bool:
    known = {oid for oid, _ in question.options}
    return any(oid not in known for oid, _ in seen)


def _options_seen(value: Any, labels: Any) -> list[tuple[str, str]]:
    """(id, label) pairs of a choice answer; the id stands in for a missing label."""
    ids = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    shown = labels if isinstance(labels, list) and len(labels) == len(ids) else ids
    return [(str(i), str(label)) for i, label in zip(ids, shown, strict=True)]


def _replace_options(question: StaffQuestion, options: Iterable[tuple[str, str]]) -> StaffQuestion:
    fields = asdict(question)
    fields["options"] = tuple(options)
    return StaffQuestion(**fields)
