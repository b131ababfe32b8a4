"""Building the :class:`~intake.channel.Prompt` for the current state.

Rendering is a pure function of (questionnaire, state): the same state always shows the same
prompt, with buttons whose tokens carry the state's revision.
"""

from __future__ import annotations

from collections.abc import Mapping

from intake import i18n
from intake.channel import Button, Expects, Prompt
from intake.engine import navigation, tokens
from intake.engine.dates import format_date
from intake.engine.inputs import display, show
from intake.engine.state import DraftState
from intake.questionnaire import Question, Questionnaire

Rows = tuple[tuple[Button, ...], ...]
REVIEW_LIMIT = 3900  # characters; Telegram's limit is 4096
_EXPECTS: Mapping[str, Expects] = {
    "text": "text",
    "long_text": "text",
    "date": "text",
    "number": "text",
    "location": "location",
    "media": "media",
}

# "Изменить 12" is ~11 characters: four to a row cut the number off on narrow phones.
EDITS_PER_ROW = 3


def lang_of(q: Questionnaire, state: DraftState) -> str:
    """The language to speak now: chosen, else the usable hint, else the default."""
    for candidate in (state.language, state.hint):
        if candidate in q.languages:
            return candidate
    return q.default_language


def current(q: Questionnaire, state: DraftState, notice: str | None = None) -> Prompt:
    """The prompt for where ``state`` stands, with an optional notice shown first."""
    if state.stage == "language":
        return _language(q, state, notice)
    if state.stage == "consent":
        return _consent(q, state, notice)
    if state.stage == "question" and state.cursor is not None:
        return _question(q, state, q.question(state.cursor), notice)
    if state.stage == "review":
        return _review(q, state, notice)
    lang = lang_of(q, state)
    key = "submit.sending" if state.stage == "submitted" else f"closing.{state.stage}"
    if state.stage == "question":  # pragma: no cover - a question stage always has a cursor
        key = "closing.cancelled"
    return Prompt(i18n.render(q.strings(lang), key), state.stage, notice=notice, language=lang)


def _button(state: DraftState, label: str, action: str, arg: str | int = "") -> Button:
    return Button(tokens.make(state.rev, action, arg), label)


def _language(q: Questionnaire, state: DraftState, notice: str | None) -> Prompt:
    first = lang_of(q, state)
    order = [first] + [lang for lang in q.languages if lang != first]
    texts = dict.fromkeys(i18n.render(q.ui[lang], "language.prompt") for lang in order)
    buttons = [
        Button(
            tokens.make(state.rev, tokens.LANGUAGE, lang),
            q.ui[lang]["language.name"],
            selected=(lang == first and (state.language or state.hint) in q.languages),
        )
        for lang in order
    ]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Prompt("\n".join(texts), "language", rows, notice=notice, language=first)


def _consent(q: Questionnaire, state: DraftState, notice: str | None) -> Prompt:
    lang = lang_of(q, state)
    ui = q.strings(lang)
    rows: Rows = (
        (_button(state, q.consent.accept[lang], tokens.ACCEPT),),
        (_button(state, q.consent.decline[lang], tokens.DECLINE),),
    )
    if len(q.languages) > 1:  # Back leads to the language choice; with one language there is none
        rows += ((_button(state, i18n.render(ui, "buttons.back"), tokens.BACK),),)
    return Prompt(q.consent.text[lang], "consent", rows, notice=notice, language=lang)


def _question(
    q: Questionnaire, state: DraftState, question: Question, notice: str | None
) -> Prompt:
    lang = lang_of(q, state)
    ui = q.strings(lang)
    number, total = navigation.progress(q, state.answers, question.id)
    parts = [i18n.render(ui, "question.progress", n=number, total=total)]
    if number == 1 and not state.editing:
        parts.append(i18n.render(ui, "question.reminder"))
    body = question.prompt[lang]
    if question.help:
        body += "\n" + question.help[lang]
    parts.append(body)
    parts.append(_hint(question, state, ui))
    if question.required:
        parts.append(i18n.render(ui, "question.required"))
    if question.id in state.answers and not (state.selection or state.uploads):
        answer = display(question, state.answers[question.id], lang, ui)
        parts.append(i18n.render(ui, "question.current", answer=answer))
    if state.date_choices:
        first, second = (format_date(iso, ui) for iso in state.date_choices)
        parts.append(i18n.render(ui, "error.date_ambiguous", first=first, second=second))
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


