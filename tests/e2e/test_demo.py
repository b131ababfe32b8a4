"""``intake demo``: the scripted round trip and a person at the terminal (interactive)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import QUESTIONNAIRES


def _run_demo(
    tmp_path: Path, *extra: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "intake", "demo", "--keep", str(tmp_path / "demo"), *extra],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_scripted_demo_round_trip_reads_back_every_file(tmp_path: Path) -> None:
    result = _run_demo(tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout[-2000:]
    reports = tmp_path / "demo" / "reports"
    (submission_dir,) = [p for p in reports.iterdir() if p.is_dir() and p.name[0] != "."]
    sub = json.loads((submission_dir / "submission.json").read_text())
    assert sub["format"] == "witness-intake/submission/v1"
    assert len(sub["attachments"]) == 2
    for att in sub["attachments"]:
        assert (submission_dir / att["path"]).stat().st_size == att["size"]
    assert "report.html" in result.stdout
    assert (submission_dir / "report.html").is_file()
    receipt = json.loads((reports / "receipt.json").read_text())
    assert [e["id"] for e in receipt["decrypted"]] == [sub["submission_id"]]
    # the server acknowledged it: nothing sealed is left in its outbox
    assert not list((tmp_path / "demo" / "server-data" / "outbox").glob("*.age"))


def test_interactive_person_answers_in_russian_and_submits(tmp_path: Path) -> None:
    # 3 = Русский, 1 = accept consent, one typed answer, then skip the rest and submit
    lines = ["3", "1", "1", "Меня задержали у метро.", *["/skip"] * 30, "/submit"]
    result = _run_demo(tmp_path, "--interactive", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Выберите язык" in result.stdout
    reports = tmp_path / "demo" / "reports"
    (submission_dir,) = [p for p in reports.iterdir() if p.is_dir() and p.name[0] != "."]
    sub = json.loads((submission_dir / "submission.json").read_text())
    assert sub["language"] == "ru"
    values = [a["value"] for a in sub["answers"] if not a.get("skipped")]
    assert "Меня задержали у метро." in values


def test_interactive_end_of_input_submits_nothing(tmp_path: Path) -> None:
    result = _run_demo(tmp_path, "--interactive", stdin="1\n1\n")
    assert result.returncode == 1
    assert not (tmp_path / "demo" / "reports").exists()


def test_interactive_cancel_wipes_the_draft(tmp_path: Path) -> None:
    result = _run_demo(tmp_path, "--interactive", stdin="1\n1\n/cancel\n")
    assert result.returncode == 1
    assert "nothing was submitted" in result.stdout


@pytest.mark.parametrize(
    "name", ["qa_be_only.toml", "qa_every_type.toml", "qa_tiny.toml", "qa_unicode.toml"]
)
def test_demo_plays_questionnaires_it_has_never_seen(tmp_path: Path, name: str) -> None:
    path = QUESTIONNAIRES / name
    result = _run_demo(tmp_path, "--questionnaire", str(path))
    assert result.returncode == 0, result.stderr + result.stdout[-2000:]
    (submission_dir,) = [
        p for p in (tmp_path / "demo" / "reports").iterdir() if p.is_dir() and p.name[0] != "."
    ]
    sub = json.loads((submission_dir / "submission.json").read_text())
    assert any(not a.get("skipped") for a in sub["answers"])


def test_demo_reports_a_broken_questionnaire_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\nversion = 1\nlanguages = ["en"]\n')
    result = _run_demo(tmp_path, "--questionnaire", str(bad))
    assert result.returncode == 2
    assert "intake: error:" in result.stderr
    assert "Traceback" not in result.stderr
