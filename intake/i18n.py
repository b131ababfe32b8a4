"""Interface strings per language (buttons, hints, validation messages).

Catalogues live in ``intake/data/ui/<lang>.toml``; tables are flattened to dotted keys
(``[buttons] submit`` → ``"buttons.submit"``). English is the reference: every other catalogue has
the same keys, and a key missing from one falls back to English. A questionnaire's ``[ui.<lang>]``
table overrides single keys. The engine never reads files: the questionnaire loader resolves the
complete table for each language once (:func:`strings_for`), and the engine formats with
:func:`render`.
"""

from __future__ import annotations

import string
import tomllib
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

REFERENCE = "en"

#: Each language by its own name (endonym), the language button's label when neither a bundled
#: catalogue nor the questionnaire's ``[ui.<lang>]`` gives ``language.name`` (else: the code).
NATIVE_NAMES: Mapping[str, str] = {
    "en": "English", "be": "Беларуская", "ru": "Русский", "uk": "Українська",
    "pl": "Polski", "lt": "Lietuvių", "lv": "Latviešu", "et": "Eesti", "de": "Deutsch",
    "fr": "Français", "es": "Español", "it": "Italiano", "pt": "Português", "nl": "Nederlands",
    "cs": "Čeština", "sk": "Slovenčina", "hu": "Magyar", "ro": "Română", "bg": "Български",
    "sr": "Српски", "hr": "Hrvatski", "bs": "Bosanski", "sl": "Slovenščina", "mk": "Македонски",
    "sq": "Shqip", "el": "Ελληνικά", "tr": "Türkçe", "fi": "Suomi", "sv": "Svenska",
    "da": "Dansk", "no": "Norsk", "ka": "ქართული", "hy": "Հայերեն", "az": "Azərbaycanca",
    "kk": "Қазақша", "ky": "Кыргызча", "uz": "Oʻzbekcha", "tg": "Тоҷикӣ", "tk": "Türkmençe",
    "tt": "Татарча", "ba": "Башҡортса", "crh": "Qırımtatarca", "mn": "Монгол", "fa": "فارسی",
    "ar": "العربية", "he": "עברית", "ku": "Kurdî", "ur": "اردو", "hi": "हिन्दी", "bn": "বাংলা",
    "zh": "中文", "ja": "日本語", "ko": "한국어", "vi": "Tiếng Việt", "th": "ไทย", "my": "မြန်မာ",
    "id": "Bahasa Indonesia", "ms": "Bahasa Melayu", "sw": "Kiswahili", "am": "አማርኛ",
}  # fmt: skip


#: Not a catalogue key: :func:`strings_for` records the table's language under it.
LANGUAGE_CODE = "language.code"

#: The plural forms (CLDR categories) a catalogue writes for a counted phrase, by language.
#: Languages not listed use English's one/other. Decimal counts take ``other`` everywhere.
EAST_SLAVIC = ("one", "few", "many", "other")
PLURAL_FORMS: Mapping[str, tuple[str, ...]] = {
    "en": ("one", "other"),
    "be": EAST_SLAVIC,
    "ru": EAST_SLAVIC,
    "uk": EAST_SLAVIC,
}
FORMS = frozenset(EAST_SLAVIC)


class CatalogueError(ValueError):
    """A bundled catalogue is missing or malformed (a packaging bug, not a user error)."""


def _flatten(table: Mapping[str, object], prefix: str, out: dict[str, str], where: str) -> None:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", out, where)
        elif isinstance(value, str):
            out[name] = value
        else:
            raise CatalogueError(f"{where}: key '{name}' must be a string")


