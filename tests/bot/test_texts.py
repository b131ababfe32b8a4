"""The bot's own lines exist in every language."""

from __future__ import annotations

from typing import get_args

from bot.texts import TextKey
from bot.texts import text as bot_text


def test_every_bot_line_exists_in_every_language() -> None:
    keys = get_args(TextKey)
    for language in ("be", "ru", "uk"):
        for key in keys:
            line = bot_text(key, language, mb=20)
            assert line
            if key != "deleted":
                assert line != bot_text(key, "en", mb=20), (language, key)
    assert bot_text("deleted", "pt-BR") == "Done."  # unknown languages fall back to English
