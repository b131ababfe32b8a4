"""Building the :class:`~intake.channel.Prompt` for the current state.

Rendering is a pure function of (questionnaire, state): the same state always shows the same
prompt, with buttons whose tokens carry the state's revision. Buttons say whether they are the
current choice (``Button.selected``); channels mark them (the labels carry no marks).
"""

from __future__ import annotations

from collections.abc import Mapping

from intake import i18n
from intake.channel import Button, Expects, Prompt
from intake.engine import navigation, review, tokens, uploads
from intake.engine.dates import format_date
from intake.engine.inputs import display
from intake.engine.joining import excerpt, previous, short
from intake.engine.output import attachments_of
from intake.engine.state import DraftState
from intake.engine.wording import button, lang_of
from intake.questionnaire import Question, Questionnaire, values

__all__ = ["REVIEW_LIMIT", "current", "lang_of"]

Rows = tuple[tuple[Button, ...], ...]
REVIEW_LIMIT = review.REVIEW_LIMIT
CURRENT_EXCERPT = 1500  # characters of a long answer shown back as "your current answer"
REMOVES_PER_ROW = 5
_EXPECTS: Mapping[str, Expects] = {
    "text": "voice",
    "long_text": "voice",
    "date": "text",
    "number": "text",
    "location": "location",
    "media": "media",
}


def current(q: Questionnaire, state: DraftState, notice: str | None = None) -> Prompt:
    """The prompt for where ``state`` stands, with an optional notice shown first."""
    if state.confirm == "cancel":
        return _confirm_cancel(q, state, notice)
    if state.stage == "language":
        return _language(q, state, notice)
    if state.stage == "consent":
        return _consent(q, state, notice)
    if state.stage == "question" and state.cursor is not None:
        return _question(q, state, q.question(state.cursor), notice)
    if state.stage == "review":
        return review.prompt(q, state, notice)
    lang = lang_of(q, state)
    key = "submit.sending" if state.stage == "submitted" else f"closing.{state.stage}"
    if state.stage == "question":  # pragma: no cover - a question stage always has a cursor
        key = "closing.cancelled"
    return Prompt(i18n.render(q.strings(lang), key), state.stage, notice=notice, language=lang)


def _confirm_cancel(q: Questionnaire, state: DraftState, notice: str | None) -> Prompt:
    """Before anything is destroyed: what would be deleted, and Yes / No.

    Counted as the review shows it: the answers given, and the files they hold plus those sent
    to the question being asked — not files the witness removed or left on a branch not taken
    (their blobs go with the draft, but the witness no longer counts them as sent)."""
    lang = lang_of(q, state)
    ui = q.strings(lang)
    answered = sum(1 for value in state.answers.values() if value is not None)
    files = len({ref.attachment_id for _, ref in attachments_of(state)} | {*state.uploads})
    counted = i18n.render_count(ui, "count.answers", answered)
    sent = i18n.render_count(ui, "count.files", files)
    if answered == 0:
        key = "confirm.cancel_files_only" if files else "confirm.cancel_empty"
    else:
        key = "confirm.cancel" if files else "confirm.cancel_no_files"
    text = i18n.render(ui, key, answers=counted, files=sent)
    rows: Rows = (
        (button(state, i18n.render(ui, "buttons.cancel_yes"), tokens.CANCEL_YES),),
        (button(state, i18n.render(ui, "buttons.cancel_no"), tokens.CANCEL_NO),),
    )
    return Prompt(text, state.stage, rows, notice=notice, language=lang)


def _language(q: Questionnaire, state: DraftState, notice: str | None) -> Prompt:
    first = lang_of(q, state)
    order = [first] + [lang for lang in q.languages if lang != first]
    texts = dict.fromkeys(i18n.render(q.ui[lang], "language.prompt") for lang in order)
    chosen = (state.language or state.hint) in q.languages
    buttons = [
        button(
            state,
            q.ui[lang]["language.name"],
            tokens.LANGUAGE,
            lang,
            selected=chosen and lang == first,
        )
        for lang in order
    ]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    if state.return_stage is None and not state.answers and q.offers_followup:  # start screen
        rows += ((button(state, i18n.render(q.ui[first], "buttons.followup"), tokens.FOLLOWUP),),)
    return Prompt("\n".join(texts), "language", rows, notice=notice, language=first)


