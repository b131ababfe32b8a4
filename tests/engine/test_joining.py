"""One answer in several messages (issue 11, point 3): joined, or held and asked, or read."""

from __future__ import annotations

from intake.channel import Press, Text
from intake.engine import Step, apply, start
from intake.engine import tokens as tk
from intake.questionnaire import Questionnaire, loads
from tests.support.steps import TODAY

TWO_TEXTS = """
id = "two"
version = 1
languages = ["en"]
default_language = "en"
[consent]
text.en = "c"
accept.en = "Yes"
decline.en = "No"
[[questions]]
id = "details"
type = "long_text"
max_length = 60
prompt.en = "What do you remember about them?"
[[questions]]
id = "held"
type = "text"
prompt.en = "Where were you held?"
"""


def at_second(q: Questionnaire, first: str, at: float) -> Step:
    step = start(q, None)
    step = apply(q, step.state, Press(tk.make(step.state.rev, tk.ACCEPT)), today=TODAY)
    return apply(q, step.state, Text(first, at=at), today=TODAY)


def test_a_message_sent_before_the_next_question_showed_joins_the_answer() -> None:
    q = loads(TWO_TEXTS)
    step = at_second(q, "Black uniforms, balaclavas.", 100.0)
    step = apply(q, step.state, Text("A grey minibus.", at=100.0, unseen=True), today=TODAY)
    assert step.state.answers["details"] == "Black uniforms, balaclavas.\nA grey minibus."
    assert step.state.cursor == "held"
    assert step.prompt.notice == "Added to your answer to “What do you remember about them?”."


def test_a_message_soon_after_is_held_and_the_witness_decides() -> None:
    q = loads(TWO_TEXTS)
    step = at_second(q, "Black uniforms.", 100.0)
    held = apply(q, step.state, Text("Akrestsina", at=110.0), today=TODAY)
    assert held.state.held == "Akrestsina"
    assert "or the answer to the question above?" in held.prompt.text
    here = [b.token for r in held.prompt.buttons for b in r if "answers the question" in b.label]
    done = apply(q, held.state, Press(here[0]), today=TODAY)
    assert done.state.answers == {"details": "Black uniforms.", "held": "Akrestsina"}
    # too long together: said so, nothing changed
    join = [b.token for r in held.prompt.buttons for b in r if "previous answer" in b.label]
    long = apply(q, held.state, Text("x" * 55, at=111.0), today=TODAY)
    assert long.state.held == "Akrestsina\n" + "x" * 55
    refused = apply(
        q,
        long.state,
        Press(join[0].replace(f"{held.state.rev}.", f"{long.state.rev}.")),
        today=TODAY,
    )
    assert refused.outcome == "rejected"
    assert "too long" in (refused.prompt.notice or "")


def test_a_message_long_after_is_simply_the_answer() -> None:
    q = loads(TWO_TEXTS)
    step = at_second(q, "Black uniforms.", 100.0)
    late = apply(q, step.state, Text("Akrestsina", at=200.0), today=TODAY)
    assert late.state.answers["held"] == "Akrestsina"
    assert late.state.held is None
