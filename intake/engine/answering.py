"""The question stage: buttons and typed input on the question being asked.

Each handler returns the next :class:`DraftState` when the input is accepted (a
:class:`~intake.engine.joining.Moved` when it also says something), or the notice (a string, in
the witness's language) when it is not; the caller then bumps the revision or leaves the state
untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace

from intake import i18n
from intake.channel import Event, Location, Media, Text
from intake.engine import joining, leaving, navigation, tokens, uploads
from intake.engine.dates import DateReading, parse_date, with_year
from intake.engine.inputs import clean_text, read_number, read_text
from intake.engine.joining import Moved
from intake.engine.numbers import read_rough_number
from intake.engine.prompts import lang_of
from intake.engine.state import Detail, DraftState
from intake.questionnaire import AnswerValue, Question, Questionnaire, values

Result = DraftState | Moved | str
_HELD_ACTIONS = (tokens.JOIN, tokens.HERE, tokens.APPEND, tokens.REPLACE, tokens.DISCARD)
_PENDING_CLEARED = {
    "selection": (),
    "uploads": (),
    "date_choices": (),
    "date_partial": None,
    "written": None,
    "held": None,
    "held_mode": None,
    "confirm": None,
    "picking": 0,
}


def goto(state: DraftState, question: Question, *, editing: bool) -> DraftState:
    """Ask ``question`` next. Unfinished input starts from the answer: a multi_choice from its
    choices, a media question from its files, a text question from the files sent with it."""
    current = state.answers.get(question.id)
    selection: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    if question.type == "multi_choice" and isinstance(current, list):
        selection = tuple(current)
    if question.type == "media" and isinstance(current, list):
        files = tuple(current)
    voices = state.details.get(question.id, {}).get("files")
    if question.type in values.ATTACHING and isinstance(voices, list):
        files = tuple(str(v) for v in voices)
    fresh = {**_PENDING_CLEARED, "selection": selection, "uploads": files}
    return replace(
        state,
        **fresh,  # type: ignore[arg-type]
        stage="question",
        cursor=question.id,
        editing=editing,
    )


def to_review(state: DraftState, answers: Mapping[str, AnswerValue]) -> DraftState:
    """Show the review with ``answers``."""
    return replace(
        state,
        **_PENDING_CLEARED,  # type: ignore[arg-type]
        stage="review",
        cursor=None,
        answers=answers,
        details=_details_for(state.details, answers),
        editing=False,
    )


def _details_for(
    details: Mapping[str, Mapping[str, Detail]], answers: Mapping[str, AnswerValue]
) -> dict[str, Mapping[str, Detail]]:
    return {qid: d for qid, d in details.items() if answers.get(qid) is not None and d}


def answer(
    q: Questionnaire,
    state: DraftState,
    question: Question,
    value: AnswerValue,
    details: Mapping[str, Detail] | None = None,
    *,
    typed_at: float | None = None,
) -> DraftState:
    """Record ``value`` (None = skipped) with ``details``, drop answers on branches left, and
    move on. ``typed_at``: the answer was typed then (a message right after may continue it).

    After an edit from the review only questions that newly apply are asked before returning to
    the review; otherwise the next applicable question is asked (its old answer offered to keep).
    At the end, any applicable question never asked (see :func:`navigation.unasked`) comes first.
    """
    answers = dict(state.answers)
    answers[question.id] = value
    answers = navigation.prune(q, answers)
    kept = dict(state.details)
    kept.pop(question.id, None)
    if details and value is not None:
        kept[question.id] = dict(details)
    typed = question.type in joining.TEXT_TYPES and typed_at is not None
    state = replace(
        state,
        answers=answers,
        details=_details_for(kept, answers),
        last_typed=question.id if typed else None,
        last_at=typed_at if typed else None,
    )
    after = navigation.following(q, answers, question.id, unanswered_only=state.editing)
    if after is not None:
        return goto(state, after, editing=state.editing)
    gap = navigation.unasked(q, answers)  # never show the review while a question is unasked
    if gap is not None:
        return goto(state, gap, editing=True)
    return to_review(state, answers)


def press(
    q: Questionnaire, state: DraftState, question: Question, tok: tokens.Token, today: dt.date
) -> Result:
    """A button (or command) on the question being asked (``today``: the latest date allowed)."""
    ui = q.strings(lang_of(q, state))
    action = tok.action
    if state.held is not None:  # a message waits for its place: that is settled first
        if action in _HELD_ACTIONS:
            return _held(q, state, question, action, today, ui)
        return i18n.render(ui, "error.held_first")
    if action == tokens.SKIP:
        return _skip(q, state, question, ui)
    if action == tokens.SAVE and state.confirm == "skip":
        return _done(q, state, question, ui)
    if action == tokens.DROP and state.confirm == "skip":
        return answer(q, state, question, None)
    if action == tokens.BACK:
        return _back(q, state, question)
    if action == tokens.REVIEW:
        if not state.editing:
            return i18n.render(ui, "error.no_review")
        settled, notice = leaving.settle(q, state, question)
        return _said(to_review(settled, settled.answers), notice)
    pending = bool(state.selection or state.uploads)
    kept = state.answers.get(question.id)
    if action == tokens.KEEP and kept is not None and not pending:
        return answer(q, state, question, kept, state.details.get(question.id))
    if action in (tokens.YES, tokens.NO) and question.type == "yes_no":
        return answer(q, state, question, action == tokens.YES)
    if action == tokens.OPTION and question.options:
        return _option(q, state, question, tok.arg)
    if action == tokens.DONE:
        return _done(q, state, question, ui)
    if action == tokens.REMOVE and state.uploads:
        notice = i18n.render(ui, "notice.file_removed", name=uploads.removed_name(state, tok.arg))
        removed = uploads.remove(state, tok.arg, ui)
        return Moved(removed, notice) if isinstance(removed, DraftState) else removed
    if action == tokens.DATE and tok.arg.isdigit() and int(tok.arg) < len(state.date_choices):
        return answer(q, state, question, state.date_choices[int(tok.arg)], _written(state))
    return i18n.render(ui, "error.stale")


def _written(state: DraftState) -> dict[str, Detail]:
    return {"written": state.written} if state.written else {}


def _skip(q: Questionnaire, state: DraftState, question: Question, ui: Mapping[str, str]) -> Result:
    if question.required:
        return i18n.render(ui, "error.required")
    if state.selection or state.uploads:
        if state.confirm == "skip":
            return i18n.render(ui, "error.use_buttons")
        return replace(state, confirm="skip")  # files or choices would be lost: ask first
    return answer(q, state, question, None)


def _back(q: Questionnaire, state: DraftState, question: Question) -> DraftState | Moved:
    """The previous question (or the review, or the consent), keeping what was pending here."""
    state, notice = leaving.settle(q, state, question)
    if state.editing:
        return _said(to_review(state, state.answers), notice)
    before = navigation.preceding(q, state.answers, question.id)
    if before is None:
        cleared = replace(state, **_PENDING_CLEARED, cursor=None)  # type: ignore[arg-type]
        return _said(replace(cleared, stage="consent"), notice)
    return _said(goto(state, before, editing=False), notice)


def _said(state: DraftState, notice: str | None) -> DraftState | Moved:
    return state if notice is None else Moved(state, notice)


def _option(q: Questionnaire, state: DraftState, question: Question, arg: str) -> Result:
    if not arg.isdigit() or int(arg) >= len(question.options):
        return i18n.render(q.strings(lang_of(q, state)), "error.stale")
    option = question.options[int(arg)]
    if question.type == "choice":
        return answer(q, state, question, option.id)
    chosen = set(state.selection) ^ {option.id}
    selection = tuple(o.id for o in question.options if o.id in chosen)
    return replace(state, selection=selection, confirm=None)


def _done(q: Questionnaire, state: DraftState, question: Question, ui: Mapping[str, str]) -> Result:
    if question.type == "multi_choice":
        if not state.selection:
            return i18n.render(ui, "error.choose_one")
        return answer(q, state, question, list(state.selection))
    if question.type == "media":
        if not state.uploads:
            return i18n.render(ui, "error.no_files")
        return answer(q, state, question, list(state.uploads))
    if question.type in values.ATTACHING and state.uploads:
        text = state.answers.get(question.id)
        value = text if isinstance(text, str) else ""
        return answer(q, state, question, value, {"files": list(state.uploads)})
    return i18n.render(ui, "error.stale")


def _held(
    q: Questionnaire,
    state: DraftState,
    question: Question,
    action: str,
    today: dt.date,
    ui: Mapping[str, str],
) -> Result:
    held = state.held or ""
    cleared = replace(state, held=None, held_mode=None)
    if action == tokens.DISCARD:
        return cleared
    if action == tokens.JOIN:
        before = joining.previous(q, state)
        if before is None:
            return i18n.render(ui, "error.stale")
        return joining.join(q, cleared, before, held, state.last_at, ui)
    if action == tokens.HERE:
        return _read(q, cleared, question, Text(held), today, ui)
    old = state.answers.get(question.id)
    value = f"{old}\n{held}" if action == tokens.APPEND and isinstance(old, str) and old else held
    if len(value) > values.max_length(question):
        return i18n.render_count(ui, "error.too_long", len(value), max=values.max_length(question))
    return answer(q, state, question, value, _voices(state, question))


def _voices(state: DraftState, question: Question) -> dict[str, Detail]:
    if question.type in values.ATTACHING and state.uploads:
        return {"files": list(state.uploads)}
    return {}


def typed(
    q: Questionnaire, state: DraftState, question: Question, event: Event, today: dt.date
) -> Result:
    """Free input (text, a shared location, a file) on the question being asked."""
    ui = q.strings(lang_of(q, state))
    if isinstance(event, Media):
        added = uploads.add(state, question, event, ui)
        words = clean_text(event.caption or "")
        if isinstance(added, str) or not words or question.type not in values.ATTACHING:
            return added
        # What the witness wrote with the file is their answer to the question asked, as if
        # typed (held to ask if it may belong elsewhere); the file goes with that answer. Words
        # that cannot be the answer (too long) leave the file kept, and say why.
        read = typed(q, added, question, Text(words), today)
        return Moved(added, read) if isinstance(read, str) else read
    if isinstance(event, Location):
        point = values.point(event.latitude, event.longitude)
        if question.type != "location" or point is None:
            return i18n.render(ui, "error.not_here")
        return _after_held(q, state, ui, lambda s: answer(q, s, question, point))
    if not isinstance(event, Text):
        return i18n.render(ui, "error.not_here")
    fits = _fits(question, state, event.text, today)
    text = clean_text(event.text)
    if state.held is not None and text:
        if state.held_mode != "join_only" or not fits:  # more typed while asked: asked with it
            return joining.hold(state, text, state.held_mode or "join")
        return _after_held(q, state, ui, lambda s: _read(q, s, question, event, today, ui))
    routed = joining.route(q, state, question, event, fits)
    if routed is not None:
        return routed
    return _read(q, state, question, event, today, ui)


def _after_held(
    q: Questionnaire, state: DraftState, ui: Mapping[str, str], then: Callable[[DraftState], Result]
) -> Result:
    """``then`` applied after a held message that could only join the previous answer was
    joined to it: the witness answered the question instead of saying where the message goes,
    so it goes to the one place it was offered, and the notice says so (nothing typed is lost)."""
    before = joining.previous(q, state)
    if state.held is None or before is None:
        return then(state)
    cleared = replace(state, held=None, held_mode=None)
    joined = joining.join(q, cleared, before, state.held, state.last_at, ui)
    if isinstance(joined, str):
        return joined
    result = then(joined.state)
    if isinstance(result, str):
        return result
    if isinstance(result, Moved):
        return Moved(result.state, f"{joined.notice}\n{result.notice}")
    return Moved(result, joined.notice)


def _fits(question: Question, state: DraftState, text: str, today: dt.date) -> bool:
    """Whether ``text`` can be an answer to ``question`` at all."""
    kind = question.type
    if kind in ("text", "long_text", "location"):
        return True
    if kind == "number":
        return read_rough_number(clean_text(text)[:200]) is not None
    if kind == "date":
        if state.date_partial is not None:
            return with_year(state.date_partial, text, today).kind != "invalid"
        return parse_date(text, today).kind != "invalid"
    return False


def _read(
    q: Questionnaire,
    state: DraftState,
    question: Question,
    event: Text,
    today: dt.date,
    ui: Mapping[str, str],
) -> Result:
    """``event`` read as the answer to ``question``."""
    kind = question.type
    if kind in ("text", "long_text", "location"):
        read = read_text(question, event.text, ui)
        if read.notice is not None:
            return read.notice
        value: AnswerValue = values.place(str(read.value)) if kind == "location" else read.value
        return answer(q, state, question, value, _voices(state, question), typed_at=event.at)
    if kind == "number":
        read = read_number(question, event.text, ui)
        if read.notice is not None:
            return read.notice
        return answer(q, state, question, read.value, read.details)
    if kind == "date":
        written = clean_text(event.text)[:200]
        if state.date_partial is not None:
            reading = with_year(state.date_partial, event.text, today)
            written = f"{state.written or ''} {written}".strip()
        else:
            reading = parse_date(event.text, today)
        return _date_reading(q, replace(state, written=written), question, reading)
    if kind == "media":
        return i18n.render(ui, "error.send_file")
    return i18n.render(ui, "error.use_buttons")


def _date_reading(
    q: Questionnaire, state: DraftState, question: Question, reading: DateReading
) -> Result:
    ui = q.strings(lang_of(q, state))
    if reading.kind == "ok":
        return answer(q, state, question, reading.values[0], _written(state))
    if reading.kind == "ambiguous":
        return replace(state, date_choices=reading.values, date_partial=None)
    if reading.kind == "need_year":
        return replace(state, date_partial=reading.values[0], date_choices=())
    if reading.kind == "too_early":
        return i18n.render(ui, "error.date_too_early", year=reading.values[0])
    key = "error.date_future" if reading.kind == "future" else "error.date_invalid"
    return i18n.render(ui, key)
