"""The conversation state machine: language → consent → questions → review → submit.

Pure and deterministic: the same questionnaire, state, event (and ``today``) always give the same
step. Every accepted transition increments ``state.rev``; a rejected input returns the state
unchanged with outcome ``rejected`` and a notice saying why, followed by the current prompt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from intake import i18n
from intake.channel import Command, Event, Location, Media, Press, Prompt, Start, Text
from intake.engine import answering, joining, navigation, review, tokens
from intake.engine.prompts import current, lang_of
from intake.engine.repair import reconcile
from intake.engine.state import DraftState, Step
from intake.questionnaire import Questionnaire

TERMINAL = ("submitted", "cancelled", "declined")
_COMMAND_ACTIONS = {
    "back": tokens.BACK,
    "skip": tokens.SKIP,
    "submit": tokens.SUBMIT,
    "review": tokens.REVIEW,
}


def start(q: Questionnaire, hint: str | None) -> Step:
    """A new draft at the language stage; ``hint`` (e.g. ``"ru-RU"``) only preselects.

    A questionnaire in one language has nothing to choose: the draft starts at the consent.
    """
    code = i18n.normalise_language(hint)
    state = DraftState(q.id, q.version, hint=code if code in q.languages else None)
    if len(q.languages) == 1:
        state = replace(state, stage="consent", language=q.languages[0])
    return Step(state, current(q, state))


def begin_at_questions(q: Questionnaire, language: str) -> Step:
    """A new draft at the first question, in ``language``: for a questionnaire a conversation
    reaches from elsewhere (the additions of a witness who came back with a follow-up code, who
    has chosen a language and agreed already)."""
    lang = language if language in q.languages else q.default_language
    state = DraftState(q.id, q.version, stage="consent", language=lang)
    moved = answering.goto(state, navigation.first(q, state.answers), editing=False)
    new = replace(moved, rev=1)
    return Step(new, current(q, new))


def resume(q: Questionnaire, state: DraftState) -> Prompt:
    """The current prompt again (after a restart, or to answer unknown input)."""
    return current(q, reconcile(q, state))


def apply(q: Questionnaire, state: DraftState, event: Event, *, today: dt.date) -> Step:
    """Apply one event. ``today`` is the latest date a witness may give (the caller's clock
    decides it, with whatever slack for time zones: the engine never reads a clock)."""
    state = reconcile(q, state)
    ui = q.strings(lang_of(q, state))
    if state.stage in TERMINAL:
        return Step(state, current(q, state, i18n.render(ui, "error.finished")), "rejected")
    if isinstance(event, Start):
        return Step(state, current(q, state, i18n.render(ui, "notice.resumed")))
    if isinstance(event, Command):
        return _command(q, state, event, today)
    if isinstance(event, Press):
        tok = tokens.parse(event.token)
        if tok is not None and tok.action == tokens.CANCEL_YES:
            # Safety first: a stale "yes, delete" still deletes (a witness in danger must not
            # be told to find the newest message first).
            return _cancel(q, state)
        if tok is not None and tok.action == tokens.CANCEL:
            return _ask_cancel(q, state)  # a stale "cancel" asks too
        if tok is None or tok.rev != state.rev:
            return _rejected(q, state, i18n.render(ui, "error.stale"))
        if tok.action == tokens.CANCEL_NO and state.confirm == "cancel":
            return _finish(q, state, replace(state, confirm=None))
        if state.confirm == "cancel":
            return _rejected(q, state, i18n.render(ui, "error.use_buttons"))
        return _finish(q, state, _press(q, state, tok, today))
    base = replace(state, confirm=None) if state.confirm == "cancel" else state
    return _finish(q, state, _typed(q, base, event, today))


def _finish(
    q: Questionnaire, state: DraftState, result: answering.Result | joining.Moved | Step
) -> Step:
    if isinstance(result, Step):
        return result
    if isinstance(result, str):
        return _rejected(q, state, result)
    notice = result.notice if isinstance(result, joining.Moved) else None
    moved = result.state if isinstance(result, joining.Moved) else result
    new = replace(moved, rev=state.rev + 1)
    return Step(new, current(q, new, notice))


def _ask_cancel(q: Questionnaire, state: DraftState) -> Step:
    """ "Cancel and delete" (or /cancel): ask first, saying what would be deleted (/x and /delete
    in the channels stay instant: they are the panic buttons)."""
    if state.confirm == "cancel":
        return Step(state, current(q, state))
    return _finish(q, state, replace(state, confirm="cancel"))


def _rejected(q: Questionnaire, state: DraftState, notice: str) -> Step:
    return Step(state, current(q, state, notice), "rejected")


def _cancel(q: Questionnaire, state: DraftState) -> Step:
    # The draft is destroyed by the service; the returned state keeps nothing of the testimony.
    new = DraftState(q.id, q.version, rev=state.rev + 1, stage="cancelled", language=state.language)
    return Step(new, current(q, new), "cancelled")


def _command(q: Questionnaire, state: DraftState, event: Command, today: dt.date) -> Step:
    ui = q.strings(lang_of(q, state))
    name = event.name
    if name == "cancel":
        return _ask_cancel(q, state)
    if name == "help":
        help_text = i18n.render(ui, "help.text", **i18n.button_names(ui))
        return Step(state, current(q, state, help_text))
    if name == "language":
        if state.stage == "language" or len(q.languages) == 1:  # nothing to choose: just re-show
            return Step(state, current(q, state))
        back_to = state.stage if state.stage in ("question", "review") else None
        moved = replace(state, stage="language", return_stage=back_to, picking=0, confirm=None)
        return _finish(q, state, moved)
    if name == "review" and not (state.stage == "question" and state.editing):
        return _rejected(q, state, i18n.render(ui, "error.no_review"))
    if name == "submit" and state.stage == "question":
        return _rejected(q, state, i18n.render(ui, "error.submit_at_review"))
    base = replace(state, confirm=None) if state.confirm == "cancel" else state
    result = _press(q, base, tokens.Token(state.rev, _COMMAND_ACTIONS[name]), today)
    if result == i18n.render(ui, "error.stale"):  # a typed command is never an old button
        result = i18n.render(ui, "error.not_here")
    return _finish(q, state, result)


def _press(
    q: Questionnaire, state: DraftState, tok: tokens.Token, today: dt.date
) -> answering.Result | Step:
    ui = q.strings(lang_of(q, state))
    stage, action = state.stage, tok.action
    if action == tokens.FOLLOWUP and stage in ("language", "consent") and not state.answers:
        return Step(state, current(q, state), "followup")  # the service takes it from here
    if stage == "language":
        if action == tokens.LANGUAGE and tok.arg in q.languages:
            return _choose_language(state, tok.arg)
        if action == tokens.BACK:
            return i18n.render(ui, "error.first_step")
    elif stage == "consent":
        if action == tokens.ACCEPT:
            return answering.goto(state, navigation.first(q, state.answers), editing=False)
        if action == tokens.DECLINE:
            new = replace(state, stage="declined", rev=state.rev + 1)
            return Step(new, current(q, new), "declined")
        if action == tokens.BACK:
            if len(q.languages) == 1:
                return i18n.render(ui, "error.first_step")
            return replace(state, stage="language", return_stage=None)
    elif stage == "question" and state.cursor is not None:
        return answering.press(q, state, q.question(state.cursor), tok, today)
    elif stage == "review":
        return _review_press(q, state, tok)
    if action in (tokens.SKIP, tokens.SUBMIT, tokens.REVIEW):  # typed commands at the wrong step
        return i18n.render(ui, "error.not_here")
    return i18n.render(ui, "error.stale")


def _choose_language(state: DraftState, lang: str) -> DraftState:
    back_to = state.return_stage
    if back_to == "question" and state.cursor is not None:
        return replace(state, language=lang, stage="question", return_stage=None)
    if back_to == "review":
        return replace(state, language=lang, stage="review", return_stage=None)
    return replace(state, language=lang, stage="consent", return_stage=None)


def _review_press(
    q: Questionnaire, state: DraftState, tok: tokens.Token
) -> answering.Result | Step:
    ui = q.strings(lang_of(q, state))
    if tok.action in (tokens.SUBMIT, tokens.SUBMIT_CODE):  # (the service sees which one)
        missing = navigation.missing_required(q, state.answers)
        if missing is not None:
            return answering.goto(state, missing, editing=True)
        new = replace(state, stage="submitted", rev=state.rev + 1, picking=0, confirm=None)
        return Step(new, current(q, new), "submit")
    if tok.action == tokens.BACK:
        return answering.goto(state, navigation.last(q, state.answers), editing=False)
    if tok.action == tokens.PICK and tok.arg.isdigit():
        pages = review.pages(q, state)
        return replace(state, picking=min(int(tok.arg), pages))
    if tok.action == tokens.EDIT and tok.arg.isdigit() and int(tok.arg) < len(q.questions):
        question = q.questions[int(tok.arg)]
        if question in navigation.reviewed(q, state.answers):
            return answering.goto(state, question, editing=True)
    return i18n.render(ui, "error.stale")


def _typed(q: Questionnaire, state: DraftState, event: Event, today: dt.date) -> answering.Result:
    ui = q.strings(lang_of(q, state))
    if state.stage == "question" and state.cursor is not None:
        return answering.typed(q, state, q.question(state.cursor), event, today)
    if state.stage == "language" and isinstance(event, Text):
        wanted = event.text.strip().lower()
        for lang in q.languages:
            if wanted in (lang, q.ui[lang]["language.name"].lower()):
                return _choose_language(state, lang)
    if isinstance(event, Location | Media):
        return i18n.render(ui, "error.not_here")
    return i18n.render(ui, "error.use_buttons")
