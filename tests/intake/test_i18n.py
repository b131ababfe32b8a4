"""Interface-string catalogues: parity with English, fallbacks, overrides, safe rendering."""

from __future__ import annotations

import pytest

from intake import i18n
from tests.support.paths import ROOT

UI_DIR = ROOT / "intake" / "data" / "ui"


LANGUAGES = ["be", "ru", "uk"]


def test_english_catalogue_has_the_engine_keys() -> None:
    keys = i18n.catalogue_keys()
    for key in ("buttons.submit", "buttons.skip", "buttons.back", "buttons.done", "buttons.change"):
        assert key in keys
    assert i18n.catalogue("en")["language.name"] == "English"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_bundled_catalogue_has_the_same_keys_and_placeholders(lang: str) -> None:
    if not (UI_DIR / f"{lang}.toml").exists():
        pytest.skip(f"{lang}.toml is not translated yet")
    english = i18n.catalogue("en")
    other = i18n.catalogue(lang)
    assert set(other) == i18n.expected_keys(lang)  # counted phrases: the language's plural forms
    for key, template in other.items():
        assert i18n.placeholders(template) == i18n.placeholders(english[i18n.reference_key(key)])
    assert other["language.name"] == i18n.NATIVE_NAMES[lang]


def test_fallback_and_overrides() -> None:
    table = i18n.strings_for("xx", {"buttons.skip": "Pass"})
    assert table["buttons.skip"] == "Pass"
    assert table["buttons.back"] == i18n.catalogue("en")["buttons.back"]
    assert table["language.name"] == "xx"
    assert i18n.strings_for("be")["language.name"] == "Беларуская"
    assert i18n.catalogue("../en") == {}


def test_render_never_raises() -> None:
    table = {"a": "Question {n} of {total}", "b": "broken {", "c": "{unknown}"}
    assert i18n.render(table, "a", n=1, total=3) == "Question 1 of 3"
    assert i18n.render(table, "b") == "broken {"
    assert i18n.render(table, "c") == "{unknown}"
    assert i18n.render(table, "buttons.skip") == i18n.catalogue("en")["buttons.skip"]


def test_parse_catalogue_errors() -> None:
    with pytest.raises(i18n.CatalogueError, match=r"x\.toml: invalid TOML"):
        i18n.parse_catalogue("a = ", "x.toml")
    with pytest.raises(i18n.CatalogueError, match=r"key 'a\.b' must be a string"):
        i18n.parse_catalogue("[a]\nb = 1\n", "x.toml")
    assert i18n.bundled_languages()[0] == "en"
