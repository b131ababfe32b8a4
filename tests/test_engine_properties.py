"""Property tests: random witnesses never break the engine; every branch is reachable; edits prune.

Run on the sample fixture (every type) and on the bundled default questionnaire.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.channel import AttachmentRef, Command, Event, Location, Media, Press, Start, Text
from intake.engine import DraftState, Step, apply, start
from intake.engine import tokens as tk
from intake.engine.navigation import applies
from intake.engine.repair import problems
from intake.questionnaire import AnswerValue, Condition, Question, Questionnaire, load, load_default

TODAY = dt.date(2026, 11, 25)
SAMPLE = load(Path(__file__).parent / "questionnaires" / "sample.toml")
DEFAULT = load_default()
QUESTIONNAIRES = {"sample": SAMPLE, "default": DEFAULT}

TEXTS = st.sampled_from(
    [
        *("", "  ", "yes", "12", "-3", "2,5", "1e9", "10.08.2020", "03/04/2020", "2031"),
        *("август 2020", "Okrestina", "x" * 600, "Русский", "en", "\u0000", "3 April 2020"),
        *("9" * 5000, "1" * 300 + ".5", "10 10 10 10 2020", "31/31/2020", "0.0.0"),
    ]
)
COMMANDS = st.sampled_from(["cancel", "back", "skip", "help", "language", "review", "submit"])


def check_step(q: Questionnaire, before: Step, after: Step) -> None:
    """Invariants of one transition."""
    state = after.state
    assert problems(q, state) == [], (state, problems(q, state))
    assert DraftState.from_json(json.loads(json.dumps(state.to_json()))) == state
    assert len(after.prompt.text) <= 4096
    for row in after.prompt.buttons:
        for button in row:
            assert button.token.isascii()
            assert len(button.token.encode()) <= tk.MAX_TOKEN_BYTES
    if after.outcome == "rejected":
        assert state == before.state
        assert after.prompt.notice
    elif state != before.state:
        assert state.rev == before.state.rev + 1
    if after.outcome == "continue" and state.stage in ("question", "review"):
        # answers disappear only when their question stopped applying (a branch was left)
        for qid in set(before.state.answers) - set(state.answers):
            assert not applies(q.question(qid), state.answers), qid


def event_strategy(step: Step, seen: list[str]) -> st.SearchStrategy[Event]:
    buttons = [b.token for row in step.prompt.buttons for b in row]
    options: list[st.SearchStrategy[Event]] = [
        st.builds(Text, TEXTS),
        st.builds(Text, st.text(max_size=40)),
        st.builds(Command, COMMANDS),
        st.builds(Location, st.floats(-100, 100), st.floats(-200, 200)),
        st.integers(0, 30).map(lambda n: Media(_ref(n))),
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


def _ref(n: int) -> AttachmentRef:
    return AttachmentRef(f"att{n}", f"f{n}.jpg", "image/jpeg", n + 1, f"{n:064x}")


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
        step = after
        if after.outcome in ("submit", "cancelled", "declined"):
            break


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
        return go(q, step, Press(tk.make(step.state.rev, tk.SKIP)))
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
        step = go(q, step, Media(_ref(step.state.rev)))
        return go(q, step, Press(tk.make(step.state.rev, tk.DONE)))
    text = value["text"] if isinstance(value, dict) else str(value)
    return go(q, step, Text(str(text)))


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
