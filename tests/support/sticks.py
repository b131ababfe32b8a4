"""Helpers (no tests here) for hostile-stick tests: stock ``age``, real ``intake`` processes, tmpfs.

Hostile files are made the way an attacker would: a tar built by hand and sealed with the stock
``age`` CLI (``/usr/bin/age``) to a key made by stock ``age-keygen``. Sealed submissions of a real
server come from the real service (:func:`seed_server`). Every ``intake`` run is a subprocess of
this venv's interpreter, in a clean environment, with a timeout (a FIFO must never hang it).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import crypto
from intake.channel import Press, Prompt, Start, Text
from intake.questionnaire import load
from intake.service import IntakeService
from intake.store import Store
from tests.support.loopfs import cannot_mount
from tests.support.paths import QUESTIONNAIRES

TINY = QUESTIONNAIRES / "qa_tiny.toml"


@dataclass(frozen=True, slots=True)
class StaffKey:
    """A key made by stock ``age-keygen``: the identity file and its recipient."""

    identity: Path
    recipient: str


def age_keygen(folder: Path) -> StaffKey:
    """A fresh X25519 key made by ``age-keygen``."""
    path = folder / "staff.key"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    recipient = subprocess.run(
        ["age-keygen", "-y", str(path)], check=True, capture_output=True, text=True
    ).stdout.strip()
    return StaffKey(path, recipient)


def age_seal(plaintext: bytes, recipient: str, dst: Path) -> Path:
    """``age -r RECIPIENT -o DST`` with ``plaintext`` on stdin."""
    subprocess.run(
        ["age", "-r", recipient, "-o", str(dst)], input=plaintext, check=True, capture_output=True
    )
    return dst


def tar_of(members: dict[str, bytes]) -> bytes:
    """An uncompressed tar of regular files, in order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def submission(submission_id: str, **extra: Any) -> dict[str, Any]:
    """A valid v1 submission with one text answer (no attachments)."""
    return {
        "format": "witness-intake/submission/v1",
        "submission_id": submission_id,
        "receipt": "K7QX-29MD",
        "questionnaire": {"id": "qa-tiny", "version": 1},
        "language": "en",
        "submitted_at": "2026-11-25T14:03:07Z",
        "answers": [{"question_id": "only", "type": "text", "prompt": "Tell us.", "value": "x"}],
        "attachments": [],
        **extra,
    }


def seal_json_text(text: str, recipient: str, dst: Path) -> Path:
    """Seal a tar whose ``submission.json`` is exactly ``text`` (hostile or not)."""
    return age_seal(tar_of({"submission.json": text.encode("utf-8")}), recipient, dst)


def seal_submission(sub: dict[str, Any], recipient: str, dst: Path) -> Path:
    """Seal a submission dict as stock tools would."""
    return seal_json_text(json.dumps(sub, ensure_ascii=False), recipient, dst)


def intake(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m intake ARGS`` (this venv) in a clean environment; fails on a hang."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd)}
    if "PYTHONPATH" in os.environ:  # lets the same tests run against another checkout
        base["PYTHONPATH"] = os.environ["PYTHONPATH"]
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "intake", *map(str, args)],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "8m") -> Iterator[Path]:
    """A real, small tmpfs mounted at ``path`` (a USB stick stand-in that can fill up)."""
    if os.geteuid() != 0:
        cannot_mount("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


async def seed_server(data: Path, recipient: str, count: int) -> list[str]:
    """Run ``count`` real conversations through the service; the ids of the sealed files."""
    store = await Store.open(data)
    try:
        svc = IntakeService(store, load(TINY), [crypto.parse_recipient(recipient)])
        for n in range(count):
            await _play(svc, f"witness-{n}")
        return [row.submission_id for row in await store.outbox.rows()]
    finally:
        await store.close()


async def _play(svc: IntakeService, key: str) -> None:
    reply = await svc.handle(key, Start())
    for _ in range(20):
        prompt = reply.prompt
        if reply.outcome == "submit":
            return
        if prompt.stage == "question":
            event: Press | Text = Text("They held us for three days.")
        else:
            action = {"language": "l", "consent": "acc", "review": "sub"}[prompt.stage]
            event = Press(_token(prompt, action))
        reply = await svc.handle(key, event)
    raise AssertionError("the tiny questionnaire did not reach submit")


def _token(prompt: Prompt, action: str) -> str:
    for row in prompt.buttons:
        for button in row:
            if button.token.split(".")[1] == action:
                return button.token
    raise AssertionError(f"no {action!r} button in {prompt.stage}")


def error_lines(stderr: str) -> list[str]:
    """The ``intake: error:`` lines of a run."""
    return [line for line in stderr.splitlines() if line.startswith("intake: error:")]