def parse_catalogue(text: str, where: str) -> dict[str, str]:
    """Parse one catalogue's TOML text into a flat key → template table."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{where}: invalid TOML: {exc}") from exc
    out: dict[str, str] = {}
    _flatten(data, "", out, where)
    return out


@lru_cache(maxsize=16)
def catalogue(lang: str) -> Mapping[str, str]:
    """The bundled catalogue of ``lang`` as shipped (empty if there is none)."""
    if not lang.isascii() or not lang.replace("-", "").isalnum():
        return {}
    path = resources.files("intake").joinpath("data", "ui", f"{lang}.toml")
    if not path.is_file():
        if lang == REFERENCE:
            raise CatalogueError("the reference catalogue intake/data/ui/en.toml is missing")
        return {}
    return parse_catalogue(path.read_text(encoding="utf-8"), f"intake/data/ui/{lang}.toml")


def bundled_languages() -> tuple[str, ...]:
    """Languages with a bundled catalogue, English first."""
    folder = resources.files("intake").joinpath("data", "ui")
    names = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))
    return tuple([REFERENCE] + [n for n in names if n != REFERENCE])


def catalogue_keys() -> frozenset[str]:
    """Every key of the reference catalogue: the keys a ``[ui.<lang>]`` table may override."""
    return frozenset(catalogue(REFERENCE))


def placeholders(template: str) -> frozenset[str]:
    """The ``{names}`` a template uses."""
    try:
        return frozenset(f for _, f, _, _ in string.Formatter().parse(template) if f)
    except ValueError:
        return frozenset({"<malformed>"})


def strings_for(lang: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The complete table for ``lang``: English, then the bundled catalogue, then overrides."""
    table = dict(catalogue(REFERENCE))
    table.update(catalogue(lang))
    if "language.name" not in catalogue(lang):
        table["language.name"] = NATIVE_NAMES.get(lang, lang)
    table.update(overrides or {})
    table[LANGUAGE_CODE] = lang  # lets render_count pick the language's plural rule
    return table


