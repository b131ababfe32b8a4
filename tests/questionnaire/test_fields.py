"""Each question's fields: the specific problem of every bad value."""

from __future__ import annotations

import pytest

from intake.questionnaire import QuestionnaireError, load_default, loads
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


HEAD = """
id = "t"
version = 1
languages = ["en"]
default_language = "en"
[consent]
text.en = "ok?"
accept.en = "yes"
decline.en = "no"
"""


def _q(body: str) -> str:
    return HEAD + body


def test_bundled_questionnaire_marks_what_staff_must_see_first() -> None:
    q = load_default()
    purposes = {x.purpose: x.id for x in q.questions if x.purpose}
    assert purposes == {"consent_scope": "use_consent", "contact": "contact",
                        "incident_date": "happened_on", "place": "place"}  # fmt: skip
    assert {x.id for x in q.questions if x.sensitive} >= {"treatment", "injuries", "contact_how"}


def test_fields_load_and_default_off() -> None:
    q = loads(
        _q("""
[[questions]]
id = "hurt"
type = "long_text"
sensitive = true
prompt.en = "Hurt?"
[[questions]]
id = "when"
type = "date"
purpose = "incident_date"
prompt.en = "When?"
[[questions]]
id = "other"
type = "text"
prompt.en = "Else?"
""")
    )
    assert q.question("hurt").sensitive
    assert q.question("when").purpose == "incident_date"
    assert not q.question("other").sensitive
    assert q.question("other").purpose is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('type = "text"\nsensitive = "yes"', "field 'sensitive': must be true or false"),
        ('type = "text"\npurpose = "gossip"', "field 'purpose': 'gossip' is not one of"),
        (
            'type = "text"\npurpose = "incident_date"',
            "'incident_date' needs a question of type date",
        ),
        (
            'type = "yes_no"\npurpose = "consent_scope"',
            "needs a question of type choice, multi_choice",
        ),
    ],
)
def test_bad_values_name_the_question_and_field(body: str, message: str) -> None:
    with pytest.raises(QuestionnaireError) as err:
        loads(_q(f'[[questions]]\nid = "q1"\n{body}\nprompt.en = "?"\n'))
    assert message in str(err.value)
    assert "q1" in str(err.value)


def test_a_purpose_names_one_question() -> None:
    twice = "".join(
        f'[[questions]]\nid = "d{n}"\ntype = "date"\npurpose = "incident_date"\nprompt.en = "?"\n'
        for n in (1, 2)
    )
    with pytest.raises(QuestionnaireError, match="already the purpose of 'd1'"):
        loads(_q(twice))
