"""What the witness reads: the language chooser, progress and the reminder on the first question."""

from __future__ import annotations

from intake.engine import start
from tests.support.steps import SAMPLE, at_first_question, press


def test_language_hint_preselects_and_orders() -> None:
    step = start(SAMPLE, "ru-RU")
    buttons = [b for row in step.prompt.buttons for b in row]
    assert [b.label for b in buttons] == ["Русский", "English"]
    assert buttons[0].selected
    assert not buttons[1].selected
    assert step.prompt.text.splitlines()[0] == "Выберите язык."
    other = start(SAMPLE, "de")
    assert [b.label for row in other.prompt.buttons for b in row] == ["English", "Русский"]
    assert not any(b.selected for row in other.prompt.buttons for b in row)


def test_first_question_has_progress_and_reminder() -> None:
    step = at_first_question()
    assert step.prompt.stage == "question"
    assert step.prompt.question_id == "detained"
    assert step.prompt.text.startswith("Question 1 · at most 8 more")
    assert "stop at any time" in step.prompt.text
    nxt = press(step, "Yes")
    assert nxt.prompt.text.startswith("Question 2 · at most 7 more")
    assert "stop at any time" not in nxt.prompt.text
