"""What the value of an answer looks like, per question type — defined here and nowhere else.

The engine builds values with :func:`point` and :func:`place` and bounds typed input with
:func:`max_length` and :data:`MAX_MAGNITUDE`; the repair step keeps a stored answer only while it
:func:`fits` its question; the submission validator accepts a value only if it :func:`has_shape`
of its type. So whatever the engine accepts is, by construction, what a sealed file may carry.

========================  ===============================================================
type                      value (``None`` in a draft, ``null`` + ``skipped`` when skipped)
========================  ===============================================================
text                      a string (the engine: cleaned, not blank, ≤ :func:`max_length`)
long_text                 a string, as text; empty only when the witness spoke instead
                          (the voice messages are listed in the answer's ``files``)
choice                    an option id
multi_choice              a list of option ids (the engine: at least one)
yes_no                    ``true`` / ``false``
date                      ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, each part a real calendar value
number                    a finite number, not a boolean
location                  ``{"latitude": -90…90, "longitude": -180…180}`` (shared) or
                          ``{"text": "…"}`` (typed description of the place)
media                     a list of attachment ids (in ``submission.json``: attachment paths)
========================  ===============================================================

Next to the value, an answer may keep what the witness said around it (:data:`DETAIL_CHECKS`,
"details" in a draft, additive keys in ``submission.json``): ``written`` (the text a number or
date was read from), ``approximate`` (``true``: "about 5"), ``range`` (``[low, high]``: "5-6";
the value is ``low``) and ``files`` (the files sent at a text or long_text question — voice
messages, photos: attachment ids, in ``submission.json`` attachment paths).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping

from intake.questionnaire.model import DEFAULT_MAX_LENGTH, AnswerValue, Question

LATITUDE, LONGITUDE = "latitude", "longitude"
PLACE = "text"  # the key of a typed location description
MAX_MAGNITUDE = 1e12  # a number beyond this is a typing accident, never a count or an age
_FALLBACK_MAX_LENGTH = 500
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", re.ASCII)


def point(latitude: float, longitude: float) -> dict[str, float] | None:
    """A shared location as an answer value, or None when it is not a place on Earth."""
    value = {LATITUDE: latitude, LONGITUDE: longitude}
    return value if _is_point(value) else None


def place(description: str) -> dict[str, str]:
    """A typed description of a place (already cleaned and bounded) as a location value."""
    return {PLACE: description}


def place_text(value: object) -> str | None:
    """The typed description of a location value, or None for a shared point (or no location)."""
    if not isinstance(value, dict) or set(value) != {PLACE}:
        return None
    text = value[PLACE]
    return text if isinstance(text, str) else None


def max_length(question: Question) -> int:
    """The most characters a typed answer to ``question`` may have."""
    return question.max_length or DEFAULT_MAX_LENGTH.get(question.type, _FALLBACK_MAX_LENGTH)


def is_date(text: str) -> bool:
    """``YYYY-MM-DD``, or a partial date the witness gave: ``YYYY-MM`` or ``YYYY``."""
    match = _DATE_RE.fullmatch(text)
    if match is None:
        return False
    year, month, day = match.groups()
    if int(year) < 1:
        return False
    if month is not None and not 1 <= int(month) <= 12:
        return False
    if day is None:
        return True
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def has_shape(question_type: str, value: object) -> bool:
    """Whether ``value`` is a value (not a skip) of ``question_type`` at all — what a reader of
    ``submission.json``, who does not know the questionnaire, can check."""
    if question_type in ("text", "long_text", "choice"):
        return isinstance(value, str)
    if question_type in ("multi_choice", "media"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if question_type == "yes_no":
        return isinstance(value, bool)
    if question_type == "number":
        return _is_number(value)
    if question_type == "date":
        return isinstance(value, str) and is_date(value)
    if question_type == "location":
        return _is_point(value) or place_text(value) is not None
    return False


#: The question types whose answer may carry files: a voice message spoken instead of typing, a
#: photo or document the witness sent at the question (kept with the answer, never refused).
ATTACHING = ("text", "long_text")


def fits(question: Question, value: AnswerValue, *, spoken: bool = False) -> bool:
    """Whether ``value`` answers ``question`` as it stands now (``None`` = skipped: fits unless
    the question is required): its shape, and the question's options, length and bounds.
    ``spoken``: the answer has files (voice messages, photos), so a text answer may be empty."""
    if value is None:
        return not question.required
    if not has_shape(question.type, value):
        return False
    kind = question.type
    if kind in ATTACHING and spoken and value == "":
        return True
    if kind in ("text", "long_text"):
        return isinstance(value, str) and _fits_text(question, value)
    if kind == "location":
        text = place_text(value)
        return text is None or _fits_text(question, text)
    if kind == "choice":
        return isinstance(value, str) and question.option(value) is not None
    if kind == "multi_choice":
        ids = {o.id for o in question.options}
        return isinstance(value, list) and bool(value) and all(v in ids for v in value)
    if kind == "number":
        return isinstance(value, int | float) and _within(question, value)
    if kind == "media":
        return bool(value)
    return True  # yes_no, date: the shape is all there is


def _is_range(value: object) -> bool:
    if not isinstance(value, list) or len(value) != 2 or not all(_is_number(v) for v in value):
        return False
    return bool(value[0] < value[1])


#: The details an answer may carry next to its value, and the shape of each.
DETAIL_CHECKS: Mapping[str, Callable[[object], bool]] = {
    "written": lambda v: isinstance(v, str),
    "approximate": lambda v: v is True,
    "range": _is_range,
    "files": lambda v: isinstance(v, list) and all(isinstance(p, str) for p in v),
}


def is_answer_value(value: object) -> bool:
    """Whether ``value`` is JSON an :data:`AnswerValue` can be (for reading a stored draft)."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(k, str) and isinstance(v, str | int | float) for k, v in value.items()
        )
    return False


def _fits_text(question: Question, text: str) -> bool:
    return 0 < len(text) <= max_length(question)


def _within(question: Question, number: float) -> bool:
    if abs(number) > MAX_MAGNITUDE:
        return False
    if question.min is not None and number < question.min:
        return False
    return question.max is None or number <= question.max


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float (a hostile file): not a number we write
        return False


def _is_point(value: object) -> bool:
    if not isinstance(value, dict) or set(value) != {LATITUDE, LONGITUDE}:
        return False
    lat, lon = value[LATITUDE], value[LONGITUDE]
    if not (_is_number(lat) and _is_number(lon)):
        return False
    return bool(-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0)
