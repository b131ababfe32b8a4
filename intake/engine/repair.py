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
    with ``state``, a media answer (or a long_text answer's voice messages) must also name files
    the draft received for that question."""
    voices = state.details.get(question.id, {}).get("files") if state is not None else None
    spoken = question.type in values.ATTACHING and isinstance(voices, list) and bool(voices)
    if not values.fits(question, value, spoken=spoken):
        return False
    files = value if question.type == "media" else voices if spoken else None
    if state is None or value is None or not isinstance(files, list):
        return True
    return all(
        str(aid) in state.files and state.files[str(aid)].question_id == question.id
        for aid in files
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
        details={k: d for k, d in state.details.items() if answers.get(k) is not None},
        selection=(),
        uploads=(),
        date_choices=(),
        date_partial=None,
        written=None,
        held=None,
        held_mode=None,
        confirm=None,
        picking=0,
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
    pending = state.selection or state.uploads or state.date_choices or state.date_partial
    if (pending or state.held is not None) and state.stage not in ("question", "language"):
        found.append("unfinished input outside a question")
    if question is not None:
        found.extend(_pending_problems(state, question))
    if any(aid not in state.files for aid in state.uploads):
        found.append("upload without a file entry")
    for qid in state.details:
        if state.answers.get(qid) is None:
            found.append(f"details of {qid!r} without an answer")
    if state.picking and state.stage != "review":
        found.append("picking an answer to change outside the review")
    if state.confirm == "skip" and not (state.selection or state.uploads):
        found.append("skip confirmation with nothing to lose")
    return found


def _pending_problems(state: DraftState, question: Question) -> list[str]:
    found = []
    if state.selection and question.type != "multi_choice":
        found.append("selection on a question that is not multi_choice")
    if state.uploads and question.type not in ("media", *values.ATTACHING):
        found.append("uploads on a question that takes no files")
    if state.date_choices and (question.type != "date" or len(state.date_choices) != 2):
        found.append("date choices on a question that is not a date")
    if state.date_partial is not None and question.type != "date":
        found.append("a day and month waiting for a year on a question that is not a date")
    if (state.held is None) != (state.held_mode is None):
        found.append("a held message without its mode (or a mode without one)")
    return found
