"""Parsing and validating the parts of a questionnaire: texts, options, conditions, questions.

Each function takes the raw TOML value, records every problem it finds in a
:class:`~intake.questionnaire.problems.Collector`, and returns the model object, or ``None`` when
the part is too broken to build.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from typing import NamedTuple

from intake.questionnaire.conditions import parse_when
from intake.questionnaire.model import (
    DEFAULT_MAX_FILES,
    DEFAULT_MAX_LENGTH,
    LONG_TEXT_LIMIT,
    MAX_FILES_LIMIT,
    PURPOSE_TYPES,
    PURPOSES,
    QUESTION_TYPES,
    TELEGRAM_TEXT_LIMIT,
    Condition,
    Option,
    Purpose,
    Question,
    QuestionType,
)
from intake.questionnaire.problems import Collector, describe

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
MAX_TEXT = 3000  # one prompt or help text; leaves room for progress and help in one message
MAX_OPTIONS = 30

_TEXT_FIELDS = {"prompt", "help", "short"}
_QUESTION_KEYS = {"id", "type", "required", "max_length", "min", "max", "max_files", "when"}
_QUESTION_KEYS |= _TEXT_FIELDS | {"options", "sensitive", "purpose"}
_LENGTH_TYPES = {"text", "long_text", "location"}


def parse_texts(
    c: Collector,
    raw: object,
    field: str,
    languages: Sequence[str],
    question: str | None = None,
) -> dict[str, str] | None:
    """A per-language text table (``prompt.en = "…"``): every declared language, nothing else."""
    if not isinstance(raw, dict):
        c.add(field, 'must be a table of texts by language, e.g. prompt.en = "…"', question)
        return None
    texts: dict[str, str] = {}
    for lang, text in raw.items():
        if lang not in languages:
            c.add(f"{field}.{lang}", f"language '{lang}' is not declared in `languages`", question)
        elif not isinstance(text, str) or not text.strip():
            c.add(f"{field}.{lang}", "must be a non-empty string", question)
        elif len(text) > MAX_TEXT:
            c.add(f"{field}.{lang}", f"is {len(text)} characters; at most {MAX_TEXT}", question)
        else:
            texts[lang] = text.strip()
    for lang in languages:
        if lang not in raw:
            c.add(f"{field}.{lang}", f"missing text for declared language '{lang}'", question)
    return texts if len(texts) == len(languages) else None


def parse_options(
    c: Collector, raw: object, qid: str, languages: Sequence[str]
) -> tuple[Option, ...] | None:
    """``options = [ { id = "…", label.en = "…" }, … ]``: unique ids, every label; an option may
    say ``followup = true`` (choosing it asks for a follow-up code at submit)."""
    if not isinstance(raw, list) or not raw:
        c.add("options", "a choice question needs a non-empty list of options", qid)
        return None
    if len(raw) > MAX_OPTIONS:
        c.add("options", f"has {len(raw)} options; at most {MAX_OPTIONS}", qid)
    options: list[Option] = []
    seen: set[str] = set()
    ok = True
    for n, item in enumerate(raw, start=1):
        field = f"options[{n}]"
        if not isinstance(item, dict):
            c.add(field, "must be a table { id = …, label.<lang> = … }", qid)
            ok = False
            continue
        c.unknown_keys(item, {"id", "label", "followup"}, field + ".", qid)
        followup = item.get("followup", False)
        if not isinstance(followup, bool):
            c.add(f"{field}.followup", "must be true or false", qid)
            ok = False
        oid = item.get("id")
        if not isinstance(oid, str) or not ID_RE.match(oid):
            c.add(f"{field}.id", _bad_id(oid), qid)
            ok = False
        elif oid in seen:
            c.add(f"{field}.id", f"duplicate option id '{oid}'", qid)
            ok = False
        else:
            seen.add(oid)
        label = parse_texts(c, item.get("label"), f"{field}.label", languages, qid)
        if label is None or not isinstance(oid, str):
            ok = False
            continue
        options.append(Option(oid, label, followup is True))
    return tuple(options) if ok else None


class _Limits(NamedTuple):
    max_length: int | None
    max_files: int | None
    min: float | None
    max: float | None


def parse_question(
    c: Collector,
    raw: object,
    n: int,
    languages: Sequence[str],
    earlier: Mapping[str, Question],
    all_ids: Collection[str] = (),
) -> Question | None:
    """One ``[[questions]]`` table. ``earlier`` maps the ids of the questions before it."""
    if not isinstance(raw, dict):
        c.add(f"questions[{n}]", "must be a table")
        return None
    qid_raw = raw.get("id")
    qid = qid_raw if isinstance(qid_raw, str) and qid_raw else f"#{n}"
    c.unknown_keys(raw, _QUESTION_KEYS, "", qid)
    before = len(c.problems)
    if not isinstance(qid_raw, str) or not ID_RE.match(qid_raw):
        c.add("id", _bad_id(qid_raw), qid)
    elif qid_raw in earlier:
        c.add("id", f"duplicate question id '{qid_raw}'", qid)
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        what = "missing type" if qtype is None else f"unknown type {describe(qtype)}"
        c.add("type", f"{what} (known: {', '.join(QUESTION_TYPES)})", qid)
        qtype = None
    prompt = parse_texts(c, raw.get("prompt"), "prompt", languages, qid)
    extra = {f: parse_texts(c, raw[f], f, languages, qid) for f in ("help", "short") if f in raw}
    required = raw.get("required", False)
    if not isinstance(required, bool):
        c.add("required", "must be true or false", qid)
    sensitive = raw.get("sensitive", False)
    if not isinstance(sensitive, bool):
        c.add("sensitive", "must be true or false", qid)
    purpose = _parse_purpose(c, raw, qid, qtype)
    options: tuple[Option, ...] | None = ()
    if qtype in ("choice", "multi_choice"):
        options = parse_options(c, raw.get("options"), qid, languages)
    elif "options" in raw:
        c.add("options", f"only choice and multi_choice questions have options, not {qtype}", qid)
    limits = _parse_limits(c, raw, qid, qtype)
    when = parse_when(c, raw["when"], qid, earlier, all_ids) if "when" in raw else None
    help_texts = extra.get("help")
    if prompt is not None and help_texts is not None:
        for lang, text in prompt.items():
            if len(text) + len(help_texts.get(lang, "")) > MAX_TEXT:
                c.add(f"help.{lang}", f"prompt and help together exceed {MAX_TEXT} characters", qid)
    if len(c.problems) > before or qtype is None or prompt is None or options is None:
        return None
    return Question(
        id=qid,
        type=qtype,
        prompt=prompt,
        help=extra.get("help"),
        short=extra.get("short"),
        required=bool(required),
        sensitive=bool(sensitive),
        purpose=purpose,
        options=options,
        when=when if isinstance(when, Condition) else None,
        max_length=limits.max_length,
        max_files=limits.max_files,
        min=limits.min,
        max=limits.max,
    )


def _parse_limits(
    c: Collector, raw: dict[str, object], qid: str, qtype: QuestionType | None
) -> _Limits:
    """``max_length`` (text types), ``min``/``max`` (number), ``max_files`` (media)."""
    limits: dict[str, int | float | None] = {}
    if qtype in _LENGTH_TYPES:
        most = LONG_TEXT_LIMIT if qtype == "long_text" else TELEGRAM_TEXT_LIMIT
        limits["max_length"] = _int_in(
            c, raw, "max_length", qid, 1, most, DEFAULT_MAX_LENGTH[qtype]
        )
    if qtype == "media":
        limits["max_files"] = _int_in(
            c, raw, "max_files", qid, 1, MAX_FILES_LIMIT, DEFAULT_MAX_FILES
        )
    if qtype == "number":
        for key in ("min", "max"):
            value = raw.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                c.add(key, "must be a number", qid)
            elif not math.isfinite(value):  # "from 1 to inf" is no bound a witness can read
                c.add(key, f"must be a finite number, not {value}", qid)
            else:
                limits[key] = value
        low, high = limits.get("min"), limits.get("max")
        if low is not None and high is not None and low > high:
            c.add("min", f"min ({low}) is greater than max ({high})", qid)
    for key in ("max_length", "max_files", "min", "max"):
        reported = any(p.field == key and p.question == qid for p in c.problems)
        if key in raw and key not in limits and qtype is not None and not reported:
            c.add(key, f"does not apply to a {qtype} question", qid)
    return _Limits(
        max_length=_as_int(limits.get("max_length")),
        max_files=_as_int(limits.get("max_files")),
        min=limits.get("min"),
        max=limits.get("max"),
    )


def _parse_purpose(
    c: Collector, raw: dict[str, object], qid: str, qtype: QuestionType | None
) -> Purpose | None:
    """``purpose = "consent_scope" | "contact" | "incident_date" | "place"``, on a fitting type."""
    if "purpose" not in raw:
        return None
    value = raw["purpose"]
    if value not in PURPOSES:
        c.add("purpose", f"{describe(value)} is not one of {', '.join(PURPOSES)}", qid)
        return None
    purpose: Purpose = value
    allowed = PURPOSE_TYPES[purpose]
    if qtype is not None and qtype not in allowed:
        kinds = ", ".join(sorted(allowed))
        c.add("purpose", f"'{purpose}' needs a question of type {kinds}, not {qtype}", qid)
        return None
    return purpose


def _as_int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _int_in(
    c: Collector, raw: dict[str, object], key: str, qid: str, low: int, high: int, default: int
) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        c.add(key, f"must be a whole number from {low} to {high}", qid)
        return default
    return value


def _bad_id(value: object) -> str:
    if value is None:
        return "missing id"
    return (
        f"{describe(value)} is not a valid id (lowercase letters, digits, '_' or '-', at most 48)"
    )