def _consent(q: Questionnaire, state: DraftState, notice: str | None) -> Prompt:
    lang = lang_of(q, state)
    ui = q.strings(lang)
    rows: Rows = (
        (button(state, q.consent.accept[lang], tokens.ACCEPT),),
        (button(state, q.consent.decline[lang], tokens.DECLINE),),
    )
    if len(q.languages) > 1:  # Back leads to the language choice; with one language there is none
        rows += ((button(state, i18n.render(ui, "buttons.back"), tokens.BACK),),)
    elif not state.answers and q.offers_followup:  # the consent is the start screen
        rows += ((button(state, i18n.render(ui, "buttons.followup"), tokens.FOLLOWUP),),)
    return Prompt(q.consent.text[lang], "consent", rows, notice=notice, language=lang)


def _question(
    q: Questionnaire, state: DraftState, question: Question, notice: str | None
) -> Prompt:
    lang = lang_of(q, state)
    ui = q.strings(lang)
    number, total, unknown = navigation.progress(q, state.answers, question.id)
    if unknown:
        line = i18n.render(ui, "question.progress_open", n=number, left=total - number)
    else:
        line = i18n.render(ui, "question.progress", n=number, total=total)
    parts = [line]
    if number == 1 and not state.editing:
        parts.append(i18n.render(ui, "question.reminder", **i18n.button_names(ui)))
    body = question.prompt[lang]
    if question.help:
        body += "\n" + question.help[lang]
    parts.append(body)
    parts.append(_hint(question, state, ui))
    if question.required:
        parts.append(i18n.render(ui, "question.required"))
    parts.extend(_status(q, state, question, lang, ui))
    rows = _answer_rows(question, state, lang, ui) + _nav_rows(question, state, ui)
    return Prompt(
        "\n\n".join(parts),
        "question",
        rows,
        expects=_EXPECTS.get(question.type, "nothing"),
        notice=notice,
        question_id=question.id,
        language=lang,
    )


def _status(
    q: Questionnaire, state: DraftState, question: Question, lang: str, ui: Mapping[str, str]
) -> list[str]:
    """What is pending on the question: its current answer, files, a date to settle, a message
    to place, or a confirmation."""
    parts: list[str] = []
    pending = state.selection or state.uploads
    if question.id in state.answers and not pending and state.held is None:
        value = state.answers[question.id]
        if value is None:
            parts.append(i18n.render(ui, "question.current_skipped"))
        else:
            details = state.details.get(question.id)
            answer = display(
                question,
                value,
                lang,
                ui,
                excerpt=CURRENT_EXCERPT,
                details=details,
                files=state.files,
            )
            parts.append(i18n.render(ui, "question.current", answer=answer))
    if state.uploads:
        parts.append(uploads.listing(state, question, ui))
    if state.date_choices:
        first, second = (format_date(iso, ui) for iso in state.date_choices)
        parts.append(i18n.render(ui, "error.date_ambiguous", first=first, second=second))
    if state.date_partial is not None:
        parts.append(i18n.render(ui, "question.date_year"))
    if state.held is not None:
        before = previous(q, state)
        name = short(before, lang) if before is not None else ""
        key = {"join": "confirm.held_join", "join_only": "confirm.held_join_only"}.get(
            state.held_mode or "", "confirm.held_long"
        )
        parts.append(i18n.render(ui, key, excerpt=excerpt(state.held), question=name))
    if state.confirm == "skip":
        if state.uploads:
            parts.append(i18n.render_count(ui, "confirm.skip_files", len(state.uploads)))
        else:
            parts.append(i18n.render(ui, "confirm.skip_choice"))
    return parts


