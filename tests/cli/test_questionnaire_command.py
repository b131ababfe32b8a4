"""``intake questionnaire check``: the summary, every problem of a broken questionnaire as an
``intake: error: FILE: [question 'ID': ]field 'F': …`` line then a hint counting them, warnings
for languages without interface strings — in this process and with the real console script."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from intake import i18n
from intake.cli import main
from intake.questionnaire import loads
from tests.support.cli import run_cli
from tests.support.paths import QUESTIONNAIRES


def test_check_prints_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questionnaire", "check", str(QUESTIONNAIRES / "sample.toml")]) == 0
    out = capsys.readouterr().out
    assert out == "sample v2: 9 questions, 2 languages (en, ru), 5 branches\n"


def test_check_prints_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questionnaire", "check", str(QUESTIONNAIRES / "bad" / "many_problems.toml")]) == 1
    err = capsys.readouterr().err.splitlines()
    errors = [line for line in err if line.startswith("intake: error: ")]
    assert len(errors) == 5
    assert all("many_problems.toml: question 'a': field '" in line for line in errors)
    assert err[-1].startswith("intake: hint: 5 problems")


def test_check_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questionnaire", "check", str(QUESTIONNAIRES / "nope.toml")]) == 1
    assert "cannot read file" in capsys.readouterr().err


POLISH = """
id = "pl-test"
version = 1
languages = ["en", "pl"]
default_language = "en"
[consent]
text.en = "t"
text.pl = "t"
accept.en = "a"
accept.pl = "a"
decline.en = "d"
decline.pl = "d"
[[questions]]
id = "q"
type = "text"
prompt.en = "q"
prompt.pl = "q"
"""


def test_language_without_interface_strings_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pl.toml"
    path.write_text(POLISH, encoding="utf-8")
    assert main(["questionnaire", "check", str(path)]) == 0  # a warning, not a failure
    captured = capsys.readouterr()
    assert captured.out.startswith("pl-test v1: 1 question, 2 languages (en, pl)")
    (warning,) = captured.err.splitlines()
    assert warning.startswith(f"intake: warning: {path}: field 'languages': 'pl' ")
    assert "English buttons" in warning
    assert "[ui.pl]" in warning
    assert loads(POLISH).ui["pl"]["language.name"] == "Polski"  # the button names it properly


def test_complete_ui_override_silences_the_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    english = i18n.catalogue("en")  # flat dotted keys: counted phrases are tables of forms
    lines = ["[ui.pl]"] + [
        f"{json.dumps(key)} = {json.dumps(text, ensure_ascii=False)}"  # (TOML: no surrogates)
        for key, text in english.items()
    ]
    path = tmp_path / "pl.toml"
    path.write_text(POLISH + "\n".join(lines) + "\n", encoding="utf-8")
    assert main(["questionnaire", "check", str(path)]) == 0
    assert capsys.readouterr().err == ""
    assert (
        loads(POLISH.replace('"pl"', '"xx"').replace(".pl", ".xx")).ui["xx"]["language.name"]
        == "xx"
    )  # unknown code: the code itself


# --- broken questionnaires as a new author writes them (QA, the real console script) ------------


BASE = """\
id = "qa-bad"
version = 1
languages = ["en", "ru"]
default_language = "en"

