"""Driving the engine step by step on the sample questionnaire, as the engine tests do.

Every step is checked: the state stays valid (``repair.problems``), and a rejection leaves the
state as it was and says why. :func:`check_step` holds the invariants of any one transition.
"""

from __future__ import annotations

import datetime as dt
import json

from intake.channel import AttachmentRef, Event, Media, Press, Text
from intake.engine import DraftState, Step, apply, start
from intake.engine import tokens as tk
from intake.engine.navigation import applies
from intake.engine.repair import problems
from intake.questionnaire import Questionnaire, load, load_default
from tests.support.paths import SAMPLE_TOML

TODAY = dt.date(2026, 11, 25)
SAMPLE = load(SAMPLE_TOML)
DEFAULT = load_default()
QUESTIONNAIRES = {"sample": SAMPLE, "default": DEFAULT}


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
    if label.startswith("Edit ") and step.prompt.stage == "review":
        # the review lists the answers to change on a page of their own: "3. Date"
        step = send(step, Press(token(step, "✏️ Change an answer")), q)
        number = label.split()[1] + "."
        found = [b for row in step.prompt.buttons for b in row if b.label.startswith(number)]
        assert found, f"no button {number!r} in {step.prompt.buttons}"
        return send(step, Press(found[0].token), q)
    return send(step, Press(token(step, label)), q)


def confirmed(step: Step, q: Questionnaire = SAMPLE) -> Step:
    """Answer the "delete everything?" question with yes."""
    assert step.state.confirm == "cancel", step.prompt.text
    return press(step, "Yes, delete everything", q)


def file(n: int) -> Media:
    return Media(AttachmentRef(f"att{n}", f"photo{n}.jpg", "image/jpeg", 100 + n, f"{n:064x}"))


def at_first_question(hint: str | None = None) -> Step:
    step = press(start(SAMPLE, hint), "English")
    return press(step, "I agree")


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


def at_question(question_id: str) -> Step:
    step = press(press(at_first_question(), "Skip"), "A witness")
    step = press(step, "Skip")
    if question_id == "files":
        step = press(step, "Skip")
    assert step.prompt.question_id == question_id
    return step


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


def ref(n: int, mime: str = "image/jpeg") -> AttachmentRef:
    """An attachment reference the engine accepts (the store is not involved); an audio
    ``mime`` makes it a voice message."""
    return AttachmentRef(f"att{n}", f"f{n}.jpg", mime, n + 1, f"{n:064x}")