def _hint(question: Question, state: DraftState, ui: Mapping[str, str]) -> str:
    kind = question.type
    if kind == "text":
        return i18n.render_count(ui, "question.text_hint", values.max_length(question))
    if kind == "long_text":
        hint = i18n.render_count(ui, "question.text_hint", values.max_length(question))
        return hint + "\n" + i18n.render(ui, "question.voice_hint")
    if kind == "number" and question.min is not None and question.max is not None:
        lang = ui.get(i18n.LANGUAGE_CODE)
        low, high = (i18n.format_number(lang, n) for n in (question.min, question.max))
        return i18n.render(ui, "question.number_range_hint", min=low, max=high)
    if kind == "media":
        return i18n.render_count(ui, "question.media_hint", uploads.limit(question))
    return i18n.render(ui, f"question.{kind}_hint")


def _answer_rows(question: Question, state: DraftState, lang: str, ui: Mapping[str, str]) -> Rows:
    if state.held is not None:
        return _held_rows(question, state, ui)
    if state.confirm == "skip":
        keys = ("buttons.save_files", "buttons.discard_files")
        if not state.uploads:
            keys = ("buttons.save_choice", "buttons.discard_choice")
        return (
            (button(state, i18n.render(ui, keys[0]), tokens.SAVE),),
            (button(state, i18n.render(ui, keys[1]), tokens.DROP),),
        )
    kind = question.type
    current = state.answers.get(question.id)
    if kind == "choice":
        return tuple(
            (button(state, o.label[lang], tokens.OPTION, i, selected=o.id == current),)
            for i, o in enumerate(question.options)
        )
    if kind == "multi_choice":
        rows: list[tuple[Button, ...]] = [
            (button(state, o.label[lang], tokens.OPTION, i, selected=o.id in state.selection),)
            for i, o in enumerate(question.options)
        ]
        rows.append((button(state, i18n.render(ui, "buttons.done"), tokens.DONE),))
        return tuple(rows)
    if kind == "yes_no":
        yes = button(state, i18n.render(ui, "buttons.yes"), tokens.YES, selected=current is True)
        no = button(state, i18n.render(ui, "buttons.no"), tokens.NO, selected=current is False)
        return ((yes, no),)
    if kind == "date" and state.date_choices:
        return tuple(
            (button(state, format_date(iso, ui), tokens.DATE, i),)
            for i, iso in enumerate(state.date_choices)
        )
    if state.uploads:
        removes = [
            button(state, i18n.render(ui, "buttons.remove", n=n), tokens.REMOVE, n - 1)
            for n in range(1, len(state.uploads) + 1)
        ]
        rows = [
            tuple(removes[i : i + REMOVES_PER_ROW]) for i in range(0, len(removes), REMOVES_PER_ROW)
        ]
        rows.append((button(state, i18n.render(ui, "buttons.done"), tokens.DONE),))
        return tuple(rows)
    return ()


def _held_rows(question: Question, state: DraftState, ui: Mapping[str, str]) -> Rows:
    def one(key: str, action: str) -> tuple[Button, ...]:
        return (button(state, i18n.render(ui, key), action),)

    if state.held_mode == "long":
        return (one("buttons.append", tokens.APPEND), one("buttons.replace", tokens.REPLACE))
    if state.held_mode == "join":
        return (one("buttons.join", tokens.JOIN), one("buttons.answer_here", tokens.HERE))
    return (one("buttons.join", tokens.JOIN), one("buttons.discard", tokens.DISCARD))


def _nav_rows(question: Question, state: DraftState, ui: Mapping[str, str]) -> Rows:
    cancel = (button(state, i18n.render(ui, "buttons.cancel"), tokens.CANCEL),)
    if state.held is not None:  # where the message goes comes first: nothing else moves on
        return (cancel,)
    nav: list[Button] = []
    if state.editing:
        nav.append(button(state, i18n.render(ui, "buttons.review"), tokens.REVIEW))
    else:
        nav.append(button(state, i18n.render(ui, "buttons.back"), tokens.BACK))
    if not question.required and state.confirm != "skip":
        nav.append(button(state, i18n.render(ui, "buttons.skip"), tokens.SKIP))
    rows: list[tuple[Button, ...]] = [tuple(nav)]
    pending = state.selection or state.uploads or state.held is not None or state.confirm
    if state.answers.get(question.id) is not None and not pending:
        rows.insert(0, (button(state, i18n.render(ui, "buttons.keep"), tokens.KEEP),))
    rows.append(cancel)
    return tuple(rows)