def _hint(question: Question, state: DraftState, ui: Mapping[str, str]) -> str:
    kind = question.type
    if kind in ("text", "long_text"):
        return i18n.render(ui, "question.text_hint", max=question.max_length)
    if kind == "number" and question.min is not None and question.max is not None:
        return i18n.render(
            ui, "question.number_range_hint", min=show(question.min), max=show(question.max)
        )
    if kind == "media":
        hint = i18n.render(ui, "question.media_hint", max=question.max_files)
        if state.uploads:
            count = i18n.render(
                ui, "question.media_count", count=len(state.uploads), max=question.max_files
            )
            hint += "\n" + count
        return hint
    return i18n.render(ui, f"question.{kind}_hint")


def _answer_rows(question: Question, state: DraftState, lang: str, ui: Mapping[str, str]) -> Rows:
    kind = question.type
    current = state.answers.get(question.id)
    if kind == "choice":
        return tuple(
            (Button(tokens.make(state.rev, tokens.OPTION, i), o.label[lang], o.id == current),)
            for i, o in enumerate(question.options)
        )
    if kind == "multi_choice":
        rows = []
        for i, option in enumerate(question.options):
            on = option.id in state.selection
            label = ("✓ " if on else "") + option.label[lang]
            rows.append((Button(tokens.make(state.rev, tokens.OPTION, i), label, on),))
        rows.append((_button(state, i18n.render(ui, "buttons.done"), tokens.DONE),))
        return tuple(rows)
    if kind == "yes_no":
        yes = Button(
            tokens.make(state.rev, tokens.YES), i18n.render(ui, "buttons.yes"), current is True
        )
        no = Button(
            tokens.make(state.rev, tokens.NO), i18n.render(ui, "buttons.no"), current is False
        )
        return ((yes, no),)
    if kind == "date" and state.date_choices:
        return tuple(
            (_button(state, format_date(iso, ui), tokens.DATE, i),)
            for i, iso in enumerate(state.date_choices)
        )
    if kind == "media" and state.uploads:
        return ((_button(state, i18n.render(ui, "buttons.done"), tokens.DONE),),)
    return ()


def _nav_rows(question: Question, state: DraftState, ui: Mapping[str, str]) -> Rows:
    nav: list[Button] = []
    if state.editing:
        nav.append(_button(state, i18n.render(ui, "buttons.review"), tokens.REVIEW))
    else:
        nav.append(_button(state, i18n.render(ui, "buttons.back"), tokens.BACK))
    if not question.required:
        nav.append(_button(state, i18n.render(ui, "buttons.skip"), tokens.SKIP))
    rows: list[tuple[Button, ...]] = [tuple(nav)]
    if question.id in state.answers and not (state.selection or state.uploads):
        rows.insert(0, (_button(state, i18n.render(ui, "buttons.keep"), tokens.KEEP),))
    rows.append((_button(state, i18n.render(ui, "buttons.cancel"), tokens.CANCEL),))
    return tuple(rows)


def _review(q: Questionnaire, state: DraftState, notice: str | None) -> Prompt:
    lang = lang_of(q, state)
    ui = q.strings(lang)
    shown = navigation.listed(q, state.answers)
    for excerpt in (200, 120, 80, 50, 30):
        items = [
            i18n.render(
                ui,
                "review.item",
                n=n,
                question=_short(question, lang),
                answer=display(question, state.answers[question.id], lang, ui, excerpt=excerpt),
            )
            for n, question in enumerate(shown, start=1)
        ]
        body = "\n".join(items) if items else i18n.render(ui, "review.empty")
        text = "\n\n".join(
            [i18n.render(ui, "review.heading"), body, i18n.render(ui, "review.footer")]
        )
        if len(text) <= REVIEW_LIMIT:
            break
    edits = [
        _button(state, i18n.render(ui, "buttons.edit", n=n), tokens.EDIT, q.index(question.id))
        for n, question in enumerate(shown, start=1)
    ]
    rows = [tuple(edits[i : i + EDITS_PER_ROW]) for i in range(0, len(edits), EDITS_PER_ROW)]
    rows.append((_button(state, i18n.render(ui, "buttons.submit"), tokens.SUBMIT),))
    rows.append(
        (
            _button(state, i18n.render(ui, "buttons.back"), tokens.BACK),
            _button(state, i18n.render(ui, "buttons.cancel"), tokens.CANCEL),
        )
    )
    return Prompt(text[:REVIEW_LIMIT], "review", tuple(rows), notice=notice, language=lang)


def _short(question: Question, lang: str) -> str:
    if question.short:
        return question.short[lang]
    prompt = question.prompt[lang]
    return prompt if len(prompt) <= 60 else prompt[:59].rstrip() + "…"
