"""Which language the engine speaks now, and a button in it."""

from __future__ import annotations

from intake.channel import Button
from intake.engine import tokens
from intake.engine.state import DraftState
from intake.questionnaire import Questionnaire


def lang_of(q: Questionnaire, state: DraftState) -> str:
    """The language to speak now: chosen, else the usable hint, else the default."""
    for candidate in (state.language, state.hint):
        if candidate in q.languages:
            return candidate
    return q.default_language


def button(
    state: DraftState, label: str, action: str, arg: str | int = "", *, selected: bool = False
) -> Button:
    """A button whose token carries the state's revision."""
    return Button(tokens.make(state.rev, action, arg), label, selected)
