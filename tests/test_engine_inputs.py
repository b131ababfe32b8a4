"""Typed text is cleaned before it is stored: no control characters, bidi controls balanced."""

from __future__ import annotations

import pytest

from intake.engine.inputs import clean_text, is_blank


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("a\x00b \x1b[31mred\x07", "ab [31mred"),
        ("line1\r\nline2\rline3\tend", "line1\nline2\nline3\tend"),
        ("\x85next\x9bline\x7f", "nextline"),
        ("\u202egnp.exe\u202c", "\u202egnp.exe\u202c"),  # balanced: kept verbatim
        ("\u202eevil", "\u202eevil\u202c"),  # left open: closed at the end
        ("\u2067a\u202bb", "\u2067a\u202bb\u202c\u2069"),
        ("\u2066a\u202ab\u2069c", "\u2066a\u202ab\u2069c"),  # PDI closes the inner embedding
        ("a\u202c\u2069b", "ab"),  # closers without openers are dropped
        ("\u2066a\u202cb\u2069", "\u2066ab\u2069"),  # a PDF cannot close an isolate
        ("שלום עולם", "שלום עולם"),  # right-to-left text as typed
        ("مرحبا\u200fالعالم", "مرحبا\u200fالعالم"),  # an RLM mark is kept
        ("  Акрэсціна  ", "Акрэсціна"),
    ],
)
def test_clean_text(typed: str, stored: str) -> None:
    assert clean_text(typed) == stored


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "\ufeff", "\u200e \u2060"])
def test_invisible_text_is_blank(text: str) -> None:
    assert is_blank(clean_text(text))


@pytest.mark.parametrize("text", ["a", "\u200ba", "ش"])
def test_visible_text_is_not_blank(text: str) -> None:
    assert not is_blank(clean_text(text))
