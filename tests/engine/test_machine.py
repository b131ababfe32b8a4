"""The state machine on the sample questionnaire: stages, commands, stale and forged buttons, and
random witnesses that never reach an invalid state (the bundled questionnaire too)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.channel import Command, Event, Location, Media, Press, Start, Text
from intake.engine import DraftState, Step, apply, start
from intake.engine.repair import problems
from intake.questionnaire import Questionnaire, loads
from intake.service import IntakeService
from intake.submission.document import parse_submission
from intake.submission.seal import build_submission
from tests.support.channels import scripted
from tests.support.questionnaires import VICTIM
from tests.support.steps import (
    QUESTIONNAIRES,
    SAMPLE,
    TODAY,
    at_first_question,
    check_step,
    confirmed,
    full_run,
    press,
    ref,
    send,
    token,
)


def test_decline_ends_with_a_neutral_line() -> None:
    step = press(start(SAMPLE, None), "English")
    assert step.prompt.stage == "consent"
    done = press(step, "Not now")
    assert done.outcome == "declined"
    assert done.state.stage == "declined"
    assert "Nothing was kept" in done.prompt.text


def test_stale_and_forged_buttons_are_rejected() -> None:
    first = at_first_question()
    second = press(first, "Yes")
    for forged in (token(first, "Yes"), "999.yes", "nonsense", "1.o.99", "x" * 70, "2.ü"):
        step = send(second, Press(forged))
        assert step.outcome == "rejected"
        assert step.state is second.state
    stale = send(second, Press(token(first, "Yes")))
    assert "earlier message" in (stale.prompt.notice or "")
    assert stale.prompt.text == second.prompt.text


def test_stale_cancel_still_cancels() -> None:
    first = at_first_question()
    later = send(press(first, "Yes"), Text("2020"))
    done = confirmed(send(later, Press(token(first, "Cancel and delete"))))
    assert done.outcome == "cancelled"
    assert done.state.answers == {}
    assert done.prompt.stage == "cancelled"


def test_cancel_command_anywhere() -> None:
    for step in (start(SAMPLE, None), at_first_question(), full_run()):
        done = confirmed(send(step, Command("cancel")))
        assert done.outcome == "cancelled"


def test_text_on_buttons_only_prompt_is_rejected() -> None:
    step = at_first_question()
    rejected = send(step, Text("yes"))
    assert rejected.outcome == "rejected"
    assert "buttons" in (rejected.prompt.notice or "")


def test_required_question_cannot_be_skipped() -> None:
    step = press(at_first_question(), "Skip")
    assert step.prompt.question_id == "role"
    assert all(b.label != "Skip" for row in step.prompt.buttons for b in row)
    rejected = send(step, Command("skip"))
    assert rejected.outcome == "rejected"
    assert "cannot be skipped" in (rejected.prompt.notice or "")


def test_help_and_start_keep_the_state() -> None:
    step = at_first_question()
    helped = send(step, Command("help"))
    assert helped.state == step.state
    assert "Skip" in (helped.prompt.notice or "")
    again = send(step, Start("en"))
    assert again.state == step.state
    assert again.prompt.text == step.prompt.text


def test_review_command_only_while_editing() -> None:
    step = at_first_question()
    assert send(step, Command("review")).outcome == "rejected"
    editing = press(full_run(), "Edit 2")
    assert send(editing, Command("review")).prompt.stage == "review"


def test_typed_commands_are_never_called_old_buttons() -> None:
    notice = send(at_first_question(), Command("submit")).prompt.notice or ""
    assert "after the last question" in notice
    at_review = send(full_run(), Command("skip"))
    assert at_review.outcome == "rejected"
    assert "earlier message" not in (at_review.prompt.notice or "")


def test_language_change_midway_returns_to_the_question() -> None:
    step = press(at_first_question(), "Yes")
    chooser = send(step, Command("language"))
    assert chooser.prompt.stage == "language"
    back = press(chooser, "Русский")
    assert back.prompt.question_id == "when_detained"
    assert "Когда вас задержали?" in back.prompt.text
    assert back.prompt.language == "ru"


ONE_LANGUAGE = loads(
    """
