"""Test support (no tests here): a simulated witness for the default questionnaire, and helpers.

:class:`Witness` drives a conversation the way a person would; it is used by the service, canary,
restart and SIGKILL tests (the latter two import it in their child processes).
"""

from __future__ import annotations

import io
import random
import tarfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import crypto
from intake.channel import Event, Location, Media, Press, Prompt, Reply, Start, Text
from intake.questionnaire import Questionnaire
from intake.service import IntakeService


def tokens_of(prompt: Prompt) -> list[str]:
    """Every button token of a prompt, in order."""
    return [b.token for row in prompt.buttons for b in row]


def find(prompt: Prompt, action: str, arg: str | None = None) -> str | None:
    """The first token with ``action`` (and ``arg``), or None."""
    for token in tokens_of(prompt):
        parts = token.split(".")
        if parts[1] == action and (arg is None or (len(parts) > 2 and parts[2] == arg)):
            return token
    return None


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    for i in range(0, len(data), 50_000):
        yield data[i : i + 50_000]


class Witness:
    """A simulated witness answering every question (text answers carry ``tag``)."""

    def __init__(
        self, q: Questionnaire, key: str, tag: str, *, rng: random.Random, attachment: bytes = b""
    ) -> None:
        self.q, self.key, self.tag, self.rng = q, key, tag, rng
        self.attachment = attachment
        self.uploaded: set[str] = set()
        self.language = rng.choice(q.languages)

    def choose(self, prompt: Prompt) -> Event | None:
        """The next event for ``prompt``; None means "upload the attachment now"."""
        if prompt.stage == "language":
            return Press(find(prompt, "l", self.language) or tokens_of(prompt)[0])
        if prompt.stage == "consent":
            return Press(find(prompt, "acc") or "")
        if prompt.stage == "review":
            return Press(find(prompt, "sub") or "")
        assert prompt.question_id is not None
        qtype = self.q.question(prompt.question_id).type
        picked = find(prompt, "d")
        if picked is not None:
            return Press(picked)  # an ambiguous date: take the first reading
        if qtype in ("text", "long_text"):
            return Text(f"{self.tag} {prompt.question_id} answer")
        if qtype == "date":
            return Text("2020-08-10")
        if qtype == "number":
            return Text(str(self.rng.randint(1, 9)))
        if qtype == "location":
            return Location(53.9, 27.56)
        if qtype == "yes_no":
            return Press(find(prompt, self.rng.choice(["yes", "no"])) or "")
        if qtype == "choice":
            return Press(self.rng.choice([t for t in tokens_of(prompt) if ".o." in t]))
        if qtype == "multi_choice":
            done = find(prompt, "done")
            chosen = any(b.selected for row in prompt.buttons for b in row)
            if chosen and done:
                return Press(done)
            return Press(self.rng.choice([t for t in tokens_of(prompt) if ".o." in t]))
        if qtype == "media":
            if self.attachment and prompt.question_id not in self.uploaded:
                return None
            return Press(find(prompt, "done") or find(prompt, "skip") or "")
        return Press(find(prompt, "skip") or "")

    async def step(self, svc: IntakeService, prompt: Prompt) -> Reply:
        """Answer ``prompt`` with one event (uploading first when a file is due)."""
        event = self.choose(prompt)
        if event is None:
            assert prompt.question_id is not None
            ref = await svc.add_attachment(
                self.key,
                chunks_of(self.attachment),
                filename="../evil name.JPG",
                mime="image/jpeg",
                max_bytes=10 << 20,
            )
            self.uploaded.add(prompt.question_id)
            event = Media(ref)
        return await svc.handle(self.key, event)

    async def run(
        self,
        svc: IntakeService,
        *,
        until: str = "submit",
        between: Callable[[], Awaitable[IntakeService]] | None = None,
    ) -> Reply:
        """Go from Start to the ``until`` outcome ("submit") or stage ("review")."""
        reply = await svc.handle(self.key, Start(language_hint=None))
        for _ in range(200):
            assert reply.outcome != "rejected", reply.prompt.notice
            if reply.outcome == until or reply.prompt.stage == until:
                return reply
            if between is not None:
                svc = await between()
            reply = await self.step(svc, reply.prompt)
        raise AssertionError("conversation did not finish in 200 steps")


def open_sealed(path: Path, identity: crypto.Identity) -> dict[str, bytes]:
    """Decrypt a sealed submission and return its tar members by name (in order)."""
    with path.open("rb") as f:
        plain = crypto.decrypt(f, [identity]).read()
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
        for info in tar:
            extracted = tar.extractfile(info)
            assert extracted is not None
            members[info.name] = extracted.read()
    return members


class Clock:
    """A settable clock passed into store and service."""

    def __init__(self, now: float = 1_764_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
