"""ASCII armor: strict PEM (RFC 7468 §3) with label "AGE ENCRYPTED FILE", 64-column lines.

Strict because armor is otherwise malleable: no headers, no empty lines, no whitespace inside the
block, canonical padded base64, only the last data line may be short. Allowed: LF or CRLF line
endings (consistently), and whitespace before the BEGIN line and after the END line.
"""

from __future__ import annotations

import base64
import re
from typing import Protocol

from crypto.b64 import decode_padded
from crypto.errors import ArmorError
from crypto.source import Source

BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
END = b"-----END AGE ENCRYPTED FILE-----"
COLUMNS = 64
_BYTES_PER_LINE = COLUMNS // 4 * 3
_FULL_LINE = re.compile(rb"[A-Za-z0-9+/]{64}")
_FULL_LINES_LF = re.compile(rb"(?:[A-Za-z0-9+/]{64}\n)+")
_FULL_LINES_CRLF = re.compile(rb"(?:[A-Za-z0-9+/]{64}\r\n)+")
_WHITESPACE = b" \t\r\n"
_MAX_OUTSIDE = 64 * 1024  # whitespace accepted around the block
_BATCH = 1024  # lines decoded per base64 call


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class ArmorWriter:
    """Base64-encodes everything written into a PEM block on ``dst``; ``close()`` ends it."""

    def __init__(self, dst: _Sink) -> None:
        self._dst = dst
        self._pending = bytearray()  # < 48 bytes not yet encoded into a full line
        self._closed = False
        dst.write(BEGIN + b"\n")

    def write(self, data: bytes) -> int:
        """Encode whole 48-byte groups as 64-column lines; keep the remainder."""
        self._pending += data
        full = len(self._pending) // _BYTES_PER_LINE * _BYTES_PER_LINE
        if full:
            text = base64.b64encode(bytes(self._pending[:full]))
            lines = [text[i : i + COLUMNS] for i in range(0, len(text), COLUMNS)]
            self._dst.write(b"\n".join(lines) + b"\n")
            del self._pending[:full]
        return len(data)

    def close(self) -> None:
        """Write the last (short, padded) line and the END line. Does not close ``dst``."""
        if self._closed:
            return
        self._closed = True
        tail = base64.b64encode(bytes(self._pending)) + b"\n" if self._pending else b""
        self._dst.write(tail + END + b"\n")


class ArmorReader:
    """Decodes a strict armored age file from a :class:`Source`, line by line."""

    def __init__(self, src: Source) -> None:
        self._src = src
        self._eol = b"\n"
        self._out = b""
        self._done = False
        self._begin()

    def _begin(self) -> None:
        skipped = 0
        while self._src.peek(1) and self._src.peek(1) in _WHITESPACE:
            self._src.read_exact(1)
            skipped += 1
            if skipped > _MAX_OUTSIDE:
                raise ArmorError("not an age file: too much whitespace before the armor")
        line = self._src.readline(len(BEGIN) + 2)
        if line.endswith(b"\r\n"):
            self._eol = b"\r\n"
        if line[: -len(self._eol)] != BEGIN or not line.endswith(self._eol):
            raise ArmorError("not an age file: no binary header and no armor BEGIN line")

    def _line(self) -> bytes:
        line = self._src.readline(COLUMNS + 2)
        if line.endswith(self._eol):
            return line[: -len(self._eol)]
        if line == END:  # the END line may lack a final newline
            return line
        raise ArmorError("invalid armor: line too long, bad line ending, or missing END line")

    def _finish(self) -> None:
        rest = self._src.read_exact(_MAX_OUTSIDE + 1)
        if rest.strip(_WHITESPACE) or len(rest) > _MAX_OUTSIDE:
            raise ArmorError("invalid armor: data after the END line")
        self._done = True

    def _full_lines(self) -> bytes:
        """Fast path: decode a run of full 64-column lines at once (no per-line Python loop)."""
        pattern = _FULL_LINES_CRLF if self._eol == b"\r\n" else _FULL_LINES_LF
        block = self._src.peek((COLUMNS + len(self._eol)) * _BATCH)
        match = pattern.match(block)
        if match is None:
            return b""
        self._src.read_exact(match.end())
        return base64.b64decode(match.group().replace(self._eol, b""))

    def _decode_batch(self) -> bytes:
        fast = self._full_lines()
        if fast:
            return fast
        lines: list[bytes] = []
        while len(lines) < _BATCH:
            line = self._line()
            if line == END:
                self._finish()
                break
            if _FULL_LINE.fullmatch(line):
                lines.append(line)
                continue
            if not line or len(line) > COLUMNS:
                raise ArmorError("invalid armor: empty or over-long line")
            lines.append(line)  # the short (or padded) last data line: END must follow
            if self._line() != END:
                raise ArmorError("invalid armor: short line before the end of the data")
            self._finish()
            break
        try:
            return decode_padded(b"".join(lines))
        except ValueError as exc:
            raise ArmorError(f"invalid armor: {exc}") from None

    def read(self, n: int = -1, /) -> bytes:
        """Up to ``n`` decoded bytes; ``b""`` after the END line was validated."""
        while not self._out and not self._done:
            self._out = self._decode_batch()
        if n < 0:
            n = len(self._out)
        out, self._out = self._out[:n], self._out[n:]
        return out
