"""Loading a questionnaire TOML file (GUIDE §4) into the typed model, collecting every problem."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path

from intake import i18n
from intake.questionnaire.fields import ID_RE, parse_question, parse_texts
from intake.questionnaire.model import Consent, Question, Questionnaire
from intake.questionnaire.problems import Collector, Problem, QuestionnaireError, describe

DEFAULT_NAME = "detention.toml"
ADDITION_NAME = "addition.toml"
MAX_QUESTIONS = 200
_LANG_RE = re.compile(r"^[a-z]{2,3}$")
_TOP_KEYS = {"id", "version", "languages", "default_language", "consent", "questions", "ui"}
_LINE_RE = re.compile(r"\(at line (\d+), column \d+\)")


def loads(text: str, source: str = "<string>") -> Questionnaire:
    """Parse and validate TOML text; :class:`QuestionnaireError` lists every problem."""
    questionnaire, problems = check_text(text, source)
    if questionnaire is None:
        raise QuestionnaireError(problems)
    return questionnaire


def load(path: str | Path) -> Questionnaire:
    """Load a questionnaire file. Unreadable files are a :class:`QuestionnaireError` too."""
    questionnaire, problems = check(path)
    if questionnaire is None:
        raise QuestionnaireError(problems)
    return questionnaire


def load_default() -> Questionnaire:
    """The bundled questionnaire ``intake/data/questionnaires/detention.toml``."""
    return load_bundled(DEFAULT_NAME)


def load_addition() -> Questionnaire:
    """The bundled questionnaire of additions (``addition.toml``): what a witness who came back
    with a follow-up code answers to add to their testimony. It never offers a code itself."""
    return replace(load_bundled(ADDITION_NAME), offers_followup=False)


def load_bundled(name: str) -> Questionnaire:
    """A questionnaire bundled in ``intake/data/questionnaires``."""
    file = resources.files("intake").joinpath("data", "questionnaires", name)
    source = f"intake/data/questionnaires/{name}"
    try:
        text = file.read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
    except OSError as exc:
        raise QuestionnaireError([Problem(source, "-", f"cannot read: {exc.strerror}")]) from exc
    return loads(text, source)


def check(path: str | Path) -> tuple[Questionnaire | None, list[Problem]]:
    """Validate a file: the questionnaire (None if any problem) and every problem found."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return None, [Problem(source, "-", f"cannot read file: {reason}")]
    return check_text(text, source)


