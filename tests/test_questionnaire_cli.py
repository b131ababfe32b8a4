"""``intake questionnaire check`` and the example in docs/questionnaire.md."""

from __future__ import annotations

import re
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
