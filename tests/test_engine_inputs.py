"""Typed text is cleaned before it is stored: no control characters, no bidi overrides."""

from __future__ import annotations

import pytest

from intake.engine.inputs import clean_text, is_blank


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("a\x00b \x1b[31mred\x07", "ab [31mred"),
        ("line1\r\nline2\rline3\tend", "line1\nline2\nline3\tend"),
        ("\x85next\x9bline\x7f", "nextline"),
        ("\u202egnp.exe\u202c", "gnp.exe"),
        ("\u2066isolated\u2069", "isolated"),
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
