"""Where the engine meets follow-up codes: the start screen's button, the review's offer, and
the questionnaire of additions opened at its first question."""

from __future__ import annotations

from intake.engine import begin_at_questions, start
from intake.questionnaire import load_addition
from tests.support.steps import DEFAULT, SAMPLE, at_first_question, press


def _labels(step: object) -> list[str]:
    return [b.label for row in step.prompt.buttons for b in row]  # type: ignore[attr-defined]


def test_the_start_screen_offers_the_follow_up_and_hands_it_to_the_service() -> None:
    step = start(SAMPLE, "en")
    assert "I have a follow-up code" in _labels(step)
    after = press(step, "I have a follow-up code")
    assert after.outcome == "followup"
    assert after.state == step.state  # nothing changed: the service takes it from here


def test_the_follow_up_button_is_gone_once_the_witness_has_answered() -> None:
    step = at_first_question()
    assert "I have a follow-up code" not in _labels(step)


def test_review_offers_a_code_only_without_a_follow_up_question() -> None:
    # the sample questionnaire has no follow-up option: the review offers the code itself
    assert SAMPLE.followup_option is None
    assert DEFAULT.followup_option == ("contact", "receipt_code")


def test_additions_start_at_their_first_question_in_the_witness_language() -> None:
    q = load_addition()
    step = begin_at_questions(q, "uk")
    assert step.prompt.stage == "question"
    assert step.prompt.language == "uk"
    assert "доповнити" not in step.prompt.text  # the consent is not shown again
    assert "Що ви хочете додати" in step.prompt.text
    assert begin_at_questions(q, "de").prompt.language == "en"
