"""Each question's fields: the specific problem of every bad value."""

from __future__ import annotations

import pytest

from intake.questionnaire import QuestionnaireError, loads
from tests.support.questionnaires import MINIMAL as BASE


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ('type = "text"\npromt.en = "x"', "promt", "unknown field"),
        ('type = "text"\nprompt.en = "x"\nmax_length = 5000', "max_length", "from 1 to 4096"),
        ('type = "number"\nprompt.en = "x"\nmin = 5\nmax = 1', "min", "greater than max"),
        ('type = "yes_no"\nprompt.en = "x"\nmax_length = 5', "max_length", "does not apply"),
        ('type = "text"\nprompt.en = "x"\nprompt.de = "y"', "prompt.de", "not declared"),
        ('type = "text"\nprompt.en = "  "', "prompt.en", "non-empty"),
        ('type = "text"\nprompt.en = "x"\nrequired = "yes"', "required", "true or false"),
        ('type = "yes_no"\nprompt.en = "x"\noptions = []', "options", "only choice"),
        ('type = "media"\nprompt.en = "x"\nmax_files = 0', "max_files", "from 1 to 20"),
        ('type = "number"\nprompt.en = "x"\nmax = inf', "max", "finite"),
        ('type = "number"\nprompt.en = "x"\nmin = -inf', "min", "finite"),
        ('prompt.en = "x"', "type", "missing type"),
        (
            'type = "text"\nprompt.en = "' + "p" * 2000 + '"\nhelp.en = "' + "h" * 1500 + '"',
            "help.en",
            "together exceed 3000",
        ),
    ],
)
def test_field_problems(body: str, field: str, words: str) -> None:
    text = BASE + '[[questions]]\nid = "q"\n' + body + "\n"
    with pytest.raises(QuestionnaireError) as info:
        loads(text, "x.toml")
    found = [p for p in info.value.problems if p.field == field]
    assert found, info.value.problems
    assert words in found[0].message
    assert found[0].question == "q"
