"""The review: every answer listed, Submit first, and the answers to change on pages of their own.

A long questionnaire has twenty answers and more; twenty "Edit n" buttons above Submit bury it.
So the review shows Submit, "Change an answer" and Back/Cancel; "Change an answer" shows the
same list with one button per answer ("3. Date"), :data:`PER_PAGE` at a time.
"""

from __future__ import annotations

import math

from intake import i18n
from intake.channel import Button, Prompt
from intake.engine import navigation, tokens
from intake.engine.inputs import display
from intake.engine.joining import short
from intake.engine.state import DraftState
from intake.engine.wording import button, lang_of
from intake.questionnaire import Question, Questionnaire

REVIEW_LIMIT = 3900  # characters; Telegram's limit is 4096
PER_PAGE = 8
LABEL_LIMIT = 30  # characters of a question's name on its button (phones are narrow)


def pages(q: Questionnaire, state: DraftState) -> int:
    """How many pages the list of answers to change has (at least 1)."""
    return max(1, math.ceil(len(navigation.reviewed(q, state.answers)) / PER_PAGE))


def prompt(q: Questionnaire, state: DraftState, notice: str | None) -> Prompt:
    """The review of ``state``: the answers, then Submit — or, when picking, the answers to
    change on page ``state.picking``."""
    lang = lang_of(q, state)
    ui = q.strings(lang)
    shown = navigation.reviewed(q, state.answers)
    text = ""
    for excerpt in (200, 120, 80, 50, 30):
        items = []
        for n, question in enumerate(shown, start=1):
            if question.id in state.answers:
                value = state.answers[question.id]
                details = state.details.get(question.id)
                answer = display(
                    question, value, lang, ui, excerpt=excerpt, details=details, files=state.files
                )
                answer += _captions(state, value, excerpt)
            else:
                answer = i18n.render(ui, "review.not_answered")
            item = i18n.render(
                ui, "review.item", n=n, question=short(question, lang), answer=answer
            )
            items.append(item)
        body = "\n".join(items) if items else i18n.render(ui, "review.empty")
        footer = i18n.render(
            ui, "review.pick" if state.picking else "review.footer", **i18n.button_names(ui)
        )
        text = "\n\n".join([i18n.render(ui, "review.heading"), body, footer])
        if len(text) <= REVIEW_LIMIT:
            break
    rows: list[tuple[Button, ...]]
    if state.picking:
        rows = _pick_rows(q, state, shown, lang)
    else:
        rows = [(button(state, i18n.render(ui, "buttons.submit"), tokens.SUBMIT),)]
        if q.offers_followup and q.followup_option is None:  # no question offers a code: here
            rows.append(
                (button(state, i18n.render(ui, "buttons.submit_code"), tokens.SUBMIT_CODE),)
            )
        if shown:
            rows.append((button(state, i18n.render(ui, "buttons.change"), tokens.PICK, 1),))
        rows.append(
            (
                button(state, i18n.render(ui, "buttons.back"), tokens.BACK),
                button(state, i18n.render(ui, "buttons.cancel"), tokens.CANCEL),
            )
        )
    return Prompt(text[:REVIEW_LIMIT], "review", tuple(rows), notice=notice, language=lang)


def _captions(state: DraftState, value: object, excerpt: int) -> str:
    """The words the witness sent with the files of a media answer, quoted after it."""
    if not isinstance(value, list):
        return ""
    said = []
    for attachment_id in value:
        entry = state.files.get(attachment_id) if isinstance(attachment_id, str) else None
        caption = " ".join((entry.ref.caption or "").split()) if entry is not None else ""
        if caption:
            said.append(f"“{caption[: excerpt - 1] + '…' if len(caption) > excerpt else caption}”")
    return (" — " + "; ".join(said)) if said else ""


def _pick_rows(
    q: Questionnaire, state: DraftState, shown: list[Question], lang: str
) -> list[tuple[Button, ...]]:
    ui = q.strings(lang)
    page = min(state.picking, pages(q, state))
    first = (page - 1) * PER_PAGE
    rows: list[tuple[Button, ...]] = []
    for n, question in enumerate(shown[first : first + PER_PAGE], start=first + 1):
        name = short(question, lang)
        if len(name) > LABEL_LIMIT:
            name = name[: LABEL_LIMIT - 1].rstrip() + "…"
        label = i18n.render(ui, "buttons.pick", n=n, question=name)
        rows.append((button(state, label, tokens.EDIT, q.index(question.id)),))
    nav: list[Button] = []
    if page > 1:
        nav.append(button(state, i18n.render(ui, "buttons.earlier"), tokens.PICK, page - 1))
    if page < pages(q, state):
        nav.append(button(state, i18n.render(ui, "buttons.later"), tokens.PICK, page + 1))
    if nav:
        rows.append(tuple(nav))
    rows.append((button(state, i18n.render(ui, "buttons.review"), tokens.PICK, 0),))
    return rows
