"""The lines only the Telegram channel says (files, group chats, limits, the quick exit), by key.

Their texts are interface strings like any other: table ``[telegram]`` of
``intake/data/ui/<lang>.toml``, read through the questionnaire's merged catalogue
(:meth:`intake.questionnaire.Questionnaire.strings`). So a questionnaire's ``[ui.<lang>]`` can
override them, and a questionnaire in a language we do not ship (Polish with its own ``[ui.pl]``)
shows them in that language; a language the questionnaire does not have gets its default one,
exactly like the engine's lines.
"""

from __future__ import annotations

from typing import Literal

from intake import i18n
from intake.questionnaire import Questionnaire

TextKey = Literal[
    "telegram.media_hint",
    "telegram.file_too_big",
    "telegram.file_failed",
    "telegram.not_now",
    "telegram.rate_limited",
    "telegram.too_many_submissions",
    "telegram.private_only",
    "telegram.edited",
    "telegram.forwarded",
    "telegram.unsupported",
    "telegram.deleted",
    "telegram.stale_button",
    "telegram.idle",  # the one line a chat without a draft gets
    "trouble.storage",  # the store failed a write: try again later
    "trouble.caption_not_kept",  # a file was refused: the words sent with it are not kept
]


class BotTexts:
    """The channel's own lines for one questionnaire."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self._questionnaire = questionnaire

    def __call__(self, key: TextKey, language: str | None, **fields: object) -> str:
        """The line ``key`` in ``language`` (a Telegram ``language_code`` is fine), filled in."""
        strings = self._questionnaire.strings(i18n.normalise_language(language))
        return i18n.render(strings, key, **fields)
