"""The few labels of ``report.html`` per language, from ``intake/data/report/labels.toml``."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

from intake.i18n import normalise_language

REFERENCE = "en"


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