id = "one"
version = 1
languages = ["uk"]
default_language = "uk"
[consent]
text.uk = "Згода?"
accept.uk = "Так"
decline.uk = "Ні"
[[questions]]
id = "q"
type = "text"
prompt.uk = "Що сталося?"
""",
    "one.toml",
)


def test_one_language_starts_at_the_consent() -> None:
    step = start(ONE_LANGUAGE, "ru-RU")
    assert step.prompt.stage == "consent"
    assert step.prompt.language == "uk"
    labels = [b.label for row in step.prompt.buttons for b in row]
    # no Back to a language choice that does not exist; the start screen offers the follow-up
    assert labels == ["Так", "Ні", "У мене є код для зв’язку"]
    again = send(step, Command("language"), ONE_LANGUAGE)
    assert again.prompt == step.prompt  # harmless: nothing to choose
    question = press(step, "Так", ONE_LANGUAGE)
    assert send(question, Command("language"), ONE_LANGUAGE).prompt.question_id == "q"
    assert press(question, "Назад", ONE_LANGUAGE).prompt.stage == "consent"
    assert send(step, Command("back"), ONE_LANGUAGE).outcome == "rejected"


async def test_typed_submit_on_a_question_is_not_called_a_stale_button(svc: IntakeService) -> None:
    """Typing /submit on a question answers "That button belongs to an earlier message" — the
    witness pressed no button (engine/machine.py _press maps typed commands to stale)."""
    player = scripted(svc, dict(VICTIM), "en")
    await player.to_question("held_where")
    reply = await svc.handle(player.key, Command("submit"))
    assert reply.outcome == "rejected"
    assert reply.prompt.notice is not None
    assert "earlier message" not in reply.prompt.notice, reply.prompt.notice


# --- random witnesses -------------------------------------------------------------------------


TEXTS = st.sampled_from(
    [
        *("", "  ", "yes", "12", "-3", "2,5", "1e9", "10.08.2020", "03/04/2020", "2031"),
        *("август 2020", "Okrestina", "x" * 600, "Русский", "en", "\u0000", "3 April 2020"),
        *("9" * 5000, "1" * 300 + ".5", "10 10 10 10 2020", "31/31/2020", "0.0.0"),
    ]
)


COMMANDS = st.sampled_from(["cancel", "back", "skip", "help", "language", "review", "submit"])


def event_strategy(step: Step, seen: list[str]) -> st.SearchStrategy[Event]:
    buttons = [b.token for row in step.prompt.buttons for b in row]
    options: list[st.SearchStrategy[Event]] = [
        st.builds(Text, TEXTS),
        st.builds(Text, st.text(max_size=40)),
        # typed at a moment, or sent before the prompt showed (joins the previous answer)
        st.builds(Text, TEXTS, st.sampled_from([None, 1000.0, 1010.0, 5000.0]), st.booleans()),
        st.integers(0, 30).map(lambda n: Media(ref(n, "audio/ogg"))),
        st.builds(Command, COMMANDS),
        st.builds(Location, st.floats(-100, 100), st.floats(-200, 200)),
        st.integers(0, 30).map(lambda n: Media(ref(n))),
        st.just(Start("ru")),
        st.text(max_size=12).map(Press),
    ]
    if seen:
        options.append(st.sampled_from(seen).map(Press))
    if buttons:
        options.append(st.sampled_from(buttons).map(Press))
    onward = [t for t in buttons if not t.endswith((".x", ".dec", ".back"))]
    if onward:
        # pressing a button that moves on is what witnesses mostly do: weigh it up, so that
        # walks reach the review and submit, not only cancel early
        options = [st.sampled_from(onward).map(Press)] * 12 + options
    return st.one_of(options)


@pytest.mark.parametrize("name", sorted(QUESTIONNAIRES))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), hint=st.sampled_from([None, "en", "ru-RU", "uk", "de"]))
def test_random_witnesses_never_reach_an_invalid_state(
    name: str, data: st.DataObject, hint: str | None
) -> None:
    q = QUESTIONNAIRES[name]
    step = start(q, hint)
    assert problems(q, step.state) == []
    seen: list[str] = []
    for _ in range(60):
        event = data.draw(event_strategy(step, seen))
        after = apply(q, step.state, event, today=TODAY)
        check_step(q, step, after)
        seen.extend(b.token for row in step.prompt.buttons for b in row)
        if after.outcome == "submit":
            seals_and_parses(q, step.state)
        step = after
        if after.outcome in ("submit", "cancelled", "declined"):
            break


def seals_and_parses(q: Questionnaire, state: DraftState) -> None:
    """Every state the engine lets the witness submit makes a valid submission.json (voice
    messages, rough numbers and all)."""
    meta = {"submission_id": "S1", "receipt": "ABCD-EFGH", "submitted_at": "2026-11-25T10:00:00Z"}
    document, members = build_submission(q, state, meta, lambda _aid: iter([b""]))
    parsed = parse_submission(document)
    assert [m.path for m in members] == [a.path for a in parsed.attachments]
