"""Loading questionnaires: the sample fixture, and each bad fixture's specific problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.questionnaire import (
    Condition,
    QuestionnaireError,
    check,
    load,
    load_default,
    loads,
)

HERE = Path(__file__).parent / "questionnaires"
SAMPLE = HERE / "sample.toml"
BAD = HERE / "bad"


def test_sample_loads_into_typed_model() -> None:
    q = load(SAMPLE)
    assert q.id == "sample"
    assert q.version == 2
    assert q.languages == ("en", "ru")
    assert q.summary() == "sample v2: 9 questions, 2 languages (en, ru), 5 branches"
    place = q.question("place_held")
    assert place.max_length == 40
    assert place.help is not None
    assert place.help["ru"] == "Улица, отделение, город."
    assert place.when == Condition("detained", "equals", True)
    assert q.question("injuries").max_length == 4000  # bounded default for long_text
    assert q.question("files").max_files == 3
    assert q.question("people").min == 0
    assert q.question("role").required
    assert not q.question("detained").required  # skippable unless required


def test_ui_overrides_and_fallbacks() -> None:
    q = load(SAMPLE)
    assert q.ui["en"]["buttons.submit"] == "Send"  # [ui.en] override
    assert q.ui["ru"]["language.name"] == "Русский"
    assert set(q.ui["ru"]) >= set(q.ui["en"])


@pytest.mark.parametrize(
    ("fixture", "question", "field", "words"),
    [
        ("unknown_type.toml", "a", "type", "unknown type 'essay'"),
        ("missing_text.toml", "a", "prompt.ru", "missing text for declared language 'ru'"),
        ("duplicate_question.toml", "a", "id", "duplicate question id 'a'"),
        ("duplicate_option.toml", "a", "options[2].id", "duplicate option id 'x'"),
        ("when_unknown.toml", "a", "when.question", "'nope' is not a question"),
        ("when_later.toml", "a", "when.question", "'b' comes later"),
        ("choice_without_options.toml", "a", "options", "needs a non-empty list of options"),
        ("default_language.toml", None, "default_language", "'de' is not one of languages"),
    ],
)
def test_bad_fixture_names_file_question_and_field(
    fixture: str, question: str | None, field: str, words: str
) -> None:
    path = BAD / fixture
    with pytest.raises(QuestionnaireError) as info:
        load(path)
    problems = info.value.problems
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.file, problem.question, problem.field) == (str(path), question, field)
    assert words in problem.message
    text = str(problem)
    assert fixture in text
    assert f"field '{field}'" in text
    if question:
        assert f"question '{question}'" in text


def test_bad_toml_reports_line() -> None:
    _, problems = check(BAD / "bad_toml.toml")
    assert len(problems) == 1
    assert problems[0].line == 19
    assert str(problems[0]).startswith(f"{BAD / 'bad_toml.toml'}:19: invalid TOML")


def test_every_problem_is_collected() -> None:
    q, problems = check(BAD / "many_problems.toml")
    assert q is None
    fields = [p.field for p in problems]
    assert fields == ["type", "prompt.ru", "id", "options", "when.question"]
    with pytest.raises(QuestionnaireError, match="5 problems"):
        load(BAD / "many_problems.toml")


def test_unreadable_file() -> None:
    q, problems = check(HERE / "does-not-exist.toml")
    assert q is None
    assert "cannot read file" in str(problems[0])


BASE = """
id = "t"
version = 1
languages = ["en"]
default_language = "en"
[consent]
text.en = "t"
accept.en = "a"
decline.en = "d"
"""


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


def test_messages_never_show_python_values() -> None:
    text = (
        BASE.replace('default_language = "en"', "") + '[[questions]]\nid = "q"\nprompt.en = "q"\n'
    )
    text = text.replace('languages = ["en"]', 'languages = ["en", true]')
    with pytest.raises(QuestionnaireError) as info:
        loads(text, "x.toml")
    message = str(info.value)
    assert "None" not in message
    assert "True" not in message
    assert "default_language': missing" in message
    assert "true is not a language code" in message


def test_ui_override_problems() -> None:
    text = (
        BASE
        + '[[questions]]\nid = "q"\ntype = "text"\nprompt.en = "q"\n'
        + '[ui.en]\n"buttons.nope" = "x"\n"question.progress" = "Q {n}"\n'
        + '[ui.fr]\n"buttons.skip" = "x"\n'
    )
    with pytest.raises(QuestionnaireError) as info:
        loads(text, "x.toml")
    messages = {p.field: p.message for p in info.value.problems}
    assert "unknown interface string" in messages["ui.en.buttons.nope"]
    assert "placeholders" in messages["ui.en.question.progress"]
    assert "not declared" in messages["ui.fr"]


def test_default_questionnaire_if_bundled() -> None:
    bundled = Path(__file__).parents[1] / "intake/data/questionnaires/detention.toml"
    if not bundled.exists():
        pytest.skip("the bundled questionnaire is not written yet")
    q = load_default()
    assert q.id == "detention"
    assert set(q.languages) == {"en", "be", "ru", "uk"}
    assert not any(question.required for question in q.questions)


def test_summary_counts_read_naturally_for_one() -> None:
    text = BASE + '[[questions]]\nid = "q"\ntype = "text"\nprompt.en = "q"\n'
    assert loads(text, "x.toml").summary() == "t v1: 1 question, 1 language (en), 0 branches"
