"""Typed text is cleaned before it is stored: no control characters, bidi controls balanced,
invisible-only text is no answer — checked on the reader and through the service (QA)."""

from __future__ import annotations

import json

import pytest

import crypto
from intake.channel import Text
from intake.engine.inputs import clean_text, is_blank
from intake.service import IntakeService
from tests.support.channels import scripted
from tests.support.questionnaires import VICTIM
from tests.support.sealing import open_members, sealed_files


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


@pytest.mark.parametrize("text", ["\x00", "\u202e\u202e", "\x1b\x07", "\u200b\u200b"])
async def test_invisible_only_answer_counts_as_empty(svc: IntakeService, text: str) -> None:
    """Only control/format characters is no answer (engine/inputs.py accepts it today)."""
    player = scripted(svc, dict(VICTIM), "en")
    await player.to_question("held_where")
    reply = await svc.handle(player.key, Text(text))
    assert reply.outcome == "rejected", reply.prompt
    assert reply.prompt.question_id == "held_where"


async def test_control_characters_do_not_reach_the_submission(
    svc: IntakeService, staff: crypto.Identity
) -> None:
    """NUL, ESC (terminal escapes), BEL are accepted verbatim today and end up in submission.json,
    report.html and index.csv (engine/inputs.py); newlines and tabs are legitimate."""
    hostile = "a\x00b \x1b[31mred\x07 line1\nline2\tend"
    player = scripted(svc, {"notes": hostile}, "en")
    assert (await player.submit()).outcome == "submit"
    members = open_members(sealed_files(svc.store)[0], staff)
    value = json.loads(members[0][1])["answers"][-1]["value"]
    assert "line1\nline2\tend" in value
    assert not any(ord(c) < 32 and c not in "\n\t" for c in value), repr(value)
