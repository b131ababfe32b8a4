"""The review (issue 11, point 11): Submit first, the answers to change on pages, and questions a
changed answer brought in listed with their Edit."""

from __future__ import annotations

import functools
import operator

from intake.channel import Press
from intake.engine import Step, apply, start
from intake.engine import tokens as tk
from intake.questionnaire import Questionnaire, load_default
from tests.support.steps import TODAY, full_run, press, send


def labels(step: Step) -> list[list[str]]:
    return [[b.label for b in row] for row in step.prompt.buttons]


def test_submit_comes_first_and_the_answers_to_change_are_paged() -> None:
    q = load_default()
    step = start(q, "en")
    step = apply(q, step.state, Press(tk.make(step.state.rev, tk.LANGUAGE, "en")), today=TODAY)
    step = apply(q, step.state, Press(tk.make(step.state.rev, tk.ACCEPT)), today=TODAY)
    step = _answer_all(q, step)
    assert step.prompt.stage == "review"
    assert labels(step)[0] == ["✅ Submit"]
    assert len(step.prompt.buttons) == 3  # Submit; Change an answer; Back + Cancel and delete
    pages = []
    step = send(step, Press(tk.make(step.state.rev, tk.PICK, 1)), q)
    while True:
        pages.append([row[0] for row in labels(step) if row[0][0].isdigit()])
        later = [b.token for row in step.prompt.buttons for b in row if b.label == "Later ›"]
        if not later:
            break
        step = send(step, Press(later[0]), q)
    assert [len(p) for p in pages[:-1]] == [8, 8]  # eight to a page, then the rest
    listed = [line for line in step.prompt.text.splitlines() if line[:1].isdigit()]
    assert sum(len(p) for p in pages) == len(listed)  # every answer listed can be changed
    assert pages[0][0] == "1. Who it happened to"
    assert "‹ Earlier" in functools.reduce(operator.iadd, labels(step), [])
    assert labels(step)[-1] == ["Back to review"]


def _answer_all(q: Questionnaire, step: Step) -> Step:
    """Skip every question (a detained branch opened by Yes), to the review."""
    for _ in range(40):
        if step.prompt.stage == "review":
            return step
        actions = {tk.parse(b.token).action: b.token for r in step.prompt.buttons for b in r}  # type: ignore[union-attr]
        token = actions.get(tk.YES) or actions[tk.SKIP]
        step = send(step, Press(token), q)
    raise AssertionError("no review")


def test_questions_a_changed_answer_brings_in_are_listed_with_their_edit() -> None:
    step = press(full_run(), "Edit 6")  # role: a witness
    step = press(step, "The person it happened to")  # "people" no longer applies
    step = press(step, "Edit 6")
    step = press(step, "A witness")  # "people" applies again and is asked…
    assert step.prompt.question_id == "people"
    review = press(step, "Back to review")  # …but the witness goes back to the review first
    assert "7. How many people were detained: (not answered yet)" in review.prompt.text
    again = press(review, "Edit 7")
    assert again.prompt.question_id == "people"


RENAMED = """
id = "renamed"
version = 1
languages = ["en", "ru"]
default_language = "en"
[consent]
text.en = "c"
text.ru = "c"
accept.en = "Yes"
accept.ru = "Да"
decline.en = "No"
decline.ru = "Нет"
[[questions]]
id = "held"
type = "text"
prompt.en = "Where were you held?"
prompt.ru = "Где вас держали?"
[ui.en]
"buttons.submit" = "Send"
"buttons.cancel" = "Stop and erase"
[ui.ru]
"buttons.submit" = "📨 Передать"
"buttons.cancel" = "Стереть всё"
"""


def test_the_footer_and_reminders_name_the_buttons_as_the_questionnaire_labels_them() -> None:
    from intake.channel import Command, Text
    from intake.questionnaire import loads

    q = loads(RENAMED)
    for lang, sends, cancels, skip in (
        ("en", "“Send” sends", "“Stop and erase”", "“Skip” leaves"),
        ("ru", "Кнопка «Передать» отправляет", "«Стереть всё»", "«Пропустить» оставляет"),
    ):
        step = start(q, lang)
        step = apply(q, step.state, Press(tk.make(step.state.rev, tk.LANGUAGE, lang)), today=TODAY)
        step = apply(q, step.state, Press(tk.make(step.state.rev, tk.ACCEPT)), today=TODAY)
        assert f"{cancels} " in step.prompt.text  # the reminder at the first question
        helped = apply(q, step.state, Command("help"), today=TODAY)
        assert skip in (helped.prompt.notice or "")
        step = apply(q, step.state, Text("Okrestina"), today=TODAY)
        assert step.prompt.stage == "review"
        footer = step.prompt.text.split("\n\n")[-1]
        assert sends in footer
        assert cancels in footer
        assert "Submit" not in footer
        assert "Отправить»" not in footer
