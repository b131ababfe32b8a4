"""QA helpers (no tests here): play a questionnaire through the real service with chosen answers.

A :class:`Player` is a new user's witness: it reads only the prompt (stage, question id, button
labels) and answers from a script keyed by question id, recording the order questions were asked.
The other helpers open what was sealed, as staff would, with the library or the real CLI.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import crypto
from intake.channel import Event, Location, Media, Press, Prompt, Reply, Start, Text
from intake.questionnaire import Questionnaire
from intake.service import IntakeService

HERE = Path(__file__).parent
QA_DIR = HERE / "questionnaires"
INTAKE = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "intake"
FAKE_TOKEN = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
PASSPHRASE = "correct horse battery staple"


@dataclass(frozen=True, slots=True)
class Skip:
    """Script value: press Skip on this question."""


@dataclass(frozen=True, slots=True)
class Files:
    """Script value: send these (filename, mime, bytes) files, then press Done."""

    items: tuple[tuple[str, str, bytes], ...]


Answer = str | bool | list[str] | Location | Skip | Files | tuple[str, str]
# a str answers text/long_text/date/number questions; ("choice", option_id) presses an option.


def tokens(prompt: Prompt) -> list[str]:
    """Every button token of a prompt, in order."""
    return [b.token for row in prompt.buttons for b in row]


def find(prompt: Prompt, action: str, arg: str | None = None) -> str | None:
    """The first token with ``action`` (and ``arg``), or None."""
    for token in tokens(prompt):
        parts = token.split(".")
        if parts[1] == action and (arg is None or (len(parts) > 2 and parts[2] == arg)):
            return token
    return None


def press_label(prompt: Prompt, label: str) -> Press:
    """Press the button whose label is exactly ``label`` (ignoring a ✓ mark)."""
    for row in prompt.buttons:
        for button in row:
            if button.label.removeprefix("✓ ").strip() == label.strip():
                return Press(button.token)
    raise AssertionError(f"no button {label!r} in {[b.label for r in prompt.buttons for b in r]}")


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    """The bytes in 50 kB pieces, as a channel streams a download."""
    for i in range(0, len(data), 50_000):
        yield data[i : i + 50_000]


@dataclass
class Player:
    """Plays one conversation from Start to submit with a script of answers by question id."""

    svc: IntakeService
    q: Questionnaire
    script: dict[str, Answer]
    language: str
    key: str = "qa-witness"
    asked: list[str] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    _sent: set[str] = field(default_factory=set)

    async def send(self, event: Event) -> Reply:
        """Handle one event and remember the reply."""
        reply = await self.svc.handle(self.key, event)
        self.replies.append(reply)
        return reply

    async def send_start(self, hint: str | None = None) -> Reply:
        """Send Start (``/start``) with the channel's language hint."""
        return await self.send(Start(language_hint=hint))

    async def to_review(self, hint: str | None = None) -> Reply:
        """From Start through language, consent and every question, to the review prompt."""
        return await self.continue_to_review(await self.send_start(hint))

    async def continue_to_review(self, reply: Reply) -> Reply:
        """Answer prompts from ``reply`` on until the review prompt."""
        for _ in range(300):
            prompt = reply.prompt
            assert reply.outcome in ("continue", "rejected"), reply
            assert reply.outcome != "rejected", (prompt.question_id, prompt.notice)
            if prompt.stage == "review":
                return reply
            reply = await self.send(await self.event_for(prompt))
        raise AssertionError("did not reach the review in 300 steps")

    async def submit(self, hint: str | None = None) -> Reply:
        """Play to the review, then press Submit."""
        return await self.submit_from(await self.to_review(hint))

    async def submit_from(self, review: Reply) -> Reply:
        """Press Submit on the review prompt."""
        submit = find(review.prompt, "sub")
        assert submit is not None, tokens(review.prompt)
        return await self.send(Press(submit))

    async def event_for(self, prompt: Prompt) -> Event:
        """The scripted event for ``prompt``."""
        if prompt.stage == "language":
            token = find(prompt, "l", self.language)
            assert token is not None, tokens(prompt)
            return Press(token)
        if prompt.stage == "consent":
            return Press(find(prompt, "acc") or "")
        qid = prompt.question_id
        assert prompt.stage == "question", prompt
        assert qid is not None, prompt
        if not self.asked or self.asked[-1] != qid:
            self.asked.append(qid)
        return await self._answer(prompt, qid, self.script.get(qid, Skip()))

    async def _answer(self, prompt: Prompt, qid: str, answer: Answer) -> Event:
        kind = self.q.question(qid).type
        if isinstance(answer, Skip):
            return Press(find(prompt, "skip") or "")
        if isinstance(answer, Files):
            if qid not in self._sent:
                self._sent.add(qid)
                for name, mime, data in answer.items:
                    ref = await self.svc.add_attachment(
                        self.key, chunks(data), filename=name, mime=mime, max_bytes=5 << 20
                    )
                    reply = await self.send(Media(ref))
                    assert reply.outcome == "continue", reply.prompt.notice
                    prompt = reply.prompt
            return Press(find(prompt, "done") or "")
        if isinstance(answer, Location):
            return answer
        if isinstance(answer, bool):
            return Press(find(prompt, "yes" if answer else "no") or "")
        if isinstance(answer, tuple):
            return press_label(prompt, self._label(qid, answer[1]))
        if isinstance(answer, list):
            chosen = {b.label.removeprefix("✓ ") for r in prompt.buttons for b in r if b.selected}
            for option_id in answer:
                label = self._label(qid, option_id)
                if label not in chosen:
                    return press_label(prompt, label)
            return Press(find(prompt, "done") or "")
        assert kind in ("text", "long_text", "date", "number", "location"), kind
        return Text(answer)

    def _label(self, qid: str, option_id: str) -> str:
        for option in self.q.question(qid).options:
            if option.id == option_id:
                return option.label[self.language]
        raise AssertionError(f"{qid} has no option {option_id}")


def open_members(path: Path, identity: crypto.Identity) -> list[tuple[tarfile.TarInfo, bytes]]:
    """Decrypt a sealed submission with the library; its tar members in order."""
    with path.open("rb") as f:
        plain = crypto.decrypt(f, [identity]).read()
    members: list[tuple[tarfile.TarInfo, bytes]] = []
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
        for info in tar:
            extracted = tar.extractfile(info)
            members.append((info, extracted.read() if extracted else b""))
    return members


def run_cli(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: int = 60
) -> subprocess.CompletedProcess[str]:
    """Run the real ``intake`` console script; env is added to a minimal clean environment."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd or HERE)}
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
