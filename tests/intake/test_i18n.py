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


# ── counted phrases (issue 11, point 12): CLDR plural forms ──────────────────────────────────────


@pytest.mark.parametrize(
    ("lang", "counts"),
    [
        ("en", {1: "one", 2: "other", 0: "other", 21: "other", 1.5: "other"}),
        ("ru", {1: "one", 21: "one", 2: "few", 24: "few", 5: "many", 11: "many", 12: "many"}),
        ("uk", {0: "many", 101: "one", 111: "many", 112: "many", 122: "few", 2.5: "other"}),
        ("be", {31: "one", 33: "few", 14: "many", 20: "many"}),
    ],
)
def test_plural_forms_follow_cldr(lang: str, counts: dict[float, str]) -> None:
    for count, form in counts.items():
        assert i18n.plural_form(lang, count) == form, (lang, count)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["1 file", "2 files", "5 files", "21 files"]),
        ("ru", ["1 файл", "2 файла", "5 файлов", "21 файл"]),
        ("uk", ["1 файл", "2 файли", "5 файлів", "21 файл"]),
        ("be", ["1 файл", "2 файлы", "5 файлаў", "21 файл"]),
    ],
)
def test_counts_read_as_a_native_speaker_writes_them(lang: str, expected: list[str]) -> None:
    table = i18n.strings_for(lang)
    shown = [i18n.render_count(table, "review.files", n) for n in (1, 2, 5, 21)]
    assert shown == expected
    assert i18n.render_count(table, "size.bytes", 72) == {
        "en": "72 bytes", "ru": "72 байта", "uk": "72 байти", "be": "72 байты"
    }[lang]  # fmt: skip


def test_durations_in_hours_and_minutes() -> None:
    assert i18n.render_duration(i18n.strings_for("en"), 24 * 3600) == "24 hours"
    assert i18n.render_duration(i18n.strings_for("ru"), 30 * 60) == "30 минут"
    assert i18n.render_duration(i18n.strings_for("uk"), 3 * 3600) == "3 години"
    assert i18n.render_duration(i18n.strings_for("be"), 3600) == "60 хвілін"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", ["7 minutes", "20 minutes", "half an hour", "45 minutes", "an hour", "2 hours"]),
        ("be", ["7 хвілін", "20 хвілін", "паўгадзіны", "45 хвілін", "гадзіну", "2 гадзіны"]),
        ("ru", ["7 минут", "20 минут", "полчаса", "45 минут", "час", "2 часа"]),
        ("uk", ["7 хвилин", "20 хвилин", "пів години", "45 хвилин", "годину", "2 години"]),
    ],
)
def test_a_time_left_is_rounded_as_people_say_it(lang: str, said: list[str]) -> None:
    table = i18n.strings_for(lang)
    minutes = [7.2, 21.5, 29.4, 44, 58.7, 121]
    assert [i18n.render_about(table, m * 60) for m in minutes] == said
    assert i18n.render_about(table, 22 * 60) == i18n.render_count(table, "time.minutes", 20)
