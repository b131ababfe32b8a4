"""``when`` conditions: their shape and operands are checked."""

from __future__ import annotations

import pytest

from intake.questionnaire import QuestionnaireError, loads
from tests.support.questionnaires import MINIMAL as BASE


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ('{ question = "c", equals = "zz" }', "not an option id"),
        ('{ question = "y", equals = "yes" }', "compare with true or false"),
        ('{ question = "y", in = [] }', "non-empty list"),
        ('{ question = "y", in = "x" }', "non-empty list"),
        ('{ question = "y", answered = "yes" }', "true or false"),
        ('{ question = "y" }', "exactly one of"),
        ('{ question = "y", equals = true, answered = true }', "exactly one of"),
        ('{ question = "q", answered = true }', "cannot depend on itself"),
    ],
)
def test_when_operands_are_checked(when: str, words: str) -> None:
    text = (
        BASE
        + '[[questions]]\nid = "y"\ntype = "yes_no"\nprompt.en = "y"\n'
        + '[[questions]]\nid = "c"\ntype = "choice"\nprompt.en = "c"\n'
        + 'options = [ { id = "a", label.en = "A" } ]\n'
        + f'[[questions]]\nid = "q"\ntype = "text"\nprompt.en = "q"\nwhen = {when}\n'
    )
    with pytest.raises(QuestionnaireError) as info:
        loads(text, "x.toml")
    assert any(words in p.message and p.question == "q" for p in info.value.problems)


def test_when_shape_is_reported_with_an_unknown_question() -> None:
    text = BASE + '[[questions]]\nid = "q"\ntype = "text"\nprompt.en = "q"\n'
    text += 'when = { question = "zz", in = "x" }\n'
    with pytest.raises(QuestionnaireError) as info:
        loads(text, "x.toml")
    assert {p.field for p in info.value.problems} == {"when.question", "when.in"}
