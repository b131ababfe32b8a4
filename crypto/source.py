"""A small read buffer over any binary stream: line reads for the header, exact reads after.

``decrypt`` accepts any object with ``read(n)`` (files, pipes, sockets, armor decoders). The header
is parsed line by line and the payload in whole chunks; this wrapper gives both without reading
byte by byte and without losing bytes read ahead.
"""

from __future__ import annotations

from typing import Protocol

BLOCK = 64 * 1024


class Readable(Protocol):
    """Anything with ``read(n) -> bytes`` (short reads allowed, ``b""`` at EOF)."""

    def read(self, n: int = -1, /) -> bytes: ...


class Source:
    """Buffered reader with ``peek``, ``readline(limit)`` and ``read_exact``."""

    def __init__(self, src: Readable) -> None:
        self._src = src
        self._buf = bytearray()
        self._eof = False

    def _fill(self, want: int) -> None:
        while len(self._buf) < want and not self._eof:
            data = self._src.read(max(BLOCK, want - len(self._buf)))
            if not data:
                self._eof = True
            else:
                self._buf += data

    def peek(self, n: int) -> bytes:
        """Up to ``n`` bytes without consuming them (fewer only at EOF)."""
        self._fill(n)
        return bytes(self._buf[:n])

    def readline(self, limit: int) -> bytes:
        """One line including its LF; at most ``limit`` bytes; shorter without LF only at EOF."""
        start = 0
        while True:
            idx = self._buf.find(b"\n", start)
            if idx >= 0 and idx < limit:
                return self._take(idx + 1)
            if len(self._buf) >= limit or self._eof:
                return self._take(min(limit, len(self._buf)))
            start = len(self._buf)
            self._fill(len(self._buf) + 1)

    def read_exact(self, n: int) -> bytes:
        """Exactly ``n`` bytes, fewer only at EOF."""
        self._fill(n)
        return self._take(min(n, len(self._buf)))

    def _take(self, n: int) -> bytes:
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out
