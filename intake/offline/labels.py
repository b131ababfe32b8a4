"""Staff-side labels per language, from ``intake/data/report/labels.toml``, and the staff language.

The staff language is the language of the person reading the reports, not of the witness:
``intake decrypt --language be|ru|uk|en``, else the first language of ``INTAKE_STAFF_LANGUAGE``
(a comma-separated preference list, e.g. ``uk,ru``) that has labels, else English.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

from intake.i18n import normalise_language

REFERENCE = "en"
ENV_VAR = "INTAKE_STAFF_LANGUAGE"


class StaffLanguageError(ValueError):
    """A staff language was asked for that has no labels; the message lists those that do."""


@lru_cache(maxsize=1)
def _catalogue() -> Mapping[str, Mapping[str, str]]:
    text = resources.files("intake").joinpath("data/report/labels.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return {
        lang: {k: v for k, v in table.items() if isinstance(v, str)}
        for lang, table in data.items()
        if isinstance(table, dict)
    }


def languages() -> frozenset[str]:
    """Languages with their own labels."""
    return frozenset(_catalogue())


def labels_for(language: str) -> Mapping[str, str]:
    """Labels in ``language`` (its base language if a regional variant), English for the rest."""
    catalogue = _catalogue()
    base = normalise_language(language) or REFERENCE
    return {**catalogue[REFERENCE], **catalogue.get(base, {})}


def staff_language(requested: str | None, environment: Mapping[str, str]) -> str:
    """The staff language: ``requested`` (must have labels), else ``INTAKE_STAFF_LANGUAGE``'s
    first language that has labels, else English."""
    known = languages()
    if requested is not None:
        base = normalise_language(requested.strip()) or ""
        if base not in known:
            raise StaffLanguageError(
                f"--language {requested!r}: no staff labels in that language "
                f"(available: {', '.join(sorted(known))})"
            )
        return base
    for item in environment.get(ENV_VAR, "").split(","):
        base = normalise_language(item.strip()) or ""
        if base in known:
            return base
    return REFERENCE


def language_name(code: str, labels: Mapping[str, str]) -> str:
    """``be`` → "Belarusian" in the staff language (the code itself for other languages)."""
    return labels.get(f"lang_{code.split('-', 1)[0].lower()}", code)
