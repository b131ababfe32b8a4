"""The bot's own lines come from the questionnaire's merged catalogue (``[telegram]`` keys).

Every bundled language has every line; a questionnaire in Polish with its own ``[ui.pl]`` shows
them in Polish, not English (end to end: tests/e2e/test_bot_polish.py).
"""

from __future__ import annotations

from typing import get_args

from bot.markup import render
from bot.texts import BotTexts, TextKey
from intake.channel import Prompt
from intake.questionnaire import load, load_default, loads
from tests.support.paths import QUESTIONNAIRES

POLISH = load(QUESTIONNAIRES / "polish_ui.toml")


def test_every_bot_line_exists_in_every_language() -> None:
    bot_text = BotTexts(load_default())
    for language in ("be", "ru", "uk"):
        for key in get_args(TextKey):
            line = bot_text(key, language, mb=20)
            assert line
            if key != "telegram.deleted":
                assert line != bot_text(key, "en", mb=20), (language, key)
                assert "{" not in line, (language, key)  # every placeholder filled
    assert bot_text("telegram.deleted", "pt-BR") == "Done."  # unknown: the default language


def test_polish_lines_from_the_questionnaire() -> None:
    texts = BotTexts(POLISH)
    assert texts("telegram.deleted", "pl") == "Gotowe."
    assert texts("telegram.file_too_big", "pl", mb=20) == "Plik jest za duży (limit 20 MB)."
    # a witness whose Telegram is in Russian gets the questionnaire's language, like the engine's
    assert texts("telegram.private_only", "ru-RU") == "Ten bot działa tylko w czacie prywatnym."
    assert texts("telegram.private_only", None) == "Ten bot działa tylko w czacie prywatnym."
    # what [ui.pl] leaves out falls back to English (and `questionnaire check` warns about it)
    assert texts("telegram.edited", "pl").startswith("Edited messages are not used.")
    assert any("[ui.pl]" in w for w in POLISH.warnings())


def test_a_questionnaire_overrides_a_bundled_line() -> None:
    base = load_default()
    assert BotTexts(base)("telegram.stale_button", "en") == "This button is no longer active."
    own = loads(
        """
id = "own"
version = 1
languages = ["en", "ru"]
default_language = "en"
[consent]
text.en = "t"
text.ru = "t"
accept.en = "a"
accept.ru = "a"
decline.en = "d"
decline.ru = "d"
[[questions]]
id = "q"
type = "text"
prompt.en = "q"
prompt.ru = "q"
[ui.en]
"telegram.stale_button" = "That button is old."
""",
        "own.toml",
    )
    texts = BotTexts(own)
    assert texts("telegram.stale_button", "en") == "That button is old."
    assert texts("telegram.stale_button", "ru") == "Эта кнопка больше не действует."  # bundled


def test_the_media_hint_is_rendered_in_polish() -> None:
    prompt = Prompt(text="Zdjęcia?", stage="question", expects="media", language="pl")
    (chunk,) = render(prompt, BotTexts(POLISH))
    assert chunk.text == "Wskazówka: wysyłaj zdjęcia jako plik.\n\nZdjęcia?"  # the question last
