"""Answering a question: validation messages, dates asked back, numbers, places, files, choices."""

from __future__ import annotations

from intake.channel import Command, Location, Press, Text
from tests.support.steps import at_first_question, at_question, file, press, send, token


def test_validation_messages() -> None:
    step = press(at_first_question(), "Yes")
    assert "could not read" in (send(step, Text("someday")).prompt.notice or "")
    assert "future" in (send(step, Text("01.01.2031")).prompt.notice or "")
    step = send(step, Text("2020"))
    notice = send(step, Text("x" * 50)).prompt.notice or ""
    assert "50" in notice
    assert "40" in notice
    assert "empty" in (send(step, Text("   ")).prompt.notice or "")


def test_ambiguous_date_asks_back() -> None:
    step = press(at_first_question(), "Yes")
    asked = send(step, Text("03/04/2020"))
    assert asked.outcome == "continue"
    assert "3 April 2020 or 4 March 2020" in asked.prompt.text
    chosen = press(asked, "4 March 2020")
    assert chosen.state.answers["when_detained"] == "2020-03-04"


def test_number_bounds() -> None:
    step = press(press(at_first_question(), "Skip"), "A witness")
    assert step.prompt.question_id == "people"
    assert "from 0 to 500" in step.prompt.text
    assert "at most 500" in (send(step, Text("600")).prompt.notice or "")
    assert "at least 0" in (send(step, Text("-1")).prompt.notice or "")
    assert "number" in (send(step, Text("many")).prompt.notice or "")
    assert send(step, Text("2,5")).state.answers["people"] == 2.5


def test_location_event_or_text() -> None:
    step = at_question("where")
    assert step.prompt.expects == "location"
    shared = send(step, Location(53.9, 27.56))
    assert shared.state.answers["where"] == {"latitude": 53.9, "longitude": 27.56}
    assert send(step, Location(95.0, 0.0)).outcome == "rejected"
    assert send(at_first_question(), Location(1.0, 1.0)).outcome == "rejected"


def test_media_limits_and_hints() -> None:
    step = at_question("files")
    assert step.prompt.expects == "media"
    assert "send a photo" in (send(step, Text("hello")).prompt.notice or "")
    assert send(step, Command("submit")).outcome == "rejected"
    for n in range(3):
        step = send(step, file(n))
    assert "3. photo2.jpg — 102 bytes" in step.prompt.text  # every file, listed
    assert "at most 3" in (send(step, file(9)).prompt.notice or "")
    assert send(step, file(0)).outcome == "rejected"  # the same file twice
    done = press(step, "Done")
    assert done.state.answers["files"] == ["att0", "att1", "att2"]
    assert send(at_first_question(), file(5)).outcome == "rejected"


def test_multi_choice_toggles_and_requires_a_choice() -> None:
    step = send(press(at_first_question(), "Yes"), Text("2020"))
    step = send(step, Text("a cell"))
    assert step.prompt.question_id == "treatment"
    assert send(step, Press(token(step, "Done"))).outcome == "rejected"
    on = press(step, "Beaten")
    assert on.prompt.buttons[0][0].label == "Beaten"  # the channel marks it
    assert on.prompt.buttons[0][0].selected
    off = press(on, "Beaten")
    assert off.state.selection == ()
