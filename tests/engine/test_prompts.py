"""What the witness reads: the language chooser, progress and the reminder on the first question."""

from __future__ import annotations

from intake.channel import Command
from intake.engine import start
from intake.questionnaire import loads
from tests.support.steps import (
    SAMPLE,
    at_first_question,
    at_question,
    file,
    full_run,
    press,
    send,
)


def test_language_hint_preselects_and_orders() -> None:
    step = start(SAMPLE, "ru-RU")
    *languages, followup = step.prompt.buttons
    buttons = [b for row in languages for b in row]
    assert [b.label for b in buttons] == ["Русский", "English"]
    assert [b.label for b in followup] == ["У меня есть код для связи"]  # the start screen's
    assert buttons[0].selected
    assert not buttons[1].selected
    assert step.prompt.text.splitlines()[0] == "Выберите язык."
    other = start(SAMPLE, "de")
    labels = [b.label for row in other.prompt.buttons for b in row]
    assert labels == ["English", "Русский", "I have a follow-up code"]
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


def test_the_cancel_question_counts_what_would_be_deleted_now() -> None:
    """Issue 11, points 4-5: files the witness removed are not counted as if still held."""
    step = at_question("files")
    for n in range(3):
        step = send(step, file(n))
    step = press(press(step, "✕ 1"), "✕ 1")  # two removed: one file left, not yet confirmed
    asked = send(step, Command("cancel"))
    assert asked.prompt.text.startswith("Delete everything? This deletes 1 answer and 1 file,")
    listed = press(press(full_run(), "✏️ Change an answer"), "Later ›")
    done = press(press(listed, "9. Photos or documents"), "✕ 1")
    done = press(done, "Done")
    assert done.state.answers["files"] == ["att2"]
    asked = send(done, Command("cancel"))
    assert asked.prompt.text.startswith("Delete everything? This deletes 9 answers and 1 file,")


MEDIA_FIRST = loads(
    """
id = "m"
version = 1
languages = ["en"]
default_language = "en"
[consent]
text.en = "c"
accept.en = "Yes"
decline.en = "No"
[[questions]]
id = "photos"
type = "media"
max_files = 3
prompt.en = "Photos?"
""",
    "m.toml",
)


def test_the_cancel_question_names_files_sent_before_any_answer() -> None:
    step = press(start(MEDIA_FIRST, None), "Yes", MEDIA_FIRST)
    step = send(send(step, file(1), MEDIA_FIRST), file(2), MEDIA_FIRST)
    asked = send(step, Command("cancel"), MEDIA_FIRST)
    assert asked.prompt.text.startswith("Delete everything? This deletes 2 files you sent")
    assert "0 answers" not in asked.prompt.text