[consent]
text.en = "t"
text.ru = "т"
accept.en = "a"
accept.ru = "а"
decline.en = "d"
decline.ru = "д"
"""


def question(qid: str, kind: str, *extra: str) -> str:
    """One [[questions]] table with both prompts and ``extra`` lines."""
    lines = ["", "[[questions]]", f'id = "{qid}"', f'type = "{kind}"']
    lines += ['prompt.en = "p"', 'prompt.ru = "п"', *extra]
    return "\n".join(lines) + "\n"


OPT = '{ id = "x", label.en = "X", label.ru = "Х" }'


# name -> (file text, fragments that must each appear in some error line)
CASES: dict[str, tuple[str, list[str]]] = {
    "missing_translation": (
        BASE + question("a", "text").replace('prompt.ru = "п"\n', ""),
        ["question 'a': field 'prompt.ru'"],
    ),
    "missing_option_label": (
        BASE + question("a", "choice", 'options = [ { id = "x", label.en = "X" } ]'),
        ["question 'a': field 'options[1].label.ru'"],
    ),
    "duplicate_ids": (
        BASE + question("a", "text") + question("a", "yes_no"),
        ["question 'a': field 'id'"],
    ),
    "when_later": (
        BASE
        + question("a", "text", 'when = { question = "b", answered = true }')
        + question("b", "text"),
        ["question 'a': field 'when.question'"],
    ),
    "when_unknown": (
        BASE + question("a", "text", 'when = { question = "nope", answered = true }'),
        ["question 'a': field 'when.question'"],
    ),
    "choice_without_options": (BASE + question("a", "choice"), ["question 'a': field 'options'"]),
    "unknown_type": (BASE + question("a", "essay"), ["question 'a': field 'type'"]),
    "bad_toml": (BASE + '[[questions]\nid = "a"\n', ["invalid TOML"]),
    "required_string": (
        BASE + question("a", "text", 'required = "yes"'),
        ["question 'a': field 'required'"],
    ),
    "max_length_negative": (
        BASE + question("a", "text", "max_length = -1"),
        ["question 'a': field 'max_length'"],
    ),
    "options_as_table": (
        BASE + question("a", "choice", "[questions.options]", f"x = {OPT}"),
        ["question 'a': field 'options'"],
    ),
    "languages_empty": (
        BASE.replace('["en", "ru"]', "[]") + question("a", "text"),
        ["field 'languages'"],
    ),
    "default_language_not_listed": (
        BASE.replace('default_language = "en"', 'default_language = "de"') + question("a", "text"),
        ["field 'default_language'"],
    ),
    "several_problems": (
        BASE
        + question("a", "text", "max_length = 0")
        + question("b", "nosuchtype")
        + question("c", "choice", "options = []")
        + question("d", "text", 'when = { question = "a", equals = true }', 'promt.en = "x"'),
        [
            "question 'a': field 'max_length'",
            "question 'b': field 'type'",
            "question 'c': field 'options'",
            "question 'd': field 'promt'",
        ],
    ),
    "min_greater_than_max": (
        BASE + question("a", "number", "min = 10", "max = 1"),
        ["question 'a': field 'min'"],
    ),
    "not_utf8": ("\udcff", ["cannot read file"]),
    "empty_file": ("", ["field 'id'", "field 'questions'"]),
    # found by QA: an infinite bound is accepted and the witness reads "from 1.5 to inf"
    "number_bound_infinite": (
        BASE + question("a", "number", "min = 1.5", "max = inf"),
        ["question 'a': field 'max'"],
    ),
    # found by QA: `in` must be a list whatever it refers to; only the unknown question is reported
    "when_in_string_and_unknown_question": (
        BASE + question("a", "text", 'when = { question = "zz", in = "x" }'),
        ["field 'when.question'", "field 'when.in'"],
    ),
}


_LINE = re.compile(r"^intake: error: (?P<file>[^:]+\.toml)(?::\d+)?: (?P<rest>.+)$")


def write(tmp_path: Path, name: str, text: str) -> Path:
    """The case's file; ``\\udcff`` stands for bytes that are not UTF-8."""
    path = tmp_path / f"{name}.toml"
    if text == "\udcff":
        path.write_bytes(b"\xff\xfe\x00id = 1")
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_lists_every_problem(tmp_path: Path, name: str) -> None:
    text, fragments = CASES[name]
    path = write(tmp_path, name, text)
    proc = run_cli("questionnaire", "check", path)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 1, proc.stdout
    lines = proc.stderr.splitlines()
    errors = [line for line in lines if line.startswith("intake: error:")]
    assert errors, proc.stderr
    for line in errors:
        match = _LINE.match(line)
        assert match is not None, line
        assert match["file"] == str(path), line
    assert lines[-1].startswith(f"intake: hint: {len(errors)} problem"), lines[-1]
    for fragment in fragments:
        assert any(fragment in line for line in errors), (fragment, errors)


def test_messages_do_not_show_python_none(tmp_path: Path) -> None:
    """A missing field reads "unknown type None" / "None is not one of languages []" (loader)."""
    path = write(tmp_path, "missing", BASE.replace('default_language = "en"\n', "") + "")
    path.write_text(
        path.read_text() + '\n[[questions]]\nid = "a"\nprompt.en = "p"\nprompt.ru = "п"\n'
    )
    proc = run_cli("questionnaire", "check", path)
    assert proc.returncode == 1
    assert "None" not in proc.stderr, proc.stderr


def test_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    proc = run_cli("questionnaire", "check", tmp_path / "nope.toml")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"intake: error: {tmp_path / 'nope.toml'}: cannot read file")


@pytest.mark.parametrize("name", ["qa_be_only", "qa_every_type", "qa_tiny", "qa_unicode"])
def test_check_accepts_new_questionnaire(name: str) -> None:
    proc = run_cli("questionnaire", "check", QUESTIONNAIRES / f"{name}.toml")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(name.replace("_", "-"))


def test_check_summary_is_grammatical_for_one() -> None:
    """'1 questions, 1 languages' reads like a bug to a new user (questionnaire.model.summary)."""
    proc = run_cli("questionnaire", "check", QUESTIONNAIRES / "qa_tiny.toml")
    assert "1 question," in proc.stdout, proc.stdout
    assert "1 language " in proc.stdout, proc.stdout
