"""The question stage: buttons and typed input on the question being asked.

Each handler returns the next :class:`DraftState` when the input is accepted, or the notice (a
string, in the witness's language) when it is not; the caller then bumps the revision or leaves
the state untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from intake import i18n
from intake.channel import Event, Location, Media, Text
from intake.engine import navigation, tokens
from intake.engine.dates import parse_date
from intake.engine.inputs import read_number, read_text
from intake.engine.prompts import lang_of
from intake.engine.state import DraftState, FileEntry
from intake.questionnaire import AnswerValue, Question, Questionnaire, values

Result = DraftState | str


def goto(state: DraftState, question: Question, *, editing: bool) -> DraftState:
    """Ask ``question`` next, with fresh unfinished input (multi_choice starts from the answer)."""
    current = state.answers.get(question.id)
    selection = (
        tuple(current) if question.type == "multi_choice" and isinstance(current, list) else ()
    )
    return replace(
        state,
        stage="question",
        cursor=question.id,
        selection=selection,
        uploads=(),
        date_choices=(),
        editing=editing,
    )


def to_review(state: DraftState, answers: Mapping[str, AnswerValue]) -> DraftState:
    """Show the review with ``answers``."""
    return replace(
        state,
        stage="review",
        cursor=None,
        answers=answers,
        selection=(),
        uploads=(),
        date_choices=(),
        editing=False,
    )


def answer(
    q: Questionnaire, state: DraftState, question: Question, value: AnswerValue
) -> DraftState:
    """Record ``value`` (None = skipped), drop answers on branches left, and move on.

    After an edit from the review only questions that newly apply are asked before returning to
    the review; otherwise the next applicable question is asked (its old answer offered to keep).
    At the end, any applicable question never asked (see :func:`navigation.unasked`) comes first.
    """
    answers = dict(state.answers)
    answers[question.id] = value
    answers = navigation.prune(q, answers)
    after = navigation.following(q, answers, question.id, unanswered_only=state.editing)
    if after is not None:
        return goto(replace(state, answers=answers), after, editing=state.editing)
    gap = navigation.unasked(
        q, answers
    )  # never show the review while an applicable question is unasked
    if gap is not None:
        return goto(replace(state, answers=answers), gap, editing=True)
    return to_review(state, answers)


def press(q: Questionnaire, state: DraftState, question: Question, tok: tokens.Token) -> Result:
    """A button (or command) on the question being asked."""
    ui = q.strings(lang_of(q, state))
    action = tok.action
    if action == tokens.SKIP:
        if question.required:
            return i18n.render(ui, "error.required")
        return answer(q, state, question, None)
    if action == tokens.BACK:
        return _back(q, state, question)
    if action == tokens.REVIEW:
        return (
            to_review(state, state.answers) if state.editing else i18n.render(ui, "error.no_review")
        )
    pending = bool(state.selection or state.uploads)
    if action == tokens.KEEP and question.id in state.answers and not pending:
        return answer(q, state, question, state.answers[question.id])
    if action in (tokens.YES, tokens.NO) and question.type == "yes_no":
        return answer(q, state, question, action == tokens.YES)
    if action == tokens.OPTION and question.options:
        return _option(q, state, question, tok.arg)
    if action == tokens.DONE:
        return _done(q, state, question, ui)
    if action == tokens.DATE and tok.arg.isdigit() and int(tok.arg) < len(state.date_choices):
        return answer(q, state, question, state.date_choices[int(tok.arg)])
    return i18n.render(ui, "error.stale")


def _back(q: Questionnaire, state: DraftState, question: Question) -> DraftState:
    if state.editing:
        return to_review(state, state.answers)
    before = navigation.preceding(q, state.answers, question.id)
    if before is None:
        cleared = replace(state, selection=(), uploads=(), date_choices=(), cursor=None)
        return replace(cleared, stage="consent")
    return goto(state, before, editing=False)


def _option(q: Questionnaire, state: DraftState, question: Question, arg: str) -> Result:
    if not arg.isdigit() or int(arg) >= len(question.options):
        return i18n.render(q.strings(lang_of(q, state)), "error.stale")
    option = question.options[int(arg)]
    if question.type == "choice":
        return answer(q, state, question, option.id)
    chosen = set(state.selection) ^ {option.id}
    selection = tuple(o.id for o in question.options if o.id in chosen)
    return replace(state, selection=selection)


def _done(q: Questionnaire, state: DraftState, question: Question, ui: Mapping[str, str]) -> Result:
    if question.type == "multi_choice":
        if not state.selection:
            return i18n.render(ui, "error.choose_one")
        return answer(q, state, question, list(state.selection))
    if question.type == "media":
        if not state.uploads:
            return i18n.render(ui, "error.no_files")
        return answer(q, state, question, list(state.uploads))
    return i18n.render(ui, "error.stale")


def typed(
    q: Questionnaire, state: DraftState, question: Question, event: Event, today: dt.date
) -> Result:
    """Free input (text, a shared location, a file) on the question being asked."""
    ui = q.strings(lang_of(q, state))
    kind = question.type
    if isinstance(event, Media):
        return _media(state, question, event, ui)
    if isinstance(event, Location):
        point = values.point(event.latitude, event.longitude) if kind == "location" else None
        if point is None:
            return i18n.render(ui, "error.not_here")
        return answer(q, state, question, point)
    if not isinstance(event, Text):
        return i18n.render(ui, "error.not_here")
    if kind in ("text", "long_text", "location"):
        read = read_text(question, event.text, ui)
        if read.notice is not None:
            return read.notice
        value: AnswerValue = values.place(str(read.value)) if kind == "location" else read.value
        return answer(q, state, question, value)
    if kind == "number":
        read = read_number(question, event.text, ui)
        return read.notice if read.notice is not None else answer(q, state, question, read.value)
    if kind == "date":
        return _date(q, state, question, event.text, today, ui)
    if kind == "media":
        return i18n.render(ui, "error.send_file")
    return i18n.render(ui, "error.use_buttons")


def _date(
    q: Questionnaire,
    state: DraftState,
    question: Question,
    text: str,
    today: dt.date,
    ui: Mapping[str, str],
) -> Result:
    reading = parse_date(text, today)
    if reading.kind == "ok":
        return answer(q, state, question, reading.values[0])
    if reading.kind == "ambiguous":
        return replace(state, date_choices=reading.values)
    return i18n.render(
        ui, "error.date_future" if reading.kind == "future" else "error.date_invalid"
    )


def _media(state: DraftState, question: Question, event: Media, ui: Mapping[str, str]) -> Result:
    ref = event.attachment
    if question.type != "media" or ref.attachment_id in state.files:
        return i18n.render(ui, "error.not_here")
    limit = question.max_files or 1
    if len(state.uploads) >= limit:
        return i18n.render(ui, "error.too_many_files", max=limit)
    files = dict(state.files)
    files[ref.attachment_id] = FileEntry(question.id, ref)
    return replace(state, uploads=(*state.uploads, ref.attachment_id), files=files)
