"""Validating typed input, and showing answers back to the witness.

Each ``read_*`` function returns either the answer value or the notice (in the witness's language)
that re-asks: what was wrong and what would fit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from intake import i18n
from intake.engine.dates import format_date
from intake.questionnaire import AnswerValue, Question, values

_NUMBER_RE = re.compile(r"[+-]?\d+(\.\d+)?")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0/C1 and DEL, but not \t \n
_BIDI_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI
_BIDI_OPENERS = frozenset("\u202a\u202b\u202d\u202e") | _ISOLATES  # LRE RLE LRO RLO + isolates
_PDF, _PDI = "\u202c", "\u2069"


@dataclass(frozen=True, slots=True)
class Read:
    """An answer value (``notice`` None) or a re-ask (``notice`` set)."""

    value: AnswerValue = None
    notice: str | None = None


def clean_text(text: str) -> str:
    """``text`` as it may be stored: control characters removed, bidi controls balanced, trimmed.

    C0/C1 controls other than newline and tab (NUL, ESC, BEL, …) would reach terminals, CSV cells
    and report.html, so they are removed; a line break typed as CR or CRLF becomes ``\n``. The
    bidi embedding/override/isolate controls (U+202A–U+202E, U+2066–U+2069) are kept as typed —
    testimony is stored verbatim — but neutralised: a closer without an opener is dropped and every
    opener left open is closed at the end, so an answer can never reverse the text shown after it
    (its review line, the next cell, the report). Ordinary right-to-left text is untouched.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _balance_bidi(_CONTROL_RE.sub("", text)).strip()


def _balance_bidi(text: str) -> str:
    if not _BIDI_RE.search(text):
        return text
    out: list[str] = []
    stack: list[str] = []
    for char in text:
        if char in _BIDI_OPENERS:
            stack.append(char)
        elif char == _PDF:
            if not stack or stack[-1] in _ISOLATES:
                continue  # closes nothing here: drop it
            stack.pop()
        elif char == _PDI:
            if not any(c in _ISOLATES for c in stack):
                continue
            while stack.pop() not in _ISOLATES:  # a PDI also closes embeddings inside it
                pass
        out.append(char)
    out.extend(_PDI if c in _ISOLATES else _PDF for c in reversed(stack))
    return "".join(out)


def is_blank(text: str) -> bool:
    """Whether nothing visible is left: only whitespace and invisible format characters (e.g.
    zero-width spaces) — such an answer counts as empty."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


def read_text(question: Question, text: str, strings: Mapping[str, str]) -> Read:
    """Free text: cleaned (:func:`clean_text`), not blank, at most ``max_length`` characters."""
    cleaned = clean_text(text)
    if is_blank(cleaned):
        key = "error.empty_required" if question.required else "error.empty"
        return Read(notice=i18n.render(strings, key))
    limit = values.max_length(question)
    if len(cleaned) > limit:
        notice = i18n.render(strings, "error.too_long", length=len(cleaned), max=limit)
        return Read(notice=notice)
    return Read(cleaned)


def read_number(question: Question, text: str, strings: Mapping[str, str]) -> Read:
    """A number (``12``, ``-3``, ``2.5``, ``2,5``, ``1 000``) within the question's bounds."""
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", text)
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if len(cleaned) > 40 or not _NUMBER_RE.fullmatch(cleaned):  # (int() refuses > 4300 digits)
        return Read(notice=i18n.render(strings, "error.not_a_number"))
    number: int | float = float(cleaned) if "." in cleaned else int(cleaned)
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if not math.isfinite(number) or abs(number) > values.MAX_MAGNITUDE:
        return Read(notice=i18n.render(strings, "error.not_a_number"))
    if question.min is not None and number < question.min:
        return Read(notice=i18n.render(strings, "error.number_too_small", min=show(question.min)))
    if question.max is not None and number > question.max:
        return Read(notice=i18n.render(strings, "error.number_too_big", max=show(question.max)))
    return Read(number)


def show(number: float) -> str:
    """A bound as people write it (``5``, not ``5.0``)."""
    return str(int(number)) if float(number).is_integer() else str(number)


def display(
    question: Question,
    value: AnswerValue,
    language: str,
    strings: Mapping[str, str],
    *,
    excerpt: int | None = None,
) -> str:
    """How an answer reads back to the witness (at review, or as "your current answer")."""
    if value is None:
        return i18n.render(strings, "review.skipped")
    if isinstance(value, bool):
        return i18n.render(strings, "buttons.yes" if value else "buttons.no")
    if question.type == "choice" and isinstance(value, str):
        option = question.option(value)
        return option.label[language] if option else value
    if question.type == "multi_choice" and isinstance(value, list):
        labels = [o.label[language] for o in question.options if o.id in value]
        return ", ".join(labels)
    if question.type == "media" and isinstance(value, list):
        return i18n.render(strings, "review.files", count=len(value))
    if question.type == "date" and isinstance(value, str):
        return format_date(value, strings)
    if isinstance(value, dict):
        place = values.place_text(value)
        if place is None:
            return i18n.render(strings, "review.location")
        text = place
    else:
        text = show(value) if isinstance(value, int | float) else str(value)
    if excerpt is not None and len(text) > excerpt:
        return text[: excerpt - 1].rstrip() + "…"
    return text
