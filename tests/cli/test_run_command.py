"""``intake run`` refusing to start: one ``intake: error:`` line per configuration problem, exit 2,
the token never echoed (the real console script in an empty folder)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.cli import FAKE_TOKEN, assert_clean_failure, run_cli

RECIPIENT = "age1nhxge2rehuq3kn9gdq5plpvj3vx9l9m4ewt9mue4fx2k3secx3ds22c8xa"


UNREACHABLE = "http://127.0.0.1:9"


def run_bot(tmp_path: Path, **env: str) -> str:
    """``intake run`` with ``env`` in an empty working folder; its output, after common checks."""
    proc = run_cli("run", env=env, cwd=tmp_path, timeout=30)
    output = proc.stdout + proc.stderr
    assert FAKE_TOKEN not in output
    assert FAKE_TOKEN.split(":")[1] not in output
    assert_clean_failure(proc, 2)
    for line in proc.stderr.splitlines():
        assert line.startswith(("intake: error:", "intake: hint:")), line
    return proc.stderr


def test_run_with_nothing_configured(tmp_path: Path) -> None:
    err = run_bot(tmp_path)
    assert "TELEGRAM_BOT_TOKEN" in err
    assert "INTAKE_RECIPIENTS" in err


def test_run_lists_every_config_problem(tmp_path: Path) -> None:
    err = run_bot(
        tmp_path,
        TELEGRAM_BOT_TOKEN=FAKE_TOKEN,
        INTAKE_RECIPIENTS="age1bad",
        INTAKE_HTTP_ADDR="nope",
        INTAKE_LOG_LEVEL="LOUD",
        INTAKE_LOG_FORMAT="xml",
        TELEGRAM_API_BASE_URL="ftp://x",
    )
    for name in ("INTAKE_RECIPIENTS", "INTAKE_HTTP_ADDR", "INTAKE_LOG_LEVEL", "INTAKE_LOG_FORMAT"):
        assert name in err
    assert "TELEGRAM_API_BASE_URL" in err


def test_run_refuses_plain_http_to_a_remote_bot_api_server(tmp_path: Path) -> None:
    err = run_bot(
        tmp_path,
        TELEGRAM_BOT_TOKEN=FAKE_TOKEN,
        INTAKE_RECIPIENTS=RECIPIENT,
        TELEGRAM_API_BASE_URL="http://bot-api.example.org:8081",
    )
    assert "intake: error: TELEGRAM_API_BASE_URL is plain http to bot-api.example.org" in err
    assert "use https://" in err


def test_run_refuses_secret_key_and_token_in_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={FAKE_TOKEN}\nINTAKE_RECIPIENTS=AGE-SECRET-KEY-1QQQQQQQQQQ\n"
    )
    (tmp_path / ".env").chmod(0o600)
    err = run_bot(tmp_path)
    assert "private key" in err


def test_run_bad_questionnaire_reported_with_other_problems(tmp_path: Path) -> None:
    """With another config problem the questionnaire's problems are not shown: the operator
    fixes one thing, restarts, and only then learns about the next (bot/app.py, intake/config)."""
    bad = tmp_path / "q.toml"
    bad.write_text('id = "x"\n')
    err = run_bot(
        tmp_path, TELEGRAM_BOT_TOKEN=FAKE_TOKEN, INTAKE_QUESTIONNAIRE=str(bad), INTAKE_LOG_LEVEL="X"
    )
    assert "INTAKE_LOG_LEVEL" in err
    assert "q.toml" in err


def test_run_unusable_data_dir_names_it(tmp_path: Path) -> None:
    """A data dir that cannot be created prints just "intake: error: Not a directory"
    (bot/app.py main: `except OSError` drops the path and the variable)."""
    (tmp_path / "afile").write_text("")
    data_dir = tmp_path / "afile" / "sub"
    err = run_bot(
        tmp_path,
        TELEGRAM_BOT_TOKEN=FAKE_TOKEN,
        INTAKE_RECIPIENTS=RECIPIENT,
        INTAKE_DATA_DIR=str(data_dir),
        TELEGRAM_API_BASE_URL=UNREACHABLE,
    )
    assert "INTAKE_DATA_DIR" in err or str(data_dir) in err, err


def _run(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake", "run"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_misconfiguration_is_one_line_per_problem_and_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "TELEGRAM_"))}
    env["TELEGRAM_BOT_TOKEN"] = "12345:short-and-wrong-SECRETPART"
    env["INTAKE_LOG_LEVEL"] = "LOUD"
    result = _run(env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 3  # token, recipients, log level
    assert all(line.startswith("intake: error: ") for line in lines)
    assert "SECRETPART" not in result.stderr + result.stdout
