"""A small read buffer over any binary stream: line reads for the header, exact reads after.

``decrypt`` accepts any object with ``read(n)`` (files, pipes, sockets, armor decoders). The header
is parsed line by line and the payload in whole chunks; this wrapper gives both without reading
byte by byte and without losing bytes read ahead.

Why it looks like this: the payload is read in large blocks (fewer calls into ``src``, and a
hashing wrapper such as the offline side's gets big contiguous buffers) and each block is kept as
the immutable ``bytes`` that ``src`` returned. Payload chunks are handed out as views into it
(:meth:`Source.read_view`), so ciphertext is not copied on its way to the cipher; only a chunk that
straddles two blocks is joined (at most one chunk per block).
"""

from __future__ import annotations

from typing import Protocol

BLOCK = 1024 * 1024


class Readable(Protocol):
    """Anything with ``read(n) -> bytes`` (short reads allowed, ``b""`` at EOF)."""

    def read(self, n: int = -1, /) -> bytes: ...


class Source:
    """Buffered reader with ``peek``, ``readline(limit)``, ``read_exact`` and ``read_view``."""

    def __init__(self, src: Readable) -> None:
        self._src = src
        self._buf = b""  # the current block; bytes before _pos are consumed
        self._pos = 0
        self._eof = False

    def _read(self, want: int) -> bytes:
        """The next block of ``src`` (``b""`` at EOF, remembered)."""
        if self._eof:
            return b""
        data = self._src.read(max(BLOCK, want))
        if not data:
            self._eof = True
        return data

    def _fill(self, want: int) -> None:
        """Make ``want`` unconsumed bytes contiguous in the current block (fewer at EOF)."""
        have = len(self._buf) - self._pos
        if have >= want or self._eof:
            return
        parts = [self._buf[self._pos :]] if have else []
        while have < want:
            data = self._read(want - have)
            if not data:
                break
            parts.append(data)
            have += len(data)
        self._buf = parts[0] if len(parts) == 1 else b"".join(parts)
        self._pos = 0

    def peek(self, n: int) -> bytes:
        """Up to ``n`` bytes without consuming them (fewer only at EOF)."""
        self._fill(n)
        return self._buf[self._pos : self._pos + n]

    def readline(self, limit: int) -> bytes:
        """One line including its LF; at most ``limit`` bytes; shorter without LF only at EOF."""
        start = self._pos
        while True:
            idx = self._buf.find(b"\n", start, self._pos + limit)
            if idx >= 0:
                return self._take(idx + 1 - self._pos)
            have = len(self._buf) - self._pos
            if have >= limit or self._eof:
                return self._take(min(limit, have))
            self._fill(have + 1)
            start = self._pos + have

    def read_exact(self, n: int) -> bytes:
        """Exactly ``n`` bytes, fewer only at EOF."""
        return bytes(self.read_view(n))

    def read_view(self, n: int) -> memoryview:
        """Exactly ``n`` bytes (fewer only at EOF) as a read-only view; no copy within a block."""
        have = len(self._buf) - self._pos
        if have < n:
            return memoryview(self._straddle(n))
        view = memoryview(self._buf)[self._pos : self._pos + n]
        self._pos += n
        return view

    def _straddle(self, n: int) -> bytes:
        """``n`` bytes spanning blocks: join the tail of this one with the head of the next."""
        parts = [self._buf[self._pos :]]
        have = len(parts[0])
        self._buf, self._pos = b"", 0
        while have < n:
            data = self._read(n - have)
            if not data:
                break
            take = n - have
            if len(data) > take:
                self._buf, self._pos = data, take  # keep the rest of the block, uncopied
                data = data[:take]
            parts.append(data)
            have += len(data)
        return b"".join(parts)

    def _take(self, n: int) -> bytes:
        out = self._buf[self._pos : self._pos + n]
        self._pos += len(out)
        return out
