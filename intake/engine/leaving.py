"""Leaving a question with unfinished input: what the witness gave is kept, and they are told.

Files sent without pressing Done, options ticked without Done, voice messages added to a long
answer — a witness who presses Back (or returns to the review) has not said "throw these away", and
evidence is never discarded silently (issue 11, point 4). So on the way out the pending input
becomes the answer, and a notice says so ("Saved as your answer to …: 2 files"). Pending input
that was *emptied* (every file removed, every option unticked) is taken as meant: the question is
then skipped (or, if it must be answered, left without an answer to be asked again before
sending), and that is said too. Nothing changes when the pending input is what the answer holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from intake import i18n
from intake.engine import navigation
from intake.engine.inputs import display
from intake.engine.joining import short
from intake.engine.state import Detail, DraftState
from intake.engine.wording import lang_of
from intake.questionnaire import AnswerValue, Question, Questionnaire, values


def settle(
    q: Questionnaire, state: DraftState, question: Question
) -> tuple[DraftState, str | None]:
    """``state`` with the pending input on ``question`` recorded as its answer, and the notice
    saying what happened (None: nothing was pending, nothing changed). The caller then moves."""
    pending = _pending(state, question)
    if pending is None:
        return state, None
    value, details = pending
    lang = lang_of(q, state)
    ui = q.strings(lang)
    name = short(question, lang)
    answers = dict(state.answers)
    kept = dict(state.details)
    kept.pop(question.id, None)
    if value is None:
        if question.required:
            answers.pop(question.id, None)  # asked again before anything can be sent
            notice = i18n.render(ui, "notice.left_unanswered", question=name)
        else:
            answers[question.id] = None
            notice = i18n.render(ui, "notice.left_skipped", question=name)
    else:
        answers[question.id] = value
        if details:
            kept[question.id] = details
        shown = display(question, value, lang, ui, details=details, files=state.files)
        notice = i18n.render(ui, "notice.left_saved", question=name, answer=shown)
    answers = navigation.prune(q, answers)
    details_kept = {k: d for k, d in kept.items() if answers.get(k) is not None}
    return replace(state, answers=answers, details=details_kept), notice


def _pending(
    state: DraftState, question: Question
) -> tuple[AnswerValue, Mapping[str, Detail]] | None:
    """(value, details) the pending input stands for, or None if it is what the answer holds."""
    current = state.answers.get(question.id)
    if question.type == "multi_choice":
        if state.selection == tuple(current if isinstance(current, list) else ()):
            return None
        return (list(state.selection) or None), {}
    if question.type == "media":
        if state.uploads == tuple(current if isinstance(current, list) else ()):
            return None
        return (list(state.uploads) or None), {}
    if question.type in values.ATTACHING:
        voices = state.details.get(question.id, {}).get("files")
        if state.uploads == tuple(voices if isinstance(voices, list) else ()):
            return None
        text = current if isinstance(current, str) else ""
        if not text and not state.uploads:
            return None, {}
        return text, ({"files": list(state.uploads)} if state.uploads else {})
    return None
