"""JSON from untrusted files, decoded within bounds: nesting, integer length, duplicates, text.

Python's ``json`` refuses little: 200,000 nested arrays end in a ``RecursionError``, an integer of
more than 4,300 digits in a ``ValueError`` from ``int()``, ``NaN`` and duplicate keys are accepted,
and a lone UTF-16 surrogate (``"\\ud800"``) decodes to a ``str`` that cannot be written as UTF-8.
What is read from a stick or from inside a sealed file goes through :func:`loads` (or
:func:`decoder` and :func:`raw_decode` for a stream); every failure is a :class:`StrictJSONError`
whose message says what is wrong without quoting the content.
"""

from __future__ import annotations

import json
import re
from itertools import chain
from typing import Any

MAX_NESTING = 32  # our documents nest 4 deep; json's own limit is a RecursionError, not a message
MAX_INT_DIGITS = 64  # a number answer has at most 40 characters (engine/inputs.py)

_CONTAINERS = (dict, list)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# The only way a lone surrogate gets into decoded text (UTF-8 cannot carry one): a \uD800-\uDFFF
# escape. Text without one (almost all of it) needs no walk over its strings.
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")


class StrictJSONError(ValueError):
    """The text is not JSON we accept; the message says why (never quoting content)."""


class LongNumber(str):
    """A JSON integer with more than :data:`MAX_INT_DIGITS` digits, kept as its text.

    Python refuses to convert more than 4,300 digits at all, and nothing we read needs more than
    a few dozen: where a number is expected it is refused with a reason; elsewhere (an informational
    key) it stays a string.
    """

    @property
    def digits(self) -> int:
        """How many digits it has."""
        return len(self.lstrip("-"))


def decoder() -> json.JSONDecoder:
    """A decoder refusing NaN/Infinity and duplicate keys, keeping long integers as text."""
    return json.JSONDecoder(
        object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_int=_bounded_int
    )


def loads(data: bytes | bytearray | str) -> Any:
    """Decode a whole document (UTF-8 bytes or text) and check it with :func:`check_tree`."""
    raw_surrogates = isinstance(data, str)  # strict UTF-8 decoding lets none through
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StrictJSONError(f"not UTF-8 ({exc.reason})") from None
    try:
        obj = decoder().decode(data)
    except json.JSONDecodeError as exc:
        raise StrictJSONError(f"invalid JSON ({exc})") from None
    except RecursionError:
        raise StrictJSONError(f"nested deeper than {MAX_NESTING} levels") from None
    _check_depth(obj)
    escaped = "\\u" in data and _SURROGATE_ESCAPE_RE.search(data)  # the find is much faster
    if escaped or (raw_surrogates and _SURROGATE_RE.search(data)):
        _check_strings(obj)
    return obj


def raw_decode(dec: json.JSONDecoder, text: str, pos: int) -> tuple[Any, int]:
    """One value of ``text`` at ``pos`` (no leading space), checked; ``JSONDecodeError`` passes
    through unchanged so a streaming caller can read more and try again."""
    try:
        obj, end = dec.raw_decode(text, pos)
    except RecursionError:
        raise StrictJSONError(f"nested deeper than {MAX_NESTING} levels") from None
    check_tree(obj)
    return obj, end


def check_tree(root: Any) -> None:
    """Refuse nesting deeper than :data:`MAX_NESTING` and strings UTF-8 cannot encode.

    Iterative, so the check itself cannot run out of stack; keys are checked like values.
    """
    _check_depth(root)
    _check_strings(root)


def _check_depth(root: Any) -> None:
    """Walk the containers level by level, the values of a level chained in C: a summary of 3 KB
    has ~50 containers and ~300 values, and a rebuild of the indexes reads 20,000 of them.

    Decoded JSON holds exact ``dict`` and ``list`` objects only, hence ``type(…) in``.
    """
    level = [root] if type(root) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_NESTING:
            raise StrictJSONError(f"nested deeper than {MAX_NESTING} levels")
        values = chain.from_iterable([n.values() if type(n) is dict else n for n in level])
        level = [child for child in values if type(child) in _CONTAINERS]


def _check_strings(root: Any) -> None:
    """Refuse a string (value or key) holding a lone surrogate; depth is already bounded."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if _SURROGATE_RE.search(node):
                raise StrictJSONError("a string holds a lone UTF-16 surrogate (not valid text)")
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _bounded_int(text: str) -> int | LongNumber:
    if len(text) <= MAX_INT_DIGITS:  # nearly every integer: no LongNumber made to count digits
        return int(text)
    number = LongNumber(text)
    return number if number.digits > MAX_INT_DIGITS else int(text)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise StrictJSONError(f"duplicate key {key[:40]!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not valid JSON")
