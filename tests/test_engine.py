"""Engine flows on the sample questionnaire: every stage, every type, rejections and edits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from intake.channel import (
    AttachmentRef,
    Command,
    Event,
    Location,
    Media,
    Press,
    Start,
    Text,
)
from intake.engine import (
    DraftFormatError,
    DraftState,
    Step,
    answers_for_submission,
    apply,
    attachments_of,
    closing_prompt,
    resume,
    start,
    submitted_prompt,
)
from intake.engine.repair import problems
from intake.questionnaire import Questionnaire, load, loads

TODAY = dt.date(2026, 11, 25)
SAMPLE = load(Path(__file__).parent / "questionnaires" / "sample.toml")


def send(step: Step, event: Event, q: Questionnaire = SAMPLE) -> Step:
    new = apply(q, step.state, event, today=TODAY)
    assert problems(q, new.state) == [], new.state
    if new.outcome == "rejected":
        assert new.state == step.state
        assert new.prompt.notice
    return new


def token(step: Step, label: str) -> str:
    for row in step.prompt.buttons:
        for button in row:
            if button.label in (label, "✓ " + label):
                return button.token
    raise AssertionError(f"no button {label!r} in {step.prompt.buttons}")


def press(step: Step, label: str, q: Questionnaire = SAMPLE) -> Step:
    return send(step, Press(token(step, label)), q)


def file(n: int) -> Media:
    return Media(AttachmentRef(f"att{n}", f"photo{n}.jpg", "image/jpeg", 100 + n, f"{n:064x}"))


def at_first_question(hint: str | None = None) -> Step:
    step = press(start(SAMPLE, hint), "English")
    return press(step, "I agree")


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


def test_decline_ends_with_a_neutral_line() -> None:
    step = press(start(SAMPLE, None), "English")
    assert step.prompt.stage == "consent"
    done = press(step, "Not now")
    assert done.outcome == "declined"
    assert done.state.stage == "declined"
    assert "Nothing was kept" in done.prompt.text


def test_first_question_has_progress_and_reminder() -> None:
    step = at_first_question()
    assert step.prompt.stage == "question"
    assert step.prompt.question_id == "detained"
    assert step.prompt.text.startswith("Question 1 of ~9")
    assert "stop at any time" in step.prompt.text
    nxt = press(step, "Yes")
    assert nxt.prompt.text.startswith("Question 2 of ~9")
    assert "stop at any time" not in nxt.prompt.text


def full_run() -> Step:
    step = press(at_first_question(), "Yes")
    step = send(step, Text("10.08.2020"))
    step = send(step, Text("Okrestina"))
    step = press(press(press(step, "Beaten"), "Threatened"), "Done")
    step = send(step, Text("bruises"))
    step = press(step, "A witness")
    step = send(step, Text("12"))
    step = send(step, Text("near the metro"))
    step = press(send(send(step, file(1)), file(2)), "Done")
    assert step.prompt.stage == "review"
    return step


def test_full_flow_review_and_submission() -> None:
    step = full_run()
    text = step.prompt.text
    assert "1. Detained: Yes" in text
    assert "10 August 2020" in text
    assert "Beaten, Threatened" in text
    assert ": 2 attached" in text  # the media answer reads naturally (not "Files: files: 2")
    submitted = press(step, "Send")  # [ui.en] override of buttons.submit
    assert submitted.outcome == "submit"
    answers = answers_for_submission(SAMPLE, submitted.state)
    assert [a["question_id"] for a in answers] == [q.id for q in SAMPLE.questions]
    by_id = {a["question_id"]: a for a in answers}
    assert by_id["detained"] == {
        "question_id": "detained",
        "type": "yes_no",
        "prompt": "Were you detained?",
        "value": True,
        "skipped": False,
    }
    assert by_id["when_detained"]["value"] == "2020-08-10"
    assert by_id["treatment"]["value"] == ["beaten", "threatened"]
    assert by_id["treatment"]["labels"] == ["Beaten", "Threatened"]
    assert by_id["role"]["label"] == "A witness"
    assert by_id["people"]["value"] == 12
    assert by_id["where"]["value"] == {"text": "near the metro"}
    assert by_id["files"]["value"] == ["att1", "att2"]
    json.dumps(answers)
    refs = attachments_of(submitted.state)
    assert [(qid, ref.attachment_id) for qid, ref in refs] == [("files", "att1"), ("files", "att2")]
    after = send(submitted, Text("more"))
    assert after.outcome == "rejected"


def test_skipped_questions_say_so() -> None:
    step = press(at_first_question(), "Skip")
    answers = answers_for_submission(SAMPLE, step.state)
    assert answers[0]["skipped"] is True
    assert answers[0]["value"] is None
    # detained skipped: the branches on `equals = true` and `answered = true` are not asked
    assert step.prompt.question_id == "role"


def test_edit_that_changes_a_branch_drops_answers() -> None:
    step = full_run()
    step = press(step, "Edit 1")
    assert step.state.editing
    step = press(step, "No")
    assert step.prompt.stage == "review"  # re-review
    assert "when_detained" not in step.state.answers
    assert "place_held" not in step.state.answers
    assert "treatment" in step.state.answers  # `answered = true` still holds


def test_edit_that_opens_a_branch_asks_it_then_returns_to_review() -> None:
    step = full_run()
    step = press(step, "Edit 6")  # role
    step = press(step, "The person it happened to")
    assert "people" not in step.state.answers
    step = press(step, "Edit 6")
    assert step.prompt.question_id == "role"
    step = press(step, "A witness")
    assert step.prompt.question_id == "people"  # newly applies: asked before review
    step = send(step, Text("3"))
    assert step.prompt.stage == "review"


def test_keep_and_back_to_review() -> None:
    step = full_run()
    answers = step.state.answers
    kept = press(press(step, "Edit 3"), "Keep this answer")
    assert kept.prompt.stage == "review"
    assert kept.state.answers == answers
    back = press(press(step, "Edit 3"), "Back to review")
    assert back.state.answers == answers


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
    done = send(later, Press(token(first, "Cancel and delete")))
    assert done.outcome == "cancelled"
    assert done.state.answers == {}
    assert done.prompt.stage == "cancelled"


def test_cancel_command_anywhere() -> None:
    for step in (start(SAMPLE, None), at_first_question(), full_run()):
        done = send(step, Command("cancel"))
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


def test_back_navigation() -> None:
    step = at_first_question()
    consent = press(step, "Back")
    assert consent.prompt.stage == "consent"
    language = press(consent, "Back")
    assert language.prompt.stage == "language"
    assert send(language, Command("back")).outcome == "rejected"
    step = press(press(at_first_question(), "Yes"), "Back")
    assert step.prompt.question_id == "detained"
    assert "Your current answer: Yes" in step.prompt.text


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


def at_question(question_id: str) -> Step:
    step = press(press(at_first_question(), "Skip"), "A witness")
    step = press(step, "Skip")
    if question_id == "files":
        step = press(step, "Skip")
    assert step.prompt.question_id == question_id
    return step


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
    assert "Files received: 3 of 3" in step.prompt.text
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
    assert on.prompt.buttons[0][0].label == "✓ Beaten"
    assert on.prompt.buttons[0][0].selected
    off = press(on, "Beaten")
    assert off.state.selection == ()


def test_language_change_midway_returns_to_the_question() -> None:
    step = press(at_first_question(), "Yes")
    chooser = send(step, Command("language"))
    assert chooser.prompt.stage == "language"
    back = press(chooser, "Русский")
    assert back.prompt.question_id == "when_detained"
    assert "Когда вас задержали?" in back.prompt.text
    assert back.prompt.language == "ru"


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


def test_tokens_are_short_ascii_and_carry_the_revision() -> None:
    step = full_run()
    for row in step.prompt.buttons:
        for button in row:
            assert button.token.isascii()
            assert len(button.token.encode()) <= 48
            assert button.token.startswith(f"{step.state.rev}.")


def test_draft_json_round_trip_and_rejection() -> None:
    step = send(full_run(), Command("back"))
    data = json.loads(json.dumps(step.state.to_json()))
    assert DraftState.from_json(data) == step.state
    assert resume(SAMPLE, DraftState.from_json(data)) == step.prompt
    with pytest.raises(DraftFormatError, match="format"):
        DraftState.from_json({**data, "format": "other"})
    with pytest.raises(DraftFormatError, match="rev"):
        DraftState.from_json({**data, "rev": "1"})


def test_draft_of_another_version_is_carried_over() -> None:
    step = full_run()
    old = DraftState.from_json(
        {**step.state.to_json(), "questionnaire": {"id": "sample", "version": 1}}
    )
    prompt = resume(SAMPLE, old)
    assert prompt.stage == "review"
    moved = apply(SAMPLE, old, Command("help"), today=TODAY)
    assert moved.state.questionnaire_version == 2


def test_last_prompts() -> None:
    done = submitted_prompt(SAMPLE, "ru", "K7QP-3MXD")
    assert "K7QP-3MXD" in done.text
    assert done.stage == "submitted"
    for outcome in ("cancelled", "declined", "expired"):
        line = closing_prompt(SAMPLE, "en", outcome)
        assert line.buttons == ()
        assert "testimony" not in line.text.lower()
    assert closing_prompt(SAMPLE, "xx", "expired").language == "en"


def test_draft_moves_to_a_new_questionnaire_version() -> None:
    source = (Path(__file__).parent / "questionnaires" / "sample.toml").read_text(encoding="utf-8")
    start_of = source.index('[[questions]]\nid = "place_held"')
    end_of = source.index('[[questions]]\nid = "treatment"')
    newer = loads(
        (source[:start_of] + source[end_of:]).replace("version = 2", "version = 3"), "v3.toml"
    )
    step = send(send(press(at_first_question(), "Yes"), Text("2020")), Command("help"))
    assert step.prompt.question_id == "place_held"
    moved = apply(newer, step.state, Command("help"), today=TODAY)
    assert moved.prompt.question_id == "treatment"  # the removed question is passed over
    assert problems(newer, moved.state) == []
    assert moved.state.questionnaire_version == 3
    assert moved.state.rev == step.state.rev + 1  # old buttons are stale now
    assert list(moved.state.answers) == ["detained", "when_detained"]


def _v3_without_fit() -> Questionnaire:
    """sample v2 → v3: "place_held" becomes a number, option "threatened" is removed."""
    source = (Path(__file__).parent / "questionnaires" / "sample.toml").read_text(encoding="utf-8")
    threatened = '  { id = "threatened", label.en = "Threatened", label.ru = "Угрожали" },\n'
    text = source.replace("version = 2", "version = 3").replace(threatened, "")
    text = text.replace('in = ["beaten", "threatened"]', 'in = ["beaten"]')
    text = text.replace(
        'id = "place_held"\ntype = "text"\nmax_length = 40', 'id = "place_held"\ntype = "number"'
    )
    return loads(text, "v3.toml")


def test_answers_that_no_longer_fit_are_asked_again_before_the_review() -> None:
    newer = _v3_without_fit()
    moved = apply(newer, full_run().state, Command("help"), today=TODAY)
    assert moved.prompt.question_id == "place_held"
    step = send(moved, Text("3"), newer)
    assert step.prompt.question_id == "treatment"  # the next dropped answer, then the review
    step = press(press(step, "Beaten", newer), "Done", newer)
    assert step.prompt.question_id == "injuries"  # its branch opened again with the new answer
    step = send(step, Text("bruises"), newer)
    assert step.prompt.stage == "review"
    ids = [a["question_id"] for a in answers_for_submission(newer, step.state)]
    assert ids == [q.id for q in newer.questions]


def test_mid_way_upgrade_asks_the_dropped_question_before_the_review() -> None:
    newer = _v3_without_fit()
    step = press(full_run(), "Back")  # at the last question, not editing
    moved = apply(newer, step.state, Command("help"), today=TODAY)
    assert moved.prompt.question_id == step.prompt.question_id  # still where the witness was
    step = press(moved, "Keep this answer", newer)
    assert step.prompt.question_id == "place_held"  # asked before the review is shown
    step = press(step, "Skip", newer)
    assert step.prompt.question_id == "treatment"
    step = press(step, "Skip", newer)
    assert step.prompt.stage == "review"
    assert "place_held" in step.state.answers


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
    assert labels == ["Так", "Ні"]  # no Back to a language choice that does not exist
    again = send(step, Command("language"), ONE_LANGUAGE)
    assert again.prompt == step.prompt  # harmless: nothing to choose
    question = press(step, "Так", ONE_LANGUAGE)
    assert send(question, Command("language"), ONE_LANGUAGE).prompt.question_id == "q"
    assert press(question, "Назад", ONE_LANGUAGE).prompt.stage == "consent"
    assert send(step, Command("back"), ONE_LANGUAGE).outcome == "rejected"
