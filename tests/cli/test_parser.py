"""The ``intake`` command shell: every contract subcommand exists, failures end in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from intake import cli

CONTRACT = ["run", "demo", "keygen", "decrypt", "export", "ack", "status", "questionnaire check"]


@pytest.mark.parametrize("command", CONTRACT)
def test_every_contract_subcommand_resolves_to_a_function(command: str) -> None:
    argv = {
        "keygen": ["keygen", "--out", "k"],
        "decrypt": ["decrypt", "x.age", "-i", "k", "--out", "o"],
        "export": ["export", "--out", "o"],
        "ack": ["ack", "r.json"],
        "questionnaire check": ["questionnaire", "check", "q.toml"],
    }.get(command, [command])
    args = cli.build_parser().parse_args(argv)
    assert callable(cli.parser.command_of(args))


def test_unexpected_failure_is_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(_args: object) -> int:
        raise RuntimeError("secret detail from a file")

    monkeypatch.setattr(cli.parser, "command_of", lambda _args: boom)
    monkeypatch.delenv("INTAKE_DEBUG", raising=False)
    assert cli.main(["status"]) == 70
    err = capsys.readouterr().err
    assert "intake: error: unexpected RuntimeError in 'status'" in err
    assert "secret detail" not in err
    assert "Traceback" not in err


def test_help_lists_the_subcommands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "intake", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("run", "demo", "keygen", "decrypt", "export", "ack", "status", "questionnaire"):
        assert command in out
