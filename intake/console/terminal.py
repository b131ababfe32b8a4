"""The console channel: a second channel over the same service, for ``intake demo``.

It renders :class:`~intake.channel.Prompt` objects as numbered text and turns what a person
types into events — which keeps the line between channels and the engine honest: anything the
Telegram bot can do, the terminal does through the very same :class:`~intake.service.IntakeService`.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from intake.channel import Command, Event, Location, Press, Prompt, Text
from intake.submission.names import FALLBACK_MIME

_GEO = re.compile(r"^geo:\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)$")
_BUTTON = re.compile(r"^#\s*(\d{1,3})$")
_COMMANDS = {"/cancel": "cancel", "/back": "back", "/skip": "skip", "/help": "help"}
_COMMANDS |= {"/language": "language", "/review": "review", "/submit": "submit"}
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Wipe:
    """/delete (``quick`` False) or /x (``quick`` True): destroy the draft at once, as the
    Telegram bot does — no question asked."""

    quick: bool


def typed_answers(prompt: Prompt) -> bool:
    """Whether a typed line can be an answer here (a number at a number question is one): then
    buttons are pressed with ``#N``, never with a bare number."""
    return prompt.expects in ("text", "voice")


def render(prompt: Prompt, out: TextIO, *, speaker: str = "bot") -> None:
    """Print a prompt: notice first, then the text, then the buttons numbered from 1 (``[#1]``
    where a typed number would be an answer). The current choice is marked ✓."""
    lines: list[str] = []
    if prompt.notice:
        lines.append(f"! {prompt.notice}")
    lines.extend(prompt.text.splitlines() or [""])
    number = 0
    sign = "#" if typed_answers(prompt) else ""
    for row in prompt.buttons:
        cells = []
        for button in row:
            number += 1
            mark = "✓ " if button.selected else ""
            cells.append(f"[{sign}{number}] {mark}{button.label}")
        lines.append("   ".join(cells))
    out.write("\n".join(f"{speaker} │ {line}" for line in lines) + "\n")
    out.flush()


def button_tokens(prompt: Prompt) -> list[str]:
    """The tokens of the prompt's buttons in the order :func:`render` numbers them."""
    return [button.token for row in prompt.buttons for button in row]


def parse_line(line: str, prompt: Prompt) -> Event | Path | Wipe | None:
    """What a typed line means: a button (``#N``, or a bare number where a number cannot be an
    answer), a command, ``geo:LAT,LON``, ``file:PATH`` (returned as a :class:`Path` for the
    caller to attach), /delete or /x (a :class:`Wipe`), or free text. ``None`` for nothing."""
    text = line.strip()
    if not text:
        return None
    tokens = button_tokens(prompt)
    pressed = _BUTTON.match(text)
    if pressed is None and text.isdigit() and not typed_answers(prompt):
        pressed = re.match(r"(\d+)", text)
    if pressed is not None and 1 <= int(pressed.group(1)) <= len(tokens):
        return Press(tokens[int(pressed.group(1)) - 1])
    if text.lower() in ("/delete", "/x"):
        return Wipe(quick=text.lower() == "/x")
    if text.lower() in _COMMANDS:
        return Command(_COMMANDS[text.lower()])  # type: ignore[arg-type]
    geo = _GEO.match(text)
    if geo:
        return Location(float(geo.group(1)), float(geo.group(2)))
    if text.startswith("file:"):
        return Path(text[5:].strip()).expanduser()
    return Text(line.rstrip("\n"))


def guess_mime(path: Path) -> str:
    """The file's MIME type by its name (the server never trusts it for anything but display)."""
    return mimetypes.guess_type(path.name)[0] or FALLBACK_MIME


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    """Read a local file in chunks, so an attachment is never held whole in memory."""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


async def bytes_chunks(data: bytes) -> AsyncIterator[bytes]:
    """Chunks of an in-memory sample file (the scripted demo's attachments)."""
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]
