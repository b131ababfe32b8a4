"""Progress on stderr: a redrawn bar when stderr is a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from typing import TextIO

_WIDTH = 30


class Progress:
    """Per-file result lines plus, for batches on a terminal, a bar kept on the last line."""

    def __init__(
        self,
        total: int,
        *,
        out: TextIO | None = None,
        err: TextIO | None = None,
        bar: bool | None = None,
    ) -> None:
        self._out = out if out is not None else sys.stdout
        self._err = err if err is not None else sys.stderr
        self._total = total
        self._done = 0
        self._bar = (total > 1 and self._err.isatty()) if bar is None else bar
        self._drawn = False

    def say(self, text: str, *, error: bool = False) -> None:
        """Print one result line (errors to stderr) without garbling the bar."""
        self._clear()
        print(text, file=self._err if error else self._out, flush=True)
        self._draw()

    def advance(self) -> None:
        """One more file finished."""
        self._done += 1
        self._draw()

    def close(self) -> None:
        """Remove the bar."""
        self._clear()
        self._bar = False

    def _clear(self) -> None:
        if self._drawn:
            self._err.write("\r\x1b[2K")
            self._err.flush()
            self._drawn = False

    def _draw(self) -> None:
        if not self._bar:
            return
        filled = _WIDTH * self._done // max(self._total, 1)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self._err.write(f"\r[{bar}] {self._done}/{self._total}")
        self._err.flush()
        self._drawn = True
