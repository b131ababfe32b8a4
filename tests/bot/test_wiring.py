"""The bot's profile (issue 11, point 7): its command menu and description in each language."""

from __future__ import annotations

from bot.wiring import COMMANDS, MAX_COMMAND_TEXT, MAX_DESCRIPTION, MAX_SHORT, profile_texts
from intake.questionnaire import load_default


def test_every_language_has_the_menu_and_description_within_telegrams_limits() -> None:
    q = load_default()
    seen = set()
    for lang in q.languages:
        commands, description, short = profile_texts(q, lang)
        assert [c.command for c in commands] == list(COMMANDS)
        assert all(0 < len(c.description) <= MAX_COMMAND_TEXT for c in commands)
        assert 0 < len(description) <= MAX_DESCRIPTION
        assert 0 < len(short) <= MAX_SHORT
        assert all(c.description != c.command for c in commands)  # written, not the name
        seen.add(description)
    assert len(seen) == len(q.languages)  # each in its own language