def untranslated(lang: str, overrides: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Keys a witness would read in English in ``lang``: in neither its bundled catalogue nor the
    questionnaire's overrides (``language.name`` counts only without a known endonym)."""
    if lang == REFERENCE:
        return ()
    own = catalogue(lang).keys() | (overrides or {}).keys()
    if lang in NATIVE_NAMES:
        own |= {"language.name"}
    return tuple(key for key in catalogue(REFERENCE) if key not in own)


def normalise_language(code: str | None) -> str | None:
    """A language tag as a channel or a file gives it (``"ru"``, ``"en-US"``, ``"pt_BR"``) reduced
    to its primary subtag in lower case (``"ru"``, ``"en"``, ``"pt"``); None for nothing."""
    if not code:
        return None
    return code.split("-")[0].split("_")[0].lower()[:8] or None


def render(strings: Mapping[str, str], key: str, **values: object) -> str:
    """Format the template ``key`` with ``values``.

    Never raises for a bad translation: a template with unknown placeholders is shown as written,
    because a slightly wrong sentence is better than a crashed conversation.
    """
    template = strings.get(key)
    if template is None:
        template = catalogue(REFERENCE).get(key, key)
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


#: The buttons a sentence may name ("press “{submit}”"), by placeholder: see :func:`button_names`.
NAMED_BUTTONS = ("submit", "cancel", "change", "back", "skip")


def button_names(strings: Mapping[str, str]) -> dict[str, str]:
    """The labels of the buttons a sentence names, as the witness sees them — a questionnaire may
    rename them (``"buttons.submit" = "Send"``) — without their icons (``✅ Submit`` → ``Submit``),
    for the ``{submit}``, ``{cancel}``… placeholders of footers, reminders and help."""
    out: dict[str, str] = {}
    for name in NAMED_BUTTONS:
        label = render(strings, f"buttons.{name}")
        out[name] = _bare(label) or label
    return out


def _bare(label: str) -> str:
    start, end = 0, len(label)
    while start < end and not unicodedata.category(label[start]).startswith(("L", "N")):
        start += 1
    while end > start and not unicodedata.category(label[end - 1]).startswith(("L", "N")):
        end -= 1
    return label[start:end]


def plural_form(lang: str | None, count: float) -> str:
    """The CLDR plural category of ``count`` in ``lang``: ``one``, ``few``, ``many`` or ``other``.

    be/ru/uk: 1, 21, 31… → one; 2–4, 22–24… → few; 0, 5–20, 25–30… → many; fractions → other.
    English and unknown languages: exactly 1 → one, else other.
    """
    if isinstance(count, float) and not count.is_integer():
        return "other"
    n = abs(int(count))
    if PLURAL_FORMS.get(lang or "", ()) != EAST_SLAVIC:
        return "one" if n == 1 else "other"
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def render_count(strings: Mapping[str, str], key: str, count: float, **values: object) -> str:
    """Render the plural phrase ``key`` for ``count`` (also given to the template as ``count``).

    The catalogue writes one template per form (``[review.files] one = … few = … many = …
    other = …``); a missing form falls back to ``other``.
    """
    lang = strings.get(LANGUAGE_CODE)
    form = plural_form(lang, count)
    chosen = f"{key}.{form}" if f"{key}.{form}" in strings else f"{key}.other"
    return render(strings, chosen, count=format_number(lang, count), **values)


def format_number(lang: str | None, number: float) -> str:
    """A number as people of ``lang`` write it: digits grouped from 10 000 up ("12,000" in
    English, "12 000" with a no-break space in Belarusian, Russian and Ukrainian); a decimal
    comma in those three."""
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    text = f"{number:,}" if abs(number) >= 10_000 else str(number)
    if PLURAL_FORMS.get(lang or "") == EAST_SLAVIC:
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def plural_keys(table: Mapping[str, str]) -> frozenset[str]:
    """The counted phrases of a catalogue: keys whose forms are written as ``<key>.<form>``."""
    return frozenset(k.rsplit(".", 1)[0] for k in table if k.rsplit(".", 1)[-1] in FORMS)


def render_duration(strings: Mapping[str, str], seconds: float) -> str:
    """A span of time as people say it: whole hours from two hours up (``24 hours``, ``3 часа``),
    else minutes (``90 minutes``, ``45 хвілін``)."""
    minutes = max(1, round(seconds / 60))
    if minutes >= 120:
        return render_count(strings, "time.hours", round(minutes / 60))
    return render_count(strings, "time.minutes", minutes)


def render_about(strings: Mapping[str, str], seconds: float) -> str:
    """A time left as people say it after "about": a few minutes exactly (``7 минут``), then to
    five minutes (``20 minutes``), "half an hour", "an hour", then whole hours (``3 гадзіны``) —
    never "about 29 minutes"."""
    minutes = seconds / 60
    if minutes < 10:
        return render_count(strings, "time.minutes", max(1, round(minutes)))
    if 25 <= minutes <= 35:
        return render(strings, "time.half_hour")
    if minutes < 50:
        return render_count(strings, "time.minutes", 5 * round(minutes / 5))
    hours = round(minutes / 60)
    if hours <= 1:
        return render(strings, "time.an_hour")
    return render_count(strings, "time.hours", hours)


def expected_keys(lang: str) -> frozenset[str]:
    """The keys a complete catalogue of ``lang`` has: the reference's, with each counted phrase
    written in the plural forms of ``lang`` (:data:`PLURAL_FORMS`)."""
    reference = catalogue(REFERENCE)
    counted = plural_keys(reference)
    plain = {k for k in reference if k.rsplit(".", 1)[0] not in counted}
    forms = PLURAL_FORMS.get(lang, PLURAL_FORMS[REFERENCE])
    return frozenset(plain | {f"{key}.{form}" for key in counted for form in forms})


def reference_key(key: str) -> str:
    """The English key a translated ``key`` corresponds to (``x.few`` → ``x.other``)."""
    base, _, form = key.rpartition(".")
    if form in FORMS and key not in catalogue(REFERENCE):
        return f"{base}.other"
    return key
