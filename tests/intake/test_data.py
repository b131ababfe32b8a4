"""The bundled data (``intake/data/``): the default questionnaire and the interface-string
catalogues, checked as content.

The loader's own tests cover the schema rules on broken files; these tests hold the *shipped* texts
to the promises we make witnesses: every language complete, every question skippable, branching
only backwards, no question that asks for a name, a consent text that says what happens, and
translations written in the right alphabet (a Russian word left in the Belarusian text is caught).
Every interface-string key the code names exists in the catalogues too: a missing one shows the
witness nothing (or a raw key) at exactly the moment something went wrong.
"""

from __future__ import annotations

import importlib
import re
import string
import tomllib
from typing import Any

import pytest

from intake import i18n
from tests.support.paths import ROOT

QUESTIONNAIRE = ROOT / "intake" / "data" / "questionnaires" / "detention.toml"


UI_DIR = ROOT / "intake" / "data" / "ui"


LANGUAGES = ["en", "be", "ru", "uk"]


TEXT_TYPES = {"text", "long_text", "location"}


CHOICE_TYPES = {"choice", "multi_choice"}


# Words that would mean "your name" is being asked for, in each language (inflected forms too).
NAME_WORDS = {
    "en": r"\b(names?|surnames?|called)\b",
    "be": r"\b(імя|імені|імем|імёны|імёнаў|прозвішч\w*|завуць)\b",
    "ru": r"\b(имя|имени|именем|имена|имён|фамили\w*|зовут)\b",
    "uk": r"\b(ім['’ʼ]я|імені|ім['’ʼ]ям|імена|імен|прізвищ\w*|звати)\b",
}


NEGATION = {"en": r"\b(not|never|no)\b", "be": r"\bне\b", "ru": r"\bне\b", "uk": r"\b(не|ні)\b"}


# Letters a language lacks: finding one means a word from a neighbouring language slipped in.
FOREIGN_LETTERS = {"be": "ищъїєґ", "ru": "ўіїєґ", "uk": "ыэёъў"}


MAX_PROMPT = 300


MAX_HELP = 300


MAX_CONSENT = 1200


MAX_LABEL = 48  # a one-per-row Telegram button on a phone shows about this much before cutting


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    with QUESTIONNAIRE.open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def questions(data: dict[str, Any]) -> list[dict[str, Any]]:
    return list(data["questions"])


def texts_of(data: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """Every per-language text table in the file, with a readable place name."""
    out = [(f"consent.{k}", data["consent"][k]) for k in ("text", "accept", "decline")]
    for q in data["questions"]:
        out += [(f"{q['id']}.{f}", q[f]) for f in ("prompt", "help", "short") if f in q]
        out += [(f"{q['id']}.{o['id']}.label", o["label"]) for o in q.get("options", [])]
    return out


def test_header(data: dict[str, Any]) -> None:
    assert data["id"] == "detention"
    assert data["version"] >= 1
    assert data["languages"] == LANGUAGES
    assert data["default_language"] == "en"


def test_every_language_has_every_text(data: dict[str, Any]) -> None:
    for where, texts in texts_of(data):
        assert set(texts) == set(LANGUAGES), f"{where}: languages {sorted(texts)}"
        for lang, text in texts.items():
            assert isinstance(text, str), f"{where}.{lang}"
            assert text.strip(), f"{where}.{lang} is empty"


def test_translations_use_the_right_alphabet(data: dict[str, Any]) -> None:
    for where, texts in texts_of(data):
        for lang, letters in FOREIGN_LETTERS.items():
            stray = sorted({ch for ch in texts[lang].lower() if ch in letters})
            assert not stray, f"{where}.{lang} has letters {stray} that {lang} does not use"
            # Not left in English (brand names and the /commands aside).
            if re.search(r"[a-z]{4,}", texts["en"]) and texts[lang] != "Telegram":
                assert re.search(r"[а-яёіўїєґ]", texts[lang].lower()), f"{where}.{lang}"


def test_question_and_option_ids_unique(questions: list[dict[str, Any]]) -> None:
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids)), ids
    for q in questions:
        option_ids = [o["id"] for o in q.get("options", [])]
        assert len(option_ids) == len(set(option_ids)), q["id"]
        assert bool(option_ids) == (q["type"] in CHOICE_TYPES), q["id"]


def test_when_points_at_an_earlier_question(questions: list[dict[str, Any]]) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for q in questions:
        when = q.get("when")
        if when is not None:
            target = seen.get(when["question"])
            assert target is not None, f"{q['id']}: when names {when['question']!r}"
            operands = when.get("in", [when["equals"]] if "equals" in when else [])
            if target["type"] in CHOICE_TYPES:
                known = {o["id"] for o in target["options"]}
                assert set(operands) <= known, f"{q['id']}: {operands} vs {sorted(known)}"
            if target["type"] == "yes_no":
                assert all(isinstance(v, bool) for v in operands), q["id"]
        seen[q["id"]] = q


def test_shape_size_and_branches(questions: list[dict[str, Any]]) -> None:
    assert 15 <= len(questions) <= 22
    targets = {q["when"]["question"] for q in questions if "when" in q}
    assert len(targets) >= 4, f"branch points: {sorted(targets)}"
    kinds = {k for q in questions for k in ("equals", "in", "answered") if k in q.get("when", {})}
    assert kinds == {"equals", "in", "answered"}


def test_every_question_is_skippable(questions: list[dict[str, Any]]) -> None:
    for q in questions:
        assert q.get("required", False) is False, q["id"]


def test_text_questions_are_bounded(questions: list[dict[str, Any]]) -> None:
    for q in questions:
        if q["type"] in TEXT_TYPES:  # a long story may span several Telegram messages
            most = 12000 if q["type"] == "long_text" else 4000
            assert 1 <= q.get("max_length", 0) <= most, q["id"]


