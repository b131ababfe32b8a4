"""Navigation over the questions: which apply, which comes next or before, and progress.

A ``when`` may only name an earlier question (the loader enforces it), so one pass in
questionnaire order decides everything: whether a question applies depends only on answers above it.
"""

from __future__ import annotations

from collections.abc import Mapping

from intake.questionnaire import AnswerValue, Question, Questionnaire


def applies(question: Question, answers: Mapping[str, AnswerValue]) -> bool:
    """Whether ``question`` is asked given ``answers``."""
    return question.when is None or question.when.holds(answers)


def prune(q: Questionnaire, answers: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
    """Answers in questionnaire order, dropping those whose question no longer applies.

    This is what makes "editing an answer that changes a branch" safe: an answer given on a branch
    the witness has since left is removed, so it is neither shown at review nor submitted.
    """
    kept: dict[str, AnswerValue] = {}
    for question in q.questions:
        if question.id in answers and applies(question, kept):
            kept[question.id] = answers[question.id]
    return kept


def first(q: Questionnaire, answers: Mapping[str, AnswerValue]) -> Question:
    """The first question that applies (the first question never has a ``when``)."""
    for question in q.questions:
        if applies(question, answers):
            return question
    return q.questions[0]  # pragma: no cover - the loader guarantees the first applies


def following(
    q: Questionnaire,
    answers: Mapping[str, AnswerValue],
    after: str,
    *,
    unanswered_only: bool = False,
) -> Question | None:
    """The next question after ``after`` that applies (and has no answer, if asked)."""
    start = q.index(after) + 1
    for question in q.questions[start:]:
        if not applies(question, answers):
            continue
        if unanswered_only and question.id in answers:
            continue
        return question
    return None


def preceding(q: Questionnaire, answers: Mapping[str, AnswerValue], before: str) -> Question | None:
    """The closest question before ``before`` that applies, or None at the first."""
    for question in reversed(q.questions[: q.index(before)]):
        if applies(question, answers):
            return question
    return None


def last(q: Questionnaire, answers: Mapping[str, AnswerValue]) -> Question:
    """The last question that applies (where Back from the review leads)."""
    for question in reversed(q.questions):
        if applies(question, answers):
            return question
    return q.questions[0]  # pragma: no cover


def missing_required(q: Questionnaire, answers: Mapping[str, AnswerValue]) -> Question | None:
    """A required question that applies but has no answer (None when all are answered)."""
    for question in q.questions:
        if question.required and applies(question, answers) and answers.get(question.id) is None:
            return question
    return None


def unasked(q: Questionnaire, answers: Mapping[str, AnswerValue]) -> Question | None:
    """The first question that applies but was never asked (no answer, not even skipped).

    Going forward asks every applicable question, so this only finds questions left behind: an
    answer dropped when a draft moved to a new questionnaire version, a question that version
    added, or a branch the witness stepped over by returning to the review early.
    """
    for question in q.questions:
        if question.id not in answers and applies(question, answers):
            return question
    return None


def listed(q: Questionnaire, answers: Mapping[str, AnswerValue]) -> list[Question]:
    """The questions shown at review (and submitted): those that apply and were asked, in order."""
    return [question for question in q.questions if question.id in answers]


def reviewed(q: Questionnaire, answers: Mapping[str, AnswerValue]) -> list[Question]:
    """The questions the review lists: every one that applies, asked or not — a question that a
    changed answer brought in is listed (as not answered yet) with its Edit, never hidden."""
    return [question for question in q.questions if applies(question, answers)]


def progress(
    q: Questionnaire, answers: Mapping[str, AnswerValue], cursor: str
) -> tuple[int, int, bool]:
    """(position of ``cursor``, total, open), counting only questions that may apply.

    A question whose condition depends on a question not yet answered is counted, and ``open``
    is then True: the total is an upper bound ("at most N more"), which only ever goes down as
    the witness moves on, so the line never jumps up.
    """
    position = q.index(cursor)
    total = 0
    number = 0
    unknown = False
    for index, question in enumerate(q.questions):
        counted = _may_apply(q, question, answers, position)
        if counted and index > position and not _decided(q, question, answers, position):
            unknown = True
        total += counted
        if index <= position:
            number += counted
    return max(number, 1), max(total, number, 1), unknown


def _decided(
    q: Questionnaire, question: Question, answers: Mapping[str, AnswerValue], position: int
) -> bool:
    when = question.when
    return when is None or when.question in answers or q.index(when.question) < position


def _may_apply(
    q: Questionnaire, question: Question, answers: Mapping[str, AnswerValue], position: int
) -> bool:
    when = question.when
    if when is None or when.question in answers or q.index(when.question) < position:
        return applies(question, answers)
    return True  # depends on a question not reached yet: count it
