"""A string that never shows itself: the bot token and the webhook secret are held in one."""

from __future__ import annotations


class Secret:
    """A string that never shows itself: ``str``, ``repr`` and f-strings give ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The real value, for the one place that must use it (the HTTP client)."""
        return self._value

    def __str__(self) -> str:
        return "***"

    def __repr__(self) -> str:
        return "Secret('***')"
