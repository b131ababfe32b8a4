"""``intake questionnaire check`` and the example in docs/questionnaire.md."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from intake.cli import main
from intake.questionnaire import loads

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "questionnaires"


def test_check_prints_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questionnaire", "check", str(HERE / "sample.toml")]) == 0
    out = capsys.readouterr().out
    assert out == "sample v2: 9 questions, 2 languages (en, ru), 5 branches\n"


def test_check_prints_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questionnaire", "check", str(HERE / "bad" / "many_problems.toml")]) == 1
    err = capsys.readouterr().err.splitlines()
    errors = [line for line in err if line.startswith("intake: error: ")]
    assert len(errors) == 5
    assert all("many_problems.toml: question 'a': field '" in line for line in errors)
    assert err[-1].startswith("intake: hint: 5 problems")


def test_check_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questionnaire", "check", str(HERE / "nope.toml")]) == 1
    assert "cannot read file" in capsys.readouterr().err


def test_the_documented_example_loads() -> None:
    doc = (ROOT / "docs" / "questionnaire.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", doc, flags=re.DOTALL)
    example = max(blocks, key=len)
    q = loads(example, "docs/questionnaire.md")
    assert q.summary() == "detention v3: 4 questions, 2 languages (en, ru), 2 branches"
    assert q.ui["en"]["buttons.submit"] == "Send to the team"


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
    english = tomllib.loads((ROOT / "intake" / "data" / "ui" / "en.toml").read_text("utf-8"))
    lines = ["[ui.pl]"] + [
        f"{table}.{key} = {json.dumps(text)}"
        for table, keys in english.items()
        for key, text in keys.items()
    ]
    path = tmp_path / "pl.toml"
    path.write_text(POLISH + "\n".join(lines) + "\n", encoding="utf-8")
    assert main(["questionnaire", "check", str(path)]) == 0
    assert capsys.readouterr().err == ""
    assert (
        loads(POLISH.replace('"pl"', '"xx"').replace(".pl", ".xx")).ui["xx"]["language.name"]
        == "xx"
    )  # unknown code: the code itself
