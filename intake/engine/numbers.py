"""Reading a number the way witnesses write one when asked "about how many": rough, as a range,
or in words, in English, Belarusian, Russian and Ukrainian.

Accepted: ``12``, ``2,5``, ``1 000``; ``about 5``, ``~5``, ``100+``, ``каля 5``, ``около пяти``,
``близько п'яти``; ``5-6``, ``5–6``, ``5 or 6``, ``от 5 до 6``, ``ад 5 да 6``, ``від 5 до 6``;
small numbers in words (``three``, ``тры``, ``трое``, ``двадцать пять``, ``сто``) in the cases a
count takes after "about"; a trailing "people"/"days" word (``5 человек``). The reading keeps
whether it was rough and the range, so that what the witness wrote is never lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_WORDS: Mapping[int, str] = {
    0: "zero none ноль нуль",
    1: "one single один одна одно одного одной адзін адна адно аднаго адной одне однієї",
    2: "two couple два две двух двое двоих дзве дваіх дві двоє",
    3: "three три трёх трех трое троих тры трох траіх трьох троє",
    4: "four четыре четырёх четырех четверо четверых чатыры чатырох чацвёра чацвёрa чацвярых "
    "чотири чотирьох",
    5: "five пять пяти пятеро пятерых пяць пяці пяцёра пяцярых п'ять п'яти п'ятеро п'ятьох",
    6: "six шесть шести шестеро шестерых шэсць шасці шасцёра шість шістьох",
    7: "seven семь семи семеро семерых сем сямі сямёра сім сімох",
    8: "eight восемь восьми восьмеро васьмі вісім вісьмох",
    9: "nine девять девяти девятеро дзевяць дзевяці дев'ять дев'яти дев'ятеро",
    10: "ten десять десяти десятеро десяток десятка дзесяць дзесяці дзясятак дзясятка десятеро",
    11: "eleven одиннадцать одиннадцати адзінаццаць адзінаццаці одинадцять одинадцяти",
    12: "twelve dozen двенадцать двенадцати дюжина дванаццаць дванаццаці дванадцять дванадцяти",
    13: "thirteen тринадцать тринадцати трынаццаць трынаццаці тринадцять тринадцяти",
    14: "fourteen четырнадцать четырнадцати чатырнаццаць чатырнаццаці чотирнадцять чотирнадцяти",
    15: "fifteen пятнадцать пятнадцати пятнаццаць пятнаццаці п'ятнадцять п'ятнадцяти",
    16: "sixteen шестнадцать шестнадцати шаснаццаць шаснаццаці шістнадцять шістнадцяти",
    17: "seventeen семнадцать семнадцати сямнаццаць сямнаццаці сімнадцять сімнадцяти",
    18: "eighteen восемнадцать восемнадцати васямнаццаць васямнаццаці вісімнадцять вісімнадцяти",
    19: "nineteen девятнадцать девятнадцати дзевятнаццаць дзевятнаццаці дев'ятнадцять "
    "дев'ятнадцяти",
    20: "twenty двадцать двадцати дваццаць дваццаці двадцять двадцяти",
    30: "thirty тридцать тридцати трыццаць трыццаці тридцять тридцяти",
    40: "forty сорок сорока сорак сарака",
    50: "fifty пятьдесят пятидесяти пяцьдзясят пяцідзесяці п'ятдесят п'ятдесяти",
    60: "sixty шестьдесят шестидесяти шэсцьдзясят шасцідзесяці шістдесят шістдесяти",
    70: "seventy семьдесят семидесяти семдзесят сямідзесяці сімдесят сімдесяти",
    80: "eighty восемьдесят восьмидесяти восемдзесят васьмідзесяці вісімдесят вісімдесяти",
    90: "ninety девяносто девяноста дзевяноста дев'яносто дев'яноста",
    100: "hundred сто ста сотня сотни сотні",
    200: "двести двухсот дзвесце двухсот двісті двохсот",
    300: "триста трёхсот трехсот трыста трохсот трьохсот",
    400: "четыреста четырёхсот четырехсот чатырыста чатырохсот чотириста чотирьохсот",
    500: "пятьсот пятисот пяцьсот пяцісот п'ятсот п'ятисот",
    1000: "thousand тысяча тысячи тысяч тысячы тисяча тисячі тисяч",
}
NUMBER_WORDS: Mapping[str, int] = {
    word: value for value, words in _WORDS.items() for word in words.split()
}
_MULTIPLIERS = {100, 1000}

# Words that make a number rough: before it ("about 5") or after it ("100 or so").
_ROUGH_BEFORE = {
    "about", "approximately", "approx", "around", "roughly", "circa", "ca", "maybe", "perhaps",
    "nearly", "almost", "over", "more than", "at least", "less than", "under", "up to",
    "fewer than", "some", "~", "≈", "около", "примерно", "приблизительно", "где-то", "порядка",
    "почти", "больше", "более", "больше чем", "не меньше", "не менее", "меньше", "менее",
    "свыше", "каля", "прыкладна", "прыблізна", "дзесьці", "амаль", "больш",
    "больш за", "больш як", "не менш", "не менш за", "менш", "менш за", "звыш", "блізка",
    "близько", "приблизно", "десь", "майже", "біля", "понад", "більше", "більш ніж",
    "більше ніж", "не менше", "не менше ніж", "менше", "менше ніж", "до", "да",
}  # fmt: skip
_ROUGH_AFTER = {
    "+", "?", "or so", "or more", "and more", "plus", "с лишним", "и больше", "или больше",
    "или более", "з лішкам", "і больш", "ці больш", "з гаком", "і більше", "чи більше",
    "або більше",
}  # fmt: skip
# Counted things a witness may add after the number ("5 people", "3 дня").
_UNITS = {
    "people", "persons", "person", "men", "guys", "of them", "days", "day", "человек", "чел",
    "людей", "человека", "дней", "дня", "день", "суток", "сутки", "чалавек", "людзей", "дзён",
    "дні", "дзень", "сутак", "осіб", "особи", "чоловік", "днів", "діб", "доби",
}  # fmt: skip
_RANGE = re.compile(
    r"^(?:(?:from|between|от|ад|від|з)\s+)?(?P<low>.+?)\s*"
    r"(?:-|–|—|\.\.|\bto\b|\band\b|\bor\b|\bдо\b|\bда\b|\bили\b|\bці\b|\bчи\b|\bабо\b|\bи\b|\bі\b)"
    r"\s*(?P<high>.+)$"
)
_DIGITS = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})


@dataclass(frozen=True, slots=True)
class NumberReading:
    """A number read from text: ``value`` (the low end of a range), ``high`` (its high end, or
    None), and ``approximate`` (the witness said it was rough)."""

    value: int | float
    high: int | float | None = None
    approximate: bool = False


def read_rough_number(text: str) -> NumberReading | None:
    """What number ``text`` says, or None if it says none (see the module docstring)."""
    phrase = _normalise(text)
    approximate = False
    changed = True
    while changed and phrase:
        changed = False
        for rough in sorted(_ROUGH_BEFORE, key=len, reverse=True):
            if phrase.startswith(rough + " ") or (rough in "~≈" and phrase.startswith(rough)):
                phrase, approximate, changed = phrase[len(rough) :].strip(), True, True
        for tail in sorted(_ROUGH_AFTER | _UNITS, key=len, reverse=True):
            if phrase.endswith(" " + tail) or (tail in "+?" and phrase.endswith(tail)):
                phrase, changed = phrase[: -len(tail)].strip(), True
                approximate = approximate or tail in _ROUGH_AFTER
    single = _phrase_value(phrase)
    if single is not None:
        return NumberReading(single, None, approximate)
    match = _RANGE.match(phrase)
    if match is None:
        return None
    low, high = _phrase_value(match["low"]), _phrase_value(match["high"])
    if low is None or high is None or high <= low:
        return None
    return NumberReading(low, high, approximate)


def _normalise(text: str) -> str:
    text = text.lower().translate(_APOSTROPHES)
    text = re.sub(r"(?<=\d)[\s\u00a0\u202f'](?=\d{3}\b)", "", text)  # 1 000 → 1000
    text = re.sub(r"[!.…]+$", "", text.strip())
    text = re.sub(r"(?<=\d)(?=[+?])|(?<=[~≈])(?=\d)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _phrase_value(phrase: str) -> int | float | None:
    """One number: digits (``2,5`` too) or words (``двадцать пять``, ``two hundred``)."""
    phrase = phrase.strip()
    if len(phrase) > 60:  # int() refuses > 4300 digits; no count is written that long
        return None
    if _DIGITS.fullmatch(phrase):
        cleaned = phrase.replace(",", ".")
        number = float(cleaned) if "." in cleaned else int(cleaned)
        return int(number) if isinstance(number, float) and number.is_integer() else number
    words = [w for w in re.split(r"[\s-]+", phrase) if w and w not in ("and", "a", "і", "и")]
    if not words:
        return None
    total, current, last = 0, 0, None
    for word in words:
        value = int(word) if re.fullmatch("[0-9]{1,6}", word) else NUMBER_WORDS.get(word)
        if value is None:
            return None
        if value in _MULTIPLIERS and last is not None and last < value:
            current = max(current, 1) * value
            if value == 1000:
                total, current = total + current, 0
        elif last is not None and (value >= last or (last < 10 and value < 10)):
            return None  # "five twenty", "two three": not one number
        else:
            current += value
        last = value
    return total + current