def check_text(text: str, source: str) -> tuple[Questionnaire | None, list[Problem]]:
    """Validate TOML text: the questionnaire (None if any problem) and every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _LINE_RE.search(str(exc))
        line = int(match.group(1)) if match else None
        message = _LINE_RE.sub("", str(exc)).strip()
        return None, [Problem(source, "-", f"invalid TOML: {message}", line=line)]
    c = Collector(source)
    questionnaire = _build(c, data, source)
    return (questionnaire if not c.problems else None), c.problems


def _build(c: Collector, data: dict[str, object], source: str) -> Questionnaire | None:
    c.unknown_keys(data, _TOP_KEYS, "")
    qid = data.get("id")
    if not isinstance(qid, str) or not ID_RE.match(qid):
        c.add("id", "must be a short id of lowercase letters, digits, '_' or '-'")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        c.add("version", "must be a whole number ≥ 1")
    languages = _languages(c, data.get("languages"))
    default = data.get("default_language")
    if not isinstance(default, str) or default not in languages:
        listed = ", ".join(languages) or "none declared"
        what = "missing; must be" if default is None else f"{describe(default)} is not"
        c.add("default_language", f"{what} one of languages ({listed})")
    consent = _consent(c, data.get("consent"), languages)
    questions = _questions(c, data.get("questions"), languages)
    ui = _ui(c, data.get("ui", {}), languages)
    if c.problems or consent is None:
        return None
    assert isinstance(qid, str)
    assert isinstance(version, int)
    assert isinstance(default, str)
    return Questionnaire(
        id=qid,
        version=version,
        languages=languages,
        default_language=default,
        consent=consent,
        questions=questions,
        ui={lang: i18n.strings_for(lang, ui.get(lang)) for lang in languages},
        source=source,
        untranslated={lang: i18n.untranslated(lang, ui.get(lang)) for lang in languages},
    )


def _languages(c: Collector, raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        c.add("languages", 'must be a non-empty list of language codes, e.g. ["en", "ru"]')
        return ()
    out: list[str] = []
    for lang in raw:
        if not isinstance(lang, str) or not _LANG_RE.match(lang):
            c.add("languages", f"{describe(lang)} is not a language code (2–3 lowercase letters)")
        elif lang in out:
            c.add("languages", f"'{lang}' is listed twice")
        else:
            out.append(lang)
    return tuple(out)


def _consent(c: Collector, raw: object, languages: Sequence[str]) -> Consent | None:
    if not isinstance(raw, dict):
        c.add("consent", "a [consent] table with text, accept and decline is required")
        return None
    c.unknown_keys(raw, {"text", "accept", "decline"}, "consent.")
    parts = {k: parse_texts(c, raw.get(k), f"consent.{k}", languages) for k in raw}
    for key in ("text", "accept", "decline"):
        if key not in raw:
            c.add(f"consent.{key}", "missing")
    text, accept, decline = parts.get("text"), parts.get("accept"), parts.get("decline")
    if text is None or accept is None or decline is None:
        return None
    return Consent(text=text, accept=accept, decline=decline)


def _questions(c: Collector, raw: object, languages: Sequence[str]) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        c.add("questions", "at least one [[questions]] table is required")
        return ()
    if len(raw) > MAX_QUESTIONS:
        c.add("questions", f"has {len(raw)} questions; at most {MAX_QUESTIONS}")
    all_ids = {q.get("id") for q in raw if isinstance(q, dict) and isinstance(q.get("id"), str)}
    earlier: dict[str, Question] = {}
    out: list[Question] = []
    for n, item in enumerate(raw, start=1):
        question = parse_question(c, item, n, languages, earlier, {str(i) for i in all_ids})
        item_id = item.get("id") if isinstance(item, dict) else None
        if question is not None:
            out.append(question)
            earlier[question.id] = question
        elif isinstance(item_id, str) and item_id not in earlier:
            # Broken but named: later questions may still refer to it without a second error.
            earlier[item_id] = Question(item_id, "text", {})
    _unique_purposes(c, out)
    _one_followup(c, out)
    return tuple(out)


def _one_followup(c: Collector, questions: Sequence[Question]) -> None:
    """At most one option asks for a follow-up code: the witness chooses it once."""
    first: str | None = None
    for question in questions:
        for option in question.options:
            if not option.followup:
                continue
            if first is not None:
                c.add(
                    "options",
                    f"only one option may say followup = true ({first} does)",
                    question.id,
                )
            first = first or f"'{question.id}.{option.id}'"


def _unique_purposes(c: Collector, questions: Sequence[Question]) -> None:
    """Each ``purpose`` names one question: staff must know which answer governs consent."""
    owner: dict[str, str] = {}
    for question in questions:
        if question.purpose is None:
            continue
        first = owner.setdefault(question.purpose, question.id)
        if first != question.id:
            c.add(
                "purpose", f"'{question.purpose}' is already the purpose of '{first}'", question.id
            )


def _ui(c: Collector, raw: object, languages: Sequence[str]) -> dict[str, dict[str, str]]:
    """``[ui.<lang>]`` overrides: declared languages, known keys, same placeholders."""
    if not isinstance(raw, dict):
        c.add("ui", "must be a table of [ui.<lang>] tables")
        return {}
    known = i18n.catalogue(i18n.REFERENCE)
    out: dict[str, dict[str, str]] = {}
    for lang, table in raw.items():
        if lang not in languages:
            c.add(f"ui.{lang}", f"language '{lang}' is not declared in `languages`")
            continue
        if not isinstance(table, dict):
            c.add(f"ui.{lang}", "must be a table of interface strings")
            continue
        flat = _flatten_ui(c, table, f"ui.{lang}.")
        for key, value in flat.items():
            field = f"ui.{lang}.{key}"
            reference = i18n.reference_key(key)  # a plural form (…files.few) of a counted phrase
            if reference not in known:
                c.add(field, "unknown interface string (see intake/data/ui/en.toml)")
            elif i18n.placeholders(value) != i18n.placeholders(known[reference]):
                want = ", ".join(sorted(i18n.placeholders(known[reference]))) or "none"
                c.add(field, f"must use exactly the placeholders of the catalogue: {want}")
        out[lang] = flat
    return out


def _flatten_ui(c: Collector, table: Mapping[str, object], prefix: str) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            for sub, text in _flatten_ui(c, value, f"{prefix}{key}.").items():
                flat[f"{key}.{sub}"] = text
        elif isinstance(value, str) and value.strip():
            flat[key] = value
        else:
            c.add(prefix + key, "must be a non-empty string")
    return flat
