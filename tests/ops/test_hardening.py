"""Process hygiene, checked on real processes: no core dumps whatever the shell's ulimit (and not
for a child either), not dumpable, umask 077 — for ``intake run`` and ``intake decrypt``."""

from __future__ import annotations

import asyncio
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import crypto
from intake.ops import hardening
from tests.support.cli import run_main
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.process import intake_env, intake_run_process
from tests.support.submissions import seal_submission

CHILD = """
import os, resource, subprocess
from intake.ops.hardening import dumpable, harden
print(resource.getrlimit(resource.RLIMIT_CORE), dumpable(), flush=True)
print(harden(), flush=True)
print(resource.getrlimit(resource.RLIMIT_CORE), dumpable(), oct(os.umask(0o077)), flush=True)
print(subprocess.run(["sh", "-c", "ulimit -c; ulimit -Hc; umask"], capture_output=True,
                     text=True, check=True).stdout.split(), flush=True)
"""


def _unlimited_core() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    os.umask(0o022)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_harden_overrides_the_shell_and_binds_children() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True,
        preexec_fn=_unlimited_core,  # as from a shell with `ulimit -c unlimited`
    ).stdout.splitlines()  # fmt: skip
    infinity = resource.RLIM_INFINITY
    assert out[0] == f"({infinity}, {infinity}) True"  # the control: it starts dumpable
    assert out[1] == "[]"  # nothing left undone
    assert out[2] == "(0, 0) False 0o77"
    assert out[3] == "['0', '0', '0077']"  # a child cannot raise the hard limit again


async def test_intake_run_is_hardened(
    fake: FakeBotApi, tmp_path: Path, staff: crypto.Identity
) -> None:
    env = intake_env(fake, tmp_path, staff)
    async with intake_run_process(fake, tmp_path, env) as proc:
        limits = await asyncio.to_thread(Path(f"/proc/{proc.pid}/limits").read_text)
        status = await asyncio.to_thread(Path(f"/proc/{proc.pid}/status").read_text)
    core = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
    assert core.split()[4:6] == ["0", "0"]
    assert "Umask:\t0077" in status
    for path in (tmp_path / "data").rglob("*"):  # what it wrote is private whatever it asked
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_decrypt_writes_private_reports_and_restores_the_umask(
    tmp_path: Path, staff_key: Path, staff: crypto.Identity, capsys: Any
) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    before = os.umask(0o022)
    try:
        rc, _, _ = run_main(capsys, "decrypt", sealed, "-i", staff_key, "--out", tmp_path / "o")
        assert os.umask(0o022) == 0o022  # an in-process caller keeps its own umask
    finally:
        os.umask(before)
    assert rc == 0
    written = list((tmp_path / "o").rglob("*"))
    assert any(p.name == "report.html" for p in written)
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert hardening.dumpable() in (False, None)  # (this test process ran it)
