"""Running the real ``intake`` console script as a new user would, and judging its failures."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from intake.cli import main
from tests.support.paths import ROOT

INTAKE = Path(sys.executable).with_name("intake")  # the console script of this venv
FAKE_TOKEN = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
PASSPHRASE = "correct horse battery staple"


def run_cli(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: int = 60
) -> subprocess.CompletedProcess[str]:
    """Run the real ``intake`` console script; env is added to a minimal clean environment."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd or ROOT / "tests")}
    base.update(env or {})
    return subprocess.run(
        [str(INTAKE), *map(str, args)],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def assert_clean_failure(proc: subprocess.CompletedProcess[str], code: int | None = None) -> None:
    """A failure a new user can read: non-zero exit, an ``intake: error:`` line, no traceback."""
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output
    assert proc.returncode != 0, output
    if code is not None:
        assert proc.returncode == code, (proc.returncode, output)
    assert "intake: error:" in proc.stderr, output


def run_main(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """``intake ARGV…`` in this process; (exit code, stdout, stderr)."""
    rc = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def assert_one_failure(rc: int, err: str, name: str, kind: str, out: Path) -> None:
    """``intake decrypt`` failed for exactly one file, ``name``, for ``kind``; ``out`` is empty."""
    assert rc == 1
    lines = [ln for ln in err.splitlines() if ln.startswith("intake: error:")]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"intake: error: {name}: {kind}"), lines[0]
    assert not out.exists() or list(out.iterdir()) == []


async def in_thread(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command function off this test's event loop (it runs its own with asyncio.run)."""
    return await asyncio.to_thread(command, args)
