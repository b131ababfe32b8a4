"""Loading questionnaires: the sample fixture, each bad fixture's specific problem, every problem
collected at once, the documented example, and damaged files that give problems, not crashes."""

from __future__ import annotations

import copy
import re
import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.questionnaire import Condition, QuestionnaireError, check, load, load_default, loads
from intake.questionnaire.loader import _build
from intake.questionnaire.problems import Collector
from tests.support.paths import BAD, QUESTIONNAIRES, ROOT, SAMPLE_TOML
from tests.support.questionnaires import MINIMAL as BASE


def test_sample_loads_into_typed_model() -> None:
    q = load(SAMPLE_TOML)
    assert q.id == "sample"
    assert q.version == 2
    assert q.languages == ("en", "ru")
    assert q.summary() == "sample v2: 9 questions, 2 languages (en, ru), 5 branches"
    place = q.question("place_held")
    assert place.max_length == 40
    assert place.help is not None
    assert place.help["ru"] == "Улица, отделение, город."
    assert place.when == Condition("detained", "equals", True)
    assert q.question("injuries").max_length == 8000  # bounded default for long_text
    assert q.question("files").max_files == 3
    assert q.question("people").min == 0
    assert q.question("role").required
    assert not q.question("detained").required  # skippable unless required


def test_ui_overrides_and_fallbacks() -> None:
    q = load(SAMPLE_TOML)
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
    q, problems = check(QUESTIONNAIRES / "does-not-exist.toml")
    assert q is None
    assert "cannot read file" in str(problems[0])


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
    bundled = ROOT / "intake/data/questionnaires/detention.toml"
    if not bundled.exists():
        pytest.skip("the bundled questionnaire is not written yet")
    q = load_default()
    assert q.id == "detention"
    assert set(q.languages) == {"en", "be", "ru", "uk"}
    assert not any(question.required for question in q.questions)


def test_the_documented_example_loads() -> None:
    doc = (ROOT / "docs" / "questionnaire.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", doc, flags=re.DOTALL)
    example = max(blocks, key=len)
    q = loads(example, "docs/questionnaire.md")
    assert q.summary() == "detention v3: 4 questions, 2 languages (en, ru), 2 branches"
    assert q.ui["en"]["buttons.submit"] == "Send to the team"


# --- damaged files ---------------------------------------------------------------------------


SAMPLE_DATA = tomllib.loads(SAMPLE_TOML.read_text(encoding="utf-8"))


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.sampled_from(["en", "ru", "detained", "beaten", "yes_no", "choice", "de", ""]),
    st.lists(st.sampled_from(["en", "ru", "beaten", 1]), max_size=3),
    st.builds(dict),
    st.fixed_dictionaries({"en": st.just("x")}),
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into a nested dict/list."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += paths(value, (*prefix, index))
    return out


ALL_PATHS = paths(SAMPLE_DATA)


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(ALL_PATHS), st.one_of(JUNK, st.just("<delete>"))),
        min_size=1,
        max_size=4,
    )
)
def test_damaged_files_give_problems_not_crashes(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    data = copy.deepcopy(SAMPLE_DATA)
    for path, value in edits:
        parent: Any = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(value)  # never alias: TOML has no cycles
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    c = Collector("fuzz.toml")
    questionnaire = _build(c, data, "fuzz.toml")
    assert (questionnaire is None) == bool(c.problems)
    for problem in c.problems:
        assert problem.file == "fuzz.toml"
        assert problem.field
        assert str(problem)


def test_ui_overrides_may_give_each_plural_form_of_a_counted_phrase() -> None:
    text = (
        BASE.replace('languages = ["en"]', 'languages = ["en", "ru"]')
        .replace('text.en = "t"', 'text.en = "t"\ntext.ru = "т"')
        .replace('accept.en = "a"', 'accept.en = "a"\naccept.ru = "а"')
        .replace('decline.en = "d"', 'decline.en = "d"\ndecline.ru = "н"')
        + '[[questions]]\nid = "q"\ntype = "media"\nprompt.en = "q"\nprompt.ru = "в"\n'
        + '[ui.ru]\n"review.files.few" = "{count} снимка"\n'
        + '"review.files.many" = "{count} снимков"\n'
    )
    q = loads(text, "x.toml")
    assert q.strings("ru")["review.files.few"] == "{count} снимка"
    bad = text.replace('"{count} снимка"', '"снимка"')
    with pytest.raises(QuestionnaireError, match="placeholders"):
        loads(bad, "x.toml")


FOLLOWUP_CHOICE = """
[[questions]]
id = "contact"
type = "choice"
prompt.en = "May we contact you?"
options = [
  { id = "no", label.en = "No" },
  { id = "code", label.en = "With a code", followup = %s },
]
"""


def test_an_option_may_ask_for_a_follow_up_code() -> None:
    q = loads(BASE + FOLLOWUP_CHOICE % "true")
    assert q.followup_option == ("contact", "code")
    assert loads(BASE + FOLLOWUP_CHOICE % "false").followup_option is None


def test_follow_up_flag_is_checked_and_unique() -> None:
    with pytest.raises(QuestionnaireError, match="true or false"):
        loads(BASE + FOLLOWUP_CHOICE % '"yes"')
    second = FOLLOWUP_CHOICE.replace('"contact"', '"again"') % "true"
    with pytest.raises(QuestionnaireError, match="only one option may say followup"):
        loads(BASE + FOLLOWUP_CHOICE % "true" + second)
