"""Moving through the questionnaire: back, edits at the review that close or open branches, and
the properties that every branch is reachable and an edit drops exactly what no longer applies."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crypto
from intake.channel import Command, Event, Media, Press, Text
from intake.engine import Step, apply, start
from intake.engine import tokens as tk
from intake.engine.navigation import applies
from intake.questionnaire import AnswerValue, Condition, Question, Questionnaire
from intake.service import IntakeService
from tests.support.channels import scripted
from tests.support.questionnaires import VICTIM
from tests.support.sealing import open_members, sealed_files
from tests.support.steps import (
    QUESTIONNAIRES,
    TODAY,
    at_first_question,
    check_step,
    full_run,
    press,
    ref,
    send,
)
from tests.support.witness import Skip, find, tokens_of


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


async def test_editing_at_review_drops_and_opens_branches(
    svc: IntakeService, staff: crypto.Identity
) -> None:
    script = dict(VICTIM, held_where="Okrestina", held_days="3", notes=Skip())
    player = scripted(svc, script, "en")
    review = await player.to_review()
    assert "Okrestina" in review.prompt.text
    # edit "role" (question 1) to "relative": the detained branch and its nested ones close
    picking = await player.send(Press(find(review.prompt, "pick", "1") or ""))  # "Change an answer"
    edit = find(picking.prompt, "e", "0")
    assert edit is not None, tokens_of(picking.prompt)
    editing = await player.send(Press(edit))
    assert editing.prompt.question_id == "role"
    player.witness.script["role"] = ("choice", "relative")
    player.witness.script["relative_name_skipped"] = "cousin"
    review2 = await player.continue_to_review(
        await player.send(await player.event_for(editing.prompt))
    )
    assert "Okrestina" not in review2.prompt.text
    assert "cousin" in review2.prompt.text  # the newly opened branch was asked before the review
    await player.submit_from(review2)
    sub = json.loads(open_members(sealed_files(svc.store)[0], staff)[0][1])
    ids = [a["question_id"] for a in sub["answers"]]
    assert "detained" not in ids
    assert "held_where" not in ids
    assert "held_days" not in ids
    assert "relative_name_skipped" in ids
    assert "Okrestina" not in json.dumps(sub)


# --- a witness who answers on purpose -------------------------------------------------------


def default_value(question: Question) -> AnswerValue:
    kind = question.type
    if kind in ("choice", "multi_choice"):
        first = question.options[0].id
        return first if kind == "choice" else [first]
    samples: dict[str, AnswerValue] = {
        "yes_no": True,
        "date": "2020-01-01",
        "location": {"text": "here"},
        "media": ["att1"],
        "number": int(question.min) if question.min is not None else 1,
    }
    return samples.get(kind, "words")


def satisfying(q: Questionnaire, when: Condition) -> AnswerValue:
    target = q.question(when.question)
    if when.kind == "answered":
        return default_value(target) if when.value else None
    value = when.value[0] if isinstance(when.value, tuple) else when.value
    if target.type == "multi_choice":
        return [str(value)]
    return value  # type: ignore[return-value]


def plan_for(q: Questionnaire, question: Question) -> dict[str, AnswerValue]:
    """Answers that make ``question`` apply (following chains of conditions)."""
    plan: dict[str, AnswerValue] = {}
    when = question.when
    while when is not None:
        plan[when.question] = satisfying(q, when)
        when = q.question(when.question).when
    return plan


def act(q: Questionnaire, step: Step, question: Question, value: AnswerValue) -> Step:
    """Answer ``question`` with ``value`` through events, as a witness would."""
    if value is None:
        step = go(q, step, Press(tk.make(step.state.rev, tk.SKIP)))
        if step.state.confirm == "skip":  # files or choices pending: asked before dropping them
            step = go(q, step, Press(tk.make(step.state.rev, tk.DROP)))
        return step
    kind = question.type
    if kind == "yes_no":
        return go(q, step, Press(tk.make(step.state.rev, tk.YES if value else tk.NO)))
    if kind in ("choice", "multi_choice"):
        chosen = value if isinstance(value, list) else [value]
        for i, option in enumerate(question.options):
            # multi_choice starts from the current answer: toggle only what differs
            if (option.id in chosen) != (option.id in step.state.selection):
                step = go(q, step, Press(tk.make(step.state.rev, tk.OPTION, i)))
        if kind == "choice":
            return step
        return go(q, step, Press(tk.make(step.state.rev, tk.DONE)))
    if kind == "media":
        step = go(q, step, Media(ref(step.state.rev)))
        return go(q, step, Press(tk.make(step.state.rev, tk.DONE)))
    text = value["text"] if isinstance(value, dict) else str(value)
    step = go(q, step, Text(str(text)))
    if step.state.held_mode == "long":  # a long answer there already: asked add or replace
        step = go(q, step, Press(tk.make(step.state.rev, tk.REPLACE)))
    return step


def go(q: Questionnaire, step: Step, event: Event) -> Step:
    after = apply(q, step.state, event, today=TODAY)
    check_step(q, step, after)
    assert after.outcome == "continue", (event, after.prompt.notice)
    return after


def walk(q: Questionnaire, plan: dict[str, AnswerValue]) -> tuple[Step, list[str]]:
    """Consent, then answer by ``plan`` (skip the rest, or a default when required)."""
    step = start(q, None)
    step = go(q, step, Press(tk.make(0, tk.LANGUAGE, q.default_language)))
    step = go(q, step, Press(tk.make(1, tk.ACCEPT)))
    asked: list[str] = []
    while step.state.stage == "question":
        question = q.question(step.state.cursor or "")
        asked.append(question.id)
        value = plan.get(question.id)
        if value is None and question.required:
            value = default_value(question)
        step = act(q, step, question, value)
    assert step.state.stage == "review"
    return step, asked


def branch_cases() -> list[tuple[str, str]]:
    return [
        (name, question.id)
        for name, q in sorted(QUESTIONNAIRES.items())
        for question in q.questions
        if question.when is not None
    ]


@pytest.mark.parametrize(("name", "question_id"), branch_cases())
def test_every_branch_is_reachable(name: str, question_id: str) -> None:
    q = QUESTIONNAIRES[name]
    question = q.question(question_id)
    _, asked = walk(q, plan_for(q, question))
    assert question_id in asked
    when = question.when
    assert when is not None
    if when.kind != "answered" and not q.question(when.question).required:
        # and it is not asked when its condition fails (the question it depends on is skipped)
        _, asked = walk(q, {**plan_for(q, question), when.question: None})
        assert question_id not in asked


@pytest.mark.parametrize("name", sorted(QUESTIONNAIRES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_editing_an_answer_drops_answers_that_no_longer_apply(
    name: str, data: st.DataObject
) -> None:
    q = QUESTIONNAIRES[name]
    everything = {question.id: default_value(question) for question in q.questions}
    review, _ = walk(q, everything)
    listed = [question for question in q.questions if question.id in review.state.answers]
    target = data.draw(st.sampled_from(listed))
    new_value = data.draw(st.sampled_from(candidates(target)))
    step = go(q, review, Press(tk.make(review.state.rev, tk.EDIT, q.index(target.id))))
    step = act(q, step, target, new_value)
    while step.state.stage == "question":  # newly opened branches are asked: skip them
        question = q.question(step.state.cursor or "")
        step = act(q, step, question, default_value(question) if question.required else None)
    assert step.state.stage == "review"
    answers = step.state.answers
    for question in q.questions:
        if question.id in review.state.answers and question.id != target.id:
            still = applies(question, answers)
            assert (question.id in answers) == still, question.id
            if still and question.id in answers:
                assert answers[question.id] == review.state.answers[question.id]


def candidates(question: Question) -> list[AnswerValue]:
    values: list[AnswerValue] = [] if question.required else [None]
    if question.type == "yes_no":
        return [*values, True, False]
    if question.type == "choice":
        return values + [o.id for o in question.options]
    if question.type == "multi_choice":
        return values + [[o.id] for o in question.options]
    return [*values, default_value(question)]
