"""A small read buffer over any binary stream: line reads for the header, exact reads after.

``decrypt`` accepts any object with ``read(n)`` (files, pipes, sockets, armor decoders). The header
is parsed line by line and the payload in whole chunks; this wrapper gives both without reading
byte by byte and without losing bytes read ahead.

Why it looks like this: the payload is read in large blocks (fewer calls into ``src``, and a
hashing wrapper such as the offline side's gets big contiguous buffers) and chunks are handed to
the cipher as views into the block (:meth:`Source.read_view`), not copies; only a chunk that
straddles two blocks is joined. When ``src`` has ``readinto`` the blocks are reused buffers of
:mod:`crypto.buffers`, held by the source while it reads from them and while the last view it
handed out may still be in use (until the next :meth:`Source.read_view`); ``src`` itself may
hold a block it was given (a hashing reader does, until it hashed it).
"""

from __future__ import annotations

import contextlib
from typing import Protocol

from crypto import buffers
from crypto.buffers import BLOCK


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
        self._held: bytearray | None = None  # the pooled block that _buf is (held by us)
        self._lent: bytearray | None = None  # the pooled block of the last view handed out

    def close(self) -> None:
        """Give the pooled blocks back (views handed out may change from now on)."""
        held, lent = self._held, self._lent
        self._held = self._lent = None
        self._buf, self._pos, self._end = b"", 0, 0
        for buf in (held, lent):
            if buf is not None:
                buffers.release(buf)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # (at interpreter exit the module may be gone)
            self.close()

    def _read(self, want: int) -> tuple[bytes | bytearray, int, bytearray | None]:
        """The next block of ``src``, its length (0 at EOF, remembered), and the block again if
        it is a pooled buffer (then held by the caller)."""
        if self._eof:
            return b"", 0, None
        if self._readinto is not None and want <= BLOCK:
            buf = buffers.acquire()
            try:
                n = self._readinto(buf) or 0
            except BaseException:
                buffers.release(buf)
                raise
            if n:
                return buf, n, buf
            buffers.release(buf)
            self._eof = True
            return b"", 0, None
        data = self._src.read(max(BLOCK, want))
        if not data:
            self._eof = True
        return data, len(data), None

    def _become(self, buf: bytes | bytearray, held: bytearray | None) -> None:
        """Make ``buf`` the current block (``held``: the pooled buffer it is, now ours)."""
        old, self._buf, self._held = self._held, buf, held
        if old is not None:
            buffers.release(old)

    def _fill(self, want: int) -> None:
        """Make ``want`` unconsumed bytes contiguous in the current block (fewer at EOF)."""
        have = self._end - self._pos
        if have >= want or self._eof:
            return
        parts = [memoryview(self._buf)[self._pos : self._end]] if have else []
        block: bytes | bytearray = b""
        taken: list[bytearray] = []  # pooled blocks read here, held by this call
        while have < want:
            block, n, pooled = self._read(want - have)
            if not n:
                break
            if pooled is not None:
                taken.append(pooled)
            parts.append(memoryview(block)[:n])
            have += n
        if len(parts) == 1 and parts[0].obj is block:
            self._become(block, taken[0] if taken else None)  # one new block: no copy
        else:
            self._become(b"".join(parts), None)
            for buf in taken:
                buffers.release(buf)
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

        The view's bytes stay unchanged until the next ``read_view`` (or :meth:`close`); to keep
        it longer, :func:`crypto.buffers.hold` it (and release it when done).
        """
        lent = self._lent  # the caller is done with the previous view: its block may go
        if self._end - self._pos < n:
            self._lent = None
            joined = memoryview(self._straddle(n))
            if lent is not None:
                buffers.release(lent)
            return joined
        view = memoryview(self._buf)[self._pos : self._pos + n]
        if lent is not self._held:  # (views from one block: one hold for them all)
            if self._held is not None:
                buffers.hold(self._held)
            self._lent = self._held
            if lent is not None:
                buffers.release(lent)
        self._pos += n
        return view

    def _straddle(self, n: int) -> bytes:
        """``n`` bytes spanning blocks: join the tail of this one with the head of the next."""
        parts = [memoryview(self._buf)[self._pos : self._end]]
        have = len(parts[0])
        old, self._held = self._held, None
        self._buf, self._pos, self._end = b"", 0, 0
        taken: list[bytearray] = []
        while have < n:
            buf, size, pooled = self._read(n - have)
            if not size:
                break
            take = min(n - have, size)
            if size > take:  # the rest stays, uncopied: the new current block
                self._buf, self._pos, self._end = buf, take, size
                self._held = pooled
            elif pooled is not None:
                taken.append(pooled)
            parts.append(memoryview(buf)[:take])
            have += take
        out = b"".join(parts)
        for done in [old, *taken]:
            if done is not None:
                buffers.release(done)
        return out

    def _slice(self, start: int, stop: int) -> bytes:
        if isinstance(self._buf, bytes):
            return self._buf[start:stop]
        return bytes(memoryview(self._buf)[start:stop])

    def _take(self, n: int) -> bytes:
        out = self._slice(self._pos, self._pos + n)
        self._pos += len(out)
        return out
