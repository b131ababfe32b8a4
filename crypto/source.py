"""A small read buffer over any binary stream: line reads for the header, exact reads after.

``decrypt`` accepts any object with ``read(n)`` (files, pipes, sockets, armor decoders). The header
is parsed line by line and the payload in whole chunks; this wrapper gives both without reading
byte by byte and without losing bytes read ahead.

Why it looks like this: the payload is read in large blocks (fewer calls into ``src``, and a
hashing wrapper such as the offline side's gets big contiguous buffers) and chunks are handed to
the cipher as views into the block (:meth:`Source.read_view`), not copies; only a chunk that
straddles two blocks is joined. When ``src`` has ``readinto`` the blocks are reused buffers of
:mod:`crypto.buffers` (a view handed out never changes under its holder).
"""

from __future__ import annotations

from typing import Protocol

from crypto.buffers import BLOCK, free_buffer


class Readable(Protocol):
    """Anything with ``read(n) -> bytes`` (short reads allowed, ``b""`` at EOF)."""

    def read(self, n: int = -1, /) -> bytes: ...


class Source:
    """Buffered reader with ``peek``, ``readline(limit)``, ``read_exact`` and ``read_view``."""

    def __init__(self, src: Readable) -> None:
        self._src = src
        self._readinto = getattr(src, "readinto", None)
        self._buf: bytes | bytearray = b""  # the current block, valid up to _end
        self._pos = 0  # bytes before _pos are consumed
        self._end = 0
        self._eof = False

    def _read(self, want: int) -> tuple[bytes | bytearray, int]:
        """The next block of ``src`` and its length (0 at EOF, remembered)."""
        if self._eof:
            return b"", 0
        buf: bytes | bytearray
        if self._readinto is not None and want <= BLOCK:
            buf = free_buffer()
            n = self._readinto(buf) or 0
        else:
            data = self._src.read(max(BLOCK, want))
            buf, n = data, len(data)
        if not n:
            self._eof = True
        return buf, n

    def _fill(self, want: int) -> None:
        """Make ``want`` unconsumed bytes contiguous in the current block (fewer at EOF)."""
        have = self._end - self._pos
        if have >= want or self._eof:
            return
        parts = [memoryview(self._buf)[self._pos : self._end]] if have else []
        block: bytes | bytearray = b""
        while have < want:
            block, n = self._read(want - have)
            if not n:
                break
            parts.append(memoryview(block)[:n])
            have += n
        if len(parts) == 1 and parts[0].obj is block:
            self._buf = block  # one new block: no copy
        else:
            self._buf = b"".join(parts)
        self._pos, self._end = 0, have

    def peek(self, n: int) -> bytes:
        """Up to ``n`` bytes without consuming them (fewer only at EOF)."""
        self._fill(n)
        return self._slice(self._pos, min(self._pos + n, self._end))

    def readline(self, limit: int) -> bytes:
        """One line including its LF; at most ``limit`` bytes; shorter without LF only at EOF."""
        start = self._pos
        while True:
            idx = self._buf.find(b"\n", start, min(self._pos + limit, self._end))
            if idx >= 0:
                return self._take(idx + 1 - self._pos)
            have = self._end - self._pos
            if have >= limit or self._eof:
                return self._take(min(limit, have))
            self._fill(have + 1)
            start = self._pos + have

    def read_exact(self, n: int) -> bytes:
        """Exactly ``n`` bytes, fewer only at EOF."""
        return bytes(self.read_view(n))

    def read_view(self, n: int) -> memoryview:
        """Exactly ``n`` bytes (fewer only at EOF) as a view; no copy within a block.

        The view's bytes stay unchanged for as long as the view (or a slice of it) is alive.
        """
        if self._end - self._pos < n:
            return memoryview(self._straddle(n))
        view = memoryview(self._buf)[self._pos : self._pos + n]
        self._pos += n
        return view

    def _straddle(self, n: int) -> bytes:
        """``n`` bytes spanning blocks: join the tail of this one with the head of the next."""
        parts = [memoryview(self._buf)[self._pos : self._end]]
        have = len(parts[0])
        self._buf, self._pos, self._end = b"", 0, 0
        while have < n:
            buf, size = self._read(n - have)
            if not size:
                break
            take = min(n - have, size)
            if size > take:
                self._buf, self._pos, self._end = buf, take, size  # the rest stays, uncopied
            parts.append(memoryview(buf)[:take])
            have += take
        return b"".join(parts)

    def _slice(self, start: int, stop: int) -> bytes:
        if isinstance(self._buf, bytes):
            return self._buf[start:stop]
        return bytes(memoryview(self._buf)[start:stop])

    def _take(self, n: int) -> bytes:
        out = self._slice(self._pos, self._pos + n)
        self._pos += len(out)
        return out
