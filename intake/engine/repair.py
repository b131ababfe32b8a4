"""Keeping a stored draft consistent with the questionnaire it is applied to.

A draft normally meets the questionnaire it was started with. If the operator deploys a new version
while drafts are open, the draft is carried over: answers that still fit their question are kept,
the rest are dropped and their questions asked again (before the review, if the witness was
there), and a cursor that no longer applies moves to the next open question. The
same checks define what a valid state is (:func:`problems`), which the property tests assert.
"""

from __future__ import annotations

from dataclasses import replace

from intake.engine import navigation
from intake.engine.state import DraftState
from intake.questionnaire import AnswerValue, Question, Questionnaire, values


def value_fits(question: Question, value: AnswerValue, state: DraftState | None = None) -> bool:
    """Whether ``value`` still answers ``question`` (:func:`intake.questionnaire.values.fits`);
    with ``state``, a media answer must also name files the draft received for that question."""
    if not values.fits(question, value):
        return False
    if question.type != "media" or value is None or state is None:
        return True
    return isinstance(value, list) and all(
        aid in state.files and state.files[aid].question_id == question.id for aid in value
    )


def reconcile(q: Questionnaire, state: DraftState) -> DraftState:
    """``state`` made consistent with ``q`` (unchanged when it already is)."""
    same = (state.questionnaire_id, state.questionnaire_version) == (q.id, q.version)
    if same and not problems(q, state):
        return state
    ids = {question.id: question for question in q.questions}
    answers = {
        qid: value
        for qid, value in state.answers.items()
        if qid in ids and value_fits(ids[qid], value, state)
    }
    answers = navigation.prune(q, answers)
    fixed = replace(
        state,
        rev=state.rev + 1,  # buttons shown before the repair may mean something else now
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        answers=answers,
        selection=(),
        uploads=(),
        date_choices=(),
        language=state.language if state.language in q.languages else _only_language(q),
    )
    if fixed.language is None and fixed.stage not in ("language", "cancelled"):
        return replace(fixed, stage="language", cursor=None, return_stage=None, editing=False)
    gap = navigation.unasked(q, answers)
    if fixed.stage == "question":
        cursor = ids.get(fixed.cursor or "")
        if cursor is None or not navigation.applies(cursor, answers):
            if gap is None:
                return replace(fixed, stage="review", cursor=None, editing=False)
            return replace(fixed, cursor=gap.id)
        if fixed.editing and gap is not None and q.index(gap.id) < q.index(cursor.id):
            return replace(fixed, cursor=gap.id)  # the review comes next: ask the gap first
    if gap is not None and fixed.stage == "review":
        # An answer that no longer fits (or a question the new version added) is asked again
        # before the review, as after an edit that opens a branch — never silently dropped.
        return replace(fixed, stage="question", cursor=gap.id, editing=True)
    if gap is not None and fixed.stage == "language" and fixed.return_stage == "review":
        return replace(fixed, return_stage="question", cursor=gap.id, editing=True)
    return fixed


def _only_language(q: Questionnaire) -> str | None:
    """The language of a one-language questionnaire (a draft moved to it needs no choice)."""
    return q.languages[0] if len(q.languages) == 1 else None


def problems(q: Questionnaire, state: DraftState) -> list[str]:
    """Every way ``state`` is not a valid state for ``q`` (empty when valid)."""
    found: list[str] = []
    ids = {question.id: question for question in q.questions}
    if state.rev < 0:
        found.append("negative rev")
    if state.stage not in ("language", "cancelled") and state.language not in q.languages:
        found.append(f"stage {state.stage} without a known language")
    for qid, value in state.answers.items():
        if qid not in ids or not value_fits(ids[qid], value, state):
            found.append(f"answer to {qid!r} does not fit")
    if list(state.answers) != list(navigation.prune(q, state.answers)):
        found.append("answers out of order or on a branch that does not apply")
    question = ids.get(state.cursor or "")
    if state.stage == "question":
        if question is None or not navigation.applies(question, state.answers):
            found.append("question stage without an applicable cursor")
    elif state.cursor is not None and state.stage != "language":
        found.append(f"cursor set at stage {state.stage}")
    pending = state.selection or state.uploads or state.date_choices
    if pending and state.stage not in ("question", "language"):
        found.append("unfinished input outside a question")
    if question is not None:
        if state.selection and question.type != "multi_choice":
            found.append("selection on a question that is not multi_choice")
        if state.uploads and question.type != "media":
            found.append("uploads on a question that is not media")
        if state.date_choices and (question.type != "date" or len(state.date_choices) != 2):
            found.append("date choices on a question that is not a date")
    if any(aid not in state.files for aid in state.uploads):
        found.append("upload without a file entry")
    return found
