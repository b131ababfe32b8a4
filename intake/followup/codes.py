"""Follow-up codes: 24 random decimal digits, shown as six groups of four.

``log2(10^24) ≈ 79.7`` bits. Digits only: no switching between Cyrillic and Latin keyboards, and a
code can be kept as a phone contact. Typed back, every space, dash, dot or comma is ignored and
any Unicode decimal digit counts as its value (Arabic-Indic, Devanagari, full-width… digits typed
on another keyboard), so a code written ``4821-0937 5512.8064`` still reads; anything else — a
letter, a superscript, fewer or more than 24 digits — is not a code.
"""

from __future__ import annotations

import secrets
import unicodedata

DIGITS = 24
GROUP = 4
_SEPARATORS = frozenset(" \t\r\n-‐‑‒–—―.,·_/\u00a0\u2009\u202f\u2007")


def new_code() -> str:
    """A fresh random code: 24 digits (``secrets``), no separators."""
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def groups(code: str) -> list[str]:
    """The code's groups of four digits."""
    return [code[i : i + GROUP] for i in range(0, len(code), GROUP)]


def shown(code: str) -> str:
    """The code as shown to the witness: ``4821 0937 5512 8064 2290 7315``."""
    return " ".join(groups(code))


def last_group(code: str) -> str:
    """The group the witness types back to show they kept the code."""
    return groups(code)[-1]


def digits_of(text: str, limit: int = 64) -> str | None:
    """The decimal digits of ``text`` with separators dropped; None if it holds anything else
    (or is absurdly long: a code is never more than ``limit`` characters)."""
    if len(text) > limit * 4:
        return None
    out = []
    for char in text.strip():
        if char in _SEPARATORS:
            continue
        if unicodedata.category(char) != "Nd":
            return None
        out.append(str(unicodedata.decimal(char)))
        if len(out) > limit:
            return None
    return "".join(out)


def parse_code(text: str) -> str | None:
    """The 24 digits of a typed code, or None if ``text`` is not a code."""
    found = digits_of(text)
    return found if found is not None and len(found) == DIGITS else None
