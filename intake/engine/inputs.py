"""Validating typed input, and showing answers back to the witness.

Each ``read_*`` function returns either the answer value or the notice (in the witness's language)
that re-asks: what was wrong and what would fit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from intake import i18n
from intake.engine.dates import format_date
from intake.engine.numbers import read_rough_number
from intake.engine.state import Detail, FileEntry
from intake.engine.uploads import is_spoken
from intake.questionnaire import AnswerValue, Question, values

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0/C1 and DEL, but not \t \n
_BIDI_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI
_BIDI_OPENERS = frozenset("\u202a\u202b\u202d\u202e") | _ISOLATES  # LRE RLE LRO RLO + isolates
_PDF, _PDI = "\u202c", "\u2069"


@dataclass(frozen=True, slots=True)
class Read:
    """An answer value (``notice`` None) or a re-ask (``notice`` set); ``details`` is what the
    witness said next to the value (see :data:`intake.engine.state.Detail`)."""

    value: AnswerValue = None
    notice: str | None = None
    details: Mapping[str, Detail] = field(default_factory=dict)


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
        shown = i18n.format_number(strings.get(i18n.LANGUAGE_CODE), limit)
        notice = i18n.render_count(strings, "error.too_long", len(cleaned), max=shown)
        return Read(notice=notice)
    return Read(cleaned)


def read_number(question: Question, text: str, strings: Mapping[str, str]) -> Read:
    """A number within the question's bounds — exact (``12``, ``2,5``, ``1 000``), rough
    (``about 5``, ``каля 5``), a range (``5-6``) or in words (``тры``); see
    :mod:`intake.engine.numbers`. What was typed is kept in ``details["written"]``."""
    reading = read_rough_number(clean_text(text)[:200])
    if reading is None:
        return Read(notice=i18n.render(strings, "error.not_a_number"))
    ends = [reading.value] if reading.high is None else [reading.value, reading.high]
    if not all(math.isfinite(n) and abs(n) <= values.MAX_MAGNITUDE for n in ends):
        return Read(notice=i18n.render(strings, "error.not_a_number"))
    if question.min is not None and min(ends) < question.min:
        return Read(notice=i18n.render(strings, "error.number_too_small", min=show(question.min)))
    if question.max is not None and max(ends) > question.max:
        return Read(notice=i18n.render(strings, "error.number_too_big", max=show(question.max)))
    details: dict[str, Detail] = {"written": clean_text(text)[:200]}
    if reading.approximate:
        details["approximate"] = True
    if reading.high is not None:
        details["range"] = [reading.value, reading.high]
    return Read(reading.value, details=details)


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
    details: Mapping[str, Detail] | None = None,
    files: Mapping[str, FileEntry] | None = None,
) -> str:
    """How an answer reads back to the witness (at review, or as "your current answer").

    A rough number or a range reads as the witness wrote it ("about 5", "5-6"); the files sent
    with a text answer are counted after its text: voice messages, and others (which ``files``,
    the draft's, tells apart; without it every one counts as a voice message)."""
    details = details or {}
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
        return i18n.render_count(strings, "review.files", len(value))
    if question.type == "date" and isinstance(value, str):
        return format_date(value, strings)
    written = details.get("written")
    rough = details.get("approximate") or details.get("range")
    if question.type == "number" and rough and isinstance(written, str):
        text = written
    elif isinstance(value, dict):
        place = values.place_text(value)
        if place is None:
            return i18n.render(strings, "review.location")
        text = place
    else:
        text = show(value) if isinstance(value, int | float) else str(value)
    if excerpt is not None and len(text) > excerpt:
        text = text[: excerpt - 1].rstrip() + "…"
    sent = details.get("files")
    if isinstance(sent, list) and sent:
        entries = [files.get(str(aid)) for aid in sent] if files is not None else []
        others = sum(1 for e in entries if e is not None and not is_spoken(e.ref))
        counted = []
        if len(sent) - others:
            counted.append("🎤 " + i18n.render_count(strings, "review.voices", len(sent) - others))
        if others:
            counted.append("📎 " + i18n.render_count(strings, "review.files", others))
        text = " + ".join([text, *counted] if text else counted)
    return text
