"""Every problem line the ``intake`` command prints: ``intake: error:``, ``warning:``, ``hint:``.

One helper, as age's ``tui.go``: commands never format these prefixes themselves, so every line
a user (or a script grepping stderr) sees has the same shape. Lines go to stderr unless a stream
is given (tests, or a progress display that must clear its bar first).
"""

from __future__ import annotations

import sys
from typing import Literal, TextIO

PROG = "intake"
Kind = Literal["error", "warning", "hint"]


def line(kind: Kind, message: str) -> str:
    """The text of one problem line, e.g. ``intake: error: no data dir at /srv/x``."""
    return f"{PROG}: {kind}: {message}"


def _emit(kind: Kind, message: str, file: TextIO | None) -> None:
    print(line(kind, message), file=file if file is not None else sys.stderr, flush=True)


def error(message: str, *, file: TextIO | None = None) -> None:
    """Print ``intake: error: <message>`` (something failed; the command says what it did)."""
    _emit("error", message, file)


def warning(message: str, *, file: TextIO | None = None) -> None:
    """Print ``intake: warning: <message>`` (it worked, but someone should look)."""
    _emit("warning", message, file)


def hint(message: str, *, file: TextIO | None = None) -> None:
    """Print ``intake: hint: <message>`` (what to do about the error just printed)."""
    _emit("hint", message, file)