def test_lengths_fit_a_calm_conversation(data: dict[str, Any]) -> None:
    for lang in LANGUAGES:
        assert len(data["consent"]["text"][lang].strip()) <= MAX_CONSENT, lang
    for q in data["questions"]:
        for lang in LANGUAGES:
            assert len(q["prompt"][lang]) <= MAX_PROMPT, f"{q['id']}.prompt.{lang}"
            assert len(q.get("help", {}).get(lang, "")) <= MAX_HELP, f"{q['id']}.help.{lang}"
            for o in q.get("options", []):
                assert len(o["label"][lang]) <= MAX_LABEL, f"{q['id']}.{o['id']}.{lang}"


def test_no_question_asks_for_a_name(questions: list[dict[str, Any]]) -> None:
    for q in questions:
        assert "name" not in q["id"], q["id"]
        for lang, pattern in NAME_WORDS.items():
            assert not re.search(pattern, q["prompt"][lang], re.I), f"{q['id']}.prompt.{lang}"
            # Help may mention names only to say they are not needed.
            for sentence in re.split(r"(?<=[.!?])\s+", q.get("help", {}).get(lang, "")):
                if re.search(pattern, sentence, re.I):
                    assert re.search(NEGATION[lang], sentence, re.I), f"{q['id']}.help.{lang}"


@pytest.mark.parametrize(
    ("lang", "no_name", "telegram_sees"),
    [
        ("en", "never ask for your name", "bots cannot use secret chats"),
        ("be", "ніколі не пытаемся, як вас завуць", "у ботаў не бывае сакрэтных чатаў"),
        ("ru", "никогда не спрашиваем, как вас зовут", "у ботов не бывает секретных чатов"),
        ("uk", "ніколи не питаємо, як вас звати", "боти не мають секретних чатів"),
    ],
)
def test_consent_says_plainly_what_happens(
    data: dict[str, Any], lang: str, no_name: str, telegram_sees: str
) -> None:
    text = data["consent"]["text"][lang]
    for needle in (no_name, telegram_sees, "/cancel", "/x", "Telegram"):
        assert needle in text, f"consent.text.{lang} lacks {needle!r}"


def test_consent_scopes_and_contact(questions: list[dict[str, Any]]) -> None:
    by_id = {q["id"]: q for q in questions}
    scopes = {o["id"] for o in by_id["use_consent"]["options"]}
    assert scopes == {"internal", "un_osce", "publish_anonymised"}
    contact = {o["id"] for o in by_id["contact"]["options"]}
    assert contact == {"no", "receipt_code", "other"}
    assert by_id["contact_how"]["when"] == {"question": "contact", "equals": "other"}
    assert by_id["evidence"]["type"] == "media"


def test_loads_through_the_engine_loader() -> None:
    try:
        module = importlib.import_module("intake.questionnaire")
    except ImportError as exc:  # pragma: no cover - only before the loader exists
        pytest.skip(f"intake.questionnaire is not importable yet: {exc}")
    load_default = getattr(module, "load_default", None)
    if load_default is None:  # pragma: no cover
        pytest.skip("intake.questionnaire has no load_default yet")
    q = load_default()
    assert q.id == "detention"
    assert tuple(q.languages) == tuple(LANGUAGES)
    assert all(not question.required for question in q.questions)
    assert q.question("detained_by").when is not None


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def catalogue(lang: str) -> dict[str, str]:
    path = UI_DIR / f"{lang}.toml"
    if not path.is_file():
        if lang == "en":
            pytest.skip("intake/data/ui/en.toml is not there yet")
        pytest.fail(f"{path.relative_to(ROOT)} is missing")
    with path.open("rb") as f:
        return flatten(tomllib.load(f))


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("lang", ["be", "ru", "uk"])
def test_catalogue_matches_english(lang: str) -> None:
    english = catalogue("en")
    other = catalogue(lang)
    expected = i18n.expected_keys(lang)  # counted phrases come in the language's plural forms
    assert sorted(expected - set(other)) == [], f"{lang}.toml lacks keys"
    assert sorted(set(other) - expected) == [], f"{lang}.toml has extra keys"
    for key in other:
        template = english[i18n.reference_key(key)]
        assert fields(other[key]) == fields(template), f"{lang}.toml {key}: placeholders"
        assert other[key].strip(), f"{lang}.toml {key} is empty"
        stray = sorted({ch for ch in other[key].lower() if ch in FOREIGN_LETTERS[lang]})
        assert not stray, f"{lang}.toml {key} has letters {stray} that {lang} does not use"


# ── interface-string keys named in the code ─────────────────────────────────────────────────────


SECTIONS = sorted({key.split(".")[0] for key in i18n.catalogue_keys()})


KEY_LITERAL = re.compile(
    r"""["'](?P<key>(?:""" + "|".join(SECTIONS) + r""")\.[a-z_]+(?:\.[a-z_]+)*)["']"""
)


def _keys_named_in_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in [*ROOT.glob("intake/**/*.py"), *ROOT.glob("bot/**/*.py")]:
        for match in KEY_LITERAL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group("key"), str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_keys_at_all() -> None:
    assert len(_keys_named_in_code()) >= 10


def test_every_key_named_in_code_exists_in_every_catalogue() -> None:
    named = _keys_named_in_code()
    for lang in i18n.bundled_languages():
        table = i18n.catalogue(lang)
        missing = {
            key: where
            for key, where in named.items()
            if key not in table
            and f"{key}.other" not in table  # a counted phrase: its forms
            and key != i18n.LANGUAGE_CODE  # set by strings_for, not a catalogue key
        }
        assert not missing, f"{lang}: keys used in code but not in the catalogue: {missing}"
