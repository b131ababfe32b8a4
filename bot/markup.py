"""Turning the engine's :class:`~intake.channel.Prompt` into Telegram messages.

The engine already speaks the witness's language; rendering only lays it out: the notice first,
the text split into messages of at most 4096 characters, the buttons (one inline keyboard, on the
last message) with ``callback_data`` = the engine's token verbatim, and the hint to send pictures
as files when a media question waits for its first file.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import BotTexts
from intake.channel import Prompt
from intake.engine import tokens

MAX_TEXT = 4096  # Telegram's limit for one message's text


@dataclass(frozen=True)
class Chunk:
    """One message to send: its text and, on the last chunk only, the keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


SELECTED = "✓ "  # marks the current choice on its button
CLOSE = "close"  # callback data of the OK under the thank-you: not an engine token (no revision)


def keyboard(prompt: Prompt) -> InlineKeyboardMarkup | None:
    """The inline keyboard of ``prompt`` (current choices marked ✓), or None without buttons."""
    if not prompt.buttons:
        return None
    rows = [
        [
            InlineKeyboardButton((SELECTED if b.selected else "") + b.label, callback_data=b.token)
            for b in row
        ]
        for row in prompt.buttons
        if row
    ]
    return InlineKeyboardMarkup(rows)


def close_keyboard(label: str) -> InlineKeyboardMarkup:
    """The single OK that removes the message it is on (the thank-you after submitting)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=CLOSE)]])


def full_text(prompt: Prompt, texts: BotTexts) -> str:
    """Everything the witness reads for ``prompt``: notice, the media hint if any, then the text,
    so that what the witness is asked stays the last line. The hint (how to send a photo as a
    file) comes while a media question waits for its first file: not again beside the files
    received, nor under "keep them, or discard them?"."""
    hint = None
    if prompt.expects == "media" and not _actions(prompt) & _PENDING:
        hint = texts("telegram.media_hint", prompt.language)
    parts = [p for p in (prompt.notice, hint, prompt.text) if p and p.strip()]
    return "\n\n".join(parts) or "…"


_PENDING = frozenset({tokens.REMOVE, tokens.SAVE})  # files listed, or "keep them?" asked


def _actions(prompt: Prompt) -> frozenset[str]:
    return frozenset(
        t.action for row in prompt.buttons for b in row if (t := tokens.parse(b.token))
    )


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split ``text`` into pieces ≤ ``limit``, preferring paragraph, then line, then word breaks."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or window.rfind(" ")
        if cut <= limit // 4:  # no good break: cut hard rather than send tiny pieces
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip() or not pieces:
        pieces.append(rest)
    return [p for p in pieces if p.strip()] or ["…"]


def render(prompt: Prompt, texts: BotTexts) -> list[Chunk]:
    """The messages that show ``prompt``; the keyboard rides on the last one."""
    pieces = split_text(full_text(prompt, texts))
    markup = keyboard(prompt)
    return [Chunk(t, markup if i == len(pieces) - 1 else None) for i, t in enumerate(pieces)]
