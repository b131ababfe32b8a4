"""Reading dates the way witnesses write them, in English, Belarusian, Russian and Ukrainian.

Accepted: ``2020-08-10``, ``10.08.2020``, ``10-08-2020``, ``10/08/2020``, ``10.08.20``,
``10 Aug 2020``, ``10 August 2020``, ``August 10, 2020``, ``10 августа 2020 г.``,
``10 жніўня 2020``, ``10 серпня 2020 р.``, and partial dates ``08.2020``, ``August 2020``, ``2020``.
Dots and dashes are read day-first (the local habit). With slashes both orders are common, so
``03/04/2020`` is ambiguous and the witness is asked which one they meant. A day and month without
a year (``10 August``, ``10 жніўня``, ``10.08``) or a month alone asks for the year
(:func:`with_year`). Dates in the future, and years before 1900, are refused with a reason. The
result is ISO: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from intake import i18n

EARLIEST_YEAR = 1900

_MONTH_NAMES: Mapping[int, tuple[str, ...]] = {
    1: ("january", "январь", "января", "січень", "січня", "студзень", "студзеня"),
    2: ("february", "февраль", "февраля", "лютий", "лютого", "люты", "лютага"),
    3: ("march", "март", "марта", "березень", "березня", "сакавік", "сакавіка"),
    4: ("april", "апрель", "апреля", "квітень", "квітня", "красавік", "красавіка"),
    5: ("may", "май", "мая", "травень", "травня"),
    6: ("june", "июнь", "июня", "червень", "червня", "чэрвень", "чэрвеня"),
    7: ("july", "июль", "июля", "липень", "липня", "ліпень", "ліпеня"),
    8: ("august", "август", "августа", "серпень", "серпня", "жнівень", "жніўня"),
    9: ("september", "сентябрь", "сентября", "вересень", "вересня", "верасень", "верасня"),
    10: ("october", "октябрь", "октября", "жовтень", "жовтня", "кастрычнік", "кастрычніка"),
    11: ("november", "ноябрь", "ноября", "листопад", "листопада", "лістапад", "лістапада"),
    12: ("december", "декабрь", "декабря", "грудень", "грудня", "снежань", "снежня"),
}
# Words that may follow a year ("2020 г.", "2020 року") or a day ("10th").
_NOISE = {"г", "гг", "год", "года", "годзе", "р", "рік", "року", "year", "y"}
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th|-?е|-?го|-?га)$")

Kind = Literal["ok", "ambiguous", "need_year", "future", "too_early", "invalid"]


@dataclass(frozen=True, slots=True)
class DateReading:
    """What :func:`parse_date` made of the text: ``values`` has one ISO date when ``ok``, the
    two readings when ``ambiguous``, the day and month (``MM-DD``, or ``MM``) when
    ``need_year``, the year when ``too_early``, and nothing otherwise."""

    kind: Kind
    values: tuple[str, ...] = ()


def month_of(word: str) -> int | None:
    """The month named by ``word`` (full name in any of the four languages, or an unambiguous
    abbreviation of at least three letters such as ``aug``, ``сент``, ``лют``), else None."""
    word = word.lower().rstrip(".")
    if _is_cyrillic(word):
        word = word.replace("i", "і")  # a Latin i typed for the Belarusian/Ukrainian і
    if len(word) < 3:
        return None
    found = {m for m, names in _MONTH_NAMES.items() if any(n.startswith(word) for n in names)}
    exact = {m for m, names in _MONTH_NAMES.items() if word in names}
    if exact:
        found = exact
    return found.pop() if len(found) == 1 else None


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


def parse_date(text: str, today: dt.date) -> DateReading:
    """Read ``text`` as a past date (see the module docstring for the accepted forms)."""
    words = [w for w in re.split(r"[\s,]+", text.strip().lower()) if w]
    while words and words[-1].rstrip(".") in _NOISE:
        words.pop()
    if not words:
        return DateReading("invalid")
    if len(words) == 1:
        word = words[0].rstrip(".")
        candidates = _numeric(word, today) or (_worded([word], today) if month_of(word) else [])
    else:
        candidates = _worded([w.rstrip(".") for w in words], today)
    if len(candidates) == 1 and candidates[0].startswith("--"):
        return DateReading("need_year", (candidates[0][2:],))
    if not candidates:
        return DateReading("invalid")
    if all(int(c[:4]) < EARLIEST_YEAR for c in candidates):
        return DateReading("too_early", (str(int(candidates[0][:4])),))
    candidates = [c for c in candidates if int(c[:4]) >= EARLIEST_YEAR]
    past = [c for c in candidates if not _in_future(c, today)]
    if not past:
        return DateReading("future")
    if len(past) == 2 and past[0] != past[1]:
        return DateReading("ambiguous", tuple(past))
    return DateReading("ok", (past[0],))


def with_year(partial: str, text: str, today: dt.date) -> DateReading:
    """The answer to "which year?" for a day and month (``MM-DD``) or a month (``MM``) read
    before: a year (``2020``, ``20``, ``2020 г.``) completes it; a whole date typed again is read
    as one."""
    words = [w.rstrip(".") for w in re.split(r"[\s,]+", text.strip().lower()) if w]
    while words and words[-1] in _NOISE:
        words.pop()
    if len(words) != 1 or not re.fullmatch(r"\d{2}|\d{4}", words[0]):
        reading = parse_date(text, today)
        return DateReading("invalid") if reading.kind == "need_year" else reading
    year = _year(words[0], today)
    return parse_date(f"{year}-{partial}", today)


def _numeric(word: str, today: dt.date) -> list[str]:
    if m := re.fullmatch(r"(\d{1,2})[.-](\d{1,2})", word):  # day and month, no year
        day, month = int(m[1]), int(m[2])
        return [f"--{month:02d}-{day:02d}"] if _day_fits(month, day) else []
    if m := re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", word):
        return _iso(int(m[1]), _int(m[2]), _int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[./-](\d{4})", word):
        return _iso(int(m[2]), int(m[1]), None)
    m = re.fullmatch(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})", word)
    if m is None:
        return []
    first, second, year = int(m[1]), int(m[3]), _year(m[4], today)
    if m[2] != "/":
        return _iso(year, second, first)
    day_first = _iso(year, second, first)
    month_first = _iso(year, first, second)
    return day_first + month_first if first != second else day_first


def _worded(words: list[str], today: dt.date) -> list[str]:
    months = [month_of(w) for w in words]
    if sum(m is not None for m in months) != 1 or len(words) > 3:
        return []
    at = next(i for i, m in enumerate(months) if m is not None)
    month = months[at]
    rest = [_day_or_year(w) for i, w in enumerate(words) if i != at]
    if any(r is None for r in rest):
        return []
    numbers = [r for r in rest if r is not None]
    if month is None:  # pragma: no cover - one word named a month
        return []
    if not numbers:  # "August": which year?
        return [f"--{month:02d}"]
    if len(numbers) == 1:  # "August 2020", or "10 August": which year?
        if numbers[0] > 31:
            return _iso(numbers[0], month, None)
        return [f"--{month:02d}-{numbers[0]:02d}"] if _day_fits(month, numbers[0]) else []
    day, year = numbers if numbers[0] <= 31 else numbers[::-1]
    if day > 31 or year <= 31:  # both look like days: refuse rather than guess
        return []
    return _iso(year, month, day)


def _day_or_year(word: str) -> int | None:
    if m := _ORDINAL.fullmatch(word):
        return int(m[1])
    return int(word) if word.isdigit() and len(word) in (1, 2, 4) else None


def _year(text: str, today: dt.date) -> int:
    if len(text) == 4:
        return int(text)
    year = 2000 + int(text)
    return year if year <= today.year else year - 100


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _day_fits(month: int, day: int) -> bool:
    """Whether ``day`` exists in ``month`` in some year (29 February does, in leap years)."""
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def _iso(year: int, month: int | None, day: int | None) -> list[str]:
    if year < 1000 or year > 9999:
        return []
    if month is None:
        return [f"{year:04d}"]
    if not 1 <= month <= 12:
        return []
    if day is None:
        return [f"{year:04d}-{month:02d}"]
    try:
        return [dt.date(year, month, day).isoformat()]
    except ValueError:
        return []


def _in_future(iso: str, today: dt.date) -> bool:
    parts = [int(p) for p in iso.split("-")]
    start = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    return start > today


def format_date(iso: str, strings: Mapping[str, str]) -> str:
    """An ISO date as the witness reads it: ``10 August 2020``, ``08.2020`` or ``2020``."""
    parts = iso.split("-")
    if len(parts) == 3:
        year, month, day = (int(p) for p in parts)
        name = i18n.render(strings, f"date.month_{month}")
        return i18n.render(strings, "date.format", day=day, month=name, year=year)
    if len(parts) == 2:
        return f"{parts[1]}.{parts[0]}"
    return iso
