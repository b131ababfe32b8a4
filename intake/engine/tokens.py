"""Button tokens: ``<rev>.<action>``, ASCII and short (Telegram callback_data is ≤ 64 bytes).

The revision makes every token single-use in effect: once the state moves on, a token from an older
message no longer matches and is rejected without effect. Actions name positions (``o.3`` = option
3), never free text, so a token never carries testimony.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TOKEN_BYTES = 48
_TOKEN_RE = re.compile(r"^(\d{1,12})\.([a-z]{1,6})(?:\.([a-z0-9]{1,8}))?$")

# action names
ACCEPT = "acc"
DECLINE = "dec"
LANGUAGE = "l"
OPTION = "o"
YES = "yes"
NO = "no"
DONE = "done"
SKIP = "skip"
BACK = "back"
KEEP = "keep"
CANCEL = "x"
EDIT = "e"
SUBMIT = "sub"
REVIEW = "rev"
DATE = "d"
CANCEL_YES = "xy"  # the confirmation: delete everything
CANCEL_NO = "xn"  # the confirmation: go on
PICK = "pick"  # the review's list of answers to change, page ``arg`` (0: back to the review)
REMOVE = "rm"  # remove upload ``arg`` from the files received
SAVE = "save"  # keep the files or choices pending, instead of skipping
DROP = "drop"  # skip the question, dropping the files or choices pending
JOIN = "join"  # the held message belongs to the previous answer
HERE = "here"  # the held message answers the question being asked
APPEND = "app"  # add the held message to this question's answer
REPLACE = "repl"  # the held message replaces this question's answer
DISCARD = "dis"  # leave the held message out
FOLLOWUP = "fu"  # the start screen: "I have a follow-up code"
SUBMIT_CODE = "subfu"  # the review: submit, and give me a follow-up code
NO_CODE = "nocode"  # the code shown at submit: submit without one after all
FU_ADD = "fuadd"  # back with a code: add information
FU_DONE = "fudone"  # back with a code: done reading


@dataclass(frozen=True, slots=True)
class Token:
    """A parsed token: the revision it was issued for, the action, and its argument ("" if none)."""

    rev: int
    action: str
    arg: str = ""


def make(rev: int, action: str, arg: str | int = "") -> str:
    """The token for ``action`` (with ``arg``) at revision ``rev``."""
    text = f"{rev}.{action}" if arg == "" else f"{rev}.{action}.{arg}"
    if len(text) > MAX_TOKEN_BYTES or not text.isascii():  # pragma: no cover - ids are checked
        raise ValueError(f"button token too long: {len(text)} bytes")
    return text


def parse(token: str) -> Token | None:
    """The token's parts, or None if it is not one the engine could have issued."""
    if len(token) > MAX_TOKEN_BYTES or not token.isascii():
        return None
    match = _TOKEN_RE.match(token)
    if match is None:
        return None
    return Token(int(match.group(1)), match.group(2), match.group(3) or "")
