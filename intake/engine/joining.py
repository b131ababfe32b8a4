"""One answer, several messages: deciding where a typed message belongs.

People split an answer ("Black uniforms, balaclavas." — "And a grey minibus without plates."), and
Telegram splits a long paste into messages of 4096 characters. A message sent before the witness
could see the question now asked (the channel says so with ``Text.unseen``) is more of the
previous answer and joins it. A message that comes soon after a typed answer, at a question it
may or may not answer — or that cannot answer the question asked at all — is *held*, and the
witness is asked where it belongs. At a long_text question that already has an answer, a new
message is held too: add it, or replace the answer? Nothing typed is dropped unless the witness
says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from intake import i18n
from intake.channel import Text
from intake.engine.inputs import clean_text
from intake.engine.state import DraftState, HeldMode
from intake.questionnaire import Question, Questionnaire, values

#: A typed message this soon after a typed answer, at another text question: ask where it goes.
ASK_SECONDS = 20.0
#: A message that cannot answer the question asked is offered to the previous answer this long.
OFFER_SECONDS = 600.0
TEXT_TYPES = ("text", "long_text")


@dataclass(frozen=True, slots=True)
class Moved:
    """An accepted transition that also says something (e.g. "Added to your answer to …")."""

    state: DraftState
    notice: str


def previous(q: Questionnaire, state: DraftState) -> Question | None:
    """The question the witness answered by typing just before, if another one and its answer is
    still that text."""
    qid = state.last_typed
    if qid is None or qid == state.cursor or not isinstance(state.answers.get(qid), str):
        return None
    try:
        question = q.question(qid)
    except KeyError:
        return None
    return question if question.type in TEXT_TYPES else None


def _soon(state: DraftState, event: Text, seconds: float) -> bool:
    if event.at is None or state.last_at is None:
        return False
    return 0 <= event.at - state.last_at <= seconds


def route(
    q: Questionnaire, state: DraftState, question: Question, event: Text, fits: bool
) -> DraftState | Moved | str | None:
    """Where ``event`` goes: joined to the previous answer (:class:`Moved`), held with a question
    (a state with ``held``), a notice, or None — read it as the answer to ``question``.

    ``fits`` says whether the text can answer ``question`` at all (a number at a number
    question, anything at a text question)."""
    ui = _ui(q, state)
    before = previous(q, state)
    text = clean_text(event.text)
    if not text:
        return None
    if before is not None and event.unseen:
        return join(q, state, before, text, event.at, ui)
    if before is not None and not fits and _soon(state, event, OFFER_SECONDS):
        return hold(state, text, "join_only")
    if before is not None and question.type in TEXT_TYPES and _soon(state, event, ASK_SECONDS):
        return hold(state, text, "join")
    current = state.answers.get(question.id)
    if question.type == "long_text" and isinstance(current, str) and current:
        return hold(state, text, "long")
    return None


def hold(state: DraftState, text: str, mode: HeldMode) -> DraftState:
    """``text`` held, with ``mode``'s question; text already held comes first (it all goes
    wherever the witness says)."""
    if state.held is not None:
        text = f"{state.held}\n{text}"
    return replace(state, held=text, held_mode=mode)


def join(
    q: Questionnaire,
    state: DraftState,
    before: Question,
    text: str,
    at: float | None,
    ui: Mapping[str, str],
) -> Moved | str:
    """Add ``text`` to the answer of ``before``; the question asked stays."""
    old = state.answers.get(before.id)
    joined = f"{old}\n{text}" if isinstance(old, str) and old else text
    if len(joined) > values.max_length(before):
        return i18n.render(ui, "error.join_too_long")
    answers = dict(state.answers)
    answers[before.id] = joined
    new = replace(state, answers=answers, last_at=at or state.last_at)  # a message held stays
    notice = i18n.render(ui, "notice.joined", question=short(before, _lang(q, state)))
    return Moved(new, notice)


#: What ends a question's prompt but not its name: "Where were you held?" is named "Where were
#: you held" in "Added to your answer to «…»" and "3. …: Okrestina" (no "?:" nor "?»?").
_PROMPT_END = "?？¿!！.。:：;；…,， \t\n\u00a0"


def short(question: Question, lang: str) -> str:
    """A question's short name: its ``short`` text, else its prompt's first line without the
    final question mark, colon or other punctuation, cut to 60 characters."""
    if question.short:
        return question.short[lang]
    prompt = question.prompt[lang]
    first = prompt.strip().splitlines()[0] if prompt.strip() else prompt
    name = first.rstrip(_PROMPT_END) or first.strip()
    return name if len(name) <= 60 else name[:59].rstrip(_PROMPT_END) + "…"


def excerpt(text: str, length: int = 200) -> str:
    """The start of a held message, as quoted back."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _lang(q: Questionnaire, state: DraftState) -> str:
    return state.language if state.language in q.languages else q.default_language


def _ui(q: Questionnaire, state: DraftState) -> Mapping[str, str]:
    return q.ui[_lang(q, state)]
