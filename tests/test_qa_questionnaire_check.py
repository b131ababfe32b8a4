"""QA: broken questionnaires as a new author writes them → ``intake questionnaire check`` output.

Every variant must exit 1, list every problem as ``intake: error: FILE: [question 'ID': ]field
'F': …`` (then one hint line counting them), and never show a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_qa_support import run_cli

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
