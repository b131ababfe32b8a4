"""Decryption: parse and authenticate the header eagerly, then stream the payload chunk by chunk."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import BinaryIO

from crypto.armor import ArmorReader
from crypto.base import Identity
from crypto.errors import HeaderError, NoIdentityMatchError, PayloadError
from crypto.format import VERSION_PREFIX, Header, parse_header, verify_mac
from crypto.source import Readable, Source
from crypto.stream import CHUNK, NONCE_SIZE, ChunkOpener, payload_key


def _open_source(src: Readable) -> Source:
    """Binary age files start with the version line; anything else must be ASCII armor."""
    source = Source(src)
    head = source.peek(len(VERSION_PREFIX))
    if head.startswith(VERSION_PREFIX) or VERSION_PREFIX.startswith(head):
        return source  # includes an empty or truncated file: a header failure, not an armor one
    return Source(ArmorReader(source))


def unwrap_file_key(header: Header, identities: Sequence[Identity]) -> bytes:
    """The file key from the first identity that matches; checks scrypt-alone and the MAC."""
    if any(s.type == "scrypt" for s in header.stanzas) and len(header.stanzas) != 1:
        raise HeaderError("an scrypt stanza must be the only stanza in the header")
    if not identities:
        raise ValueError("no identities given")
    for identity in identities:
        file_key = identity.unwrap(header.stanzas)
        if file_key is not None:
            verify_mac(file_key, header.mac_input, header.mac)
            return file_key
    raise NoIdentityMatchError("no identity matched any of the file's recipients")


class DecryptReader(io.RawIOBase):
    """The plaintext as a readable stream; raises PayloadError at the first bad chunk."""

    def __init__(self, opener: ChunkOpener) -> None:
        super().__init__()
        self._opener = opener
        self._chunk = b""
        self._pos = 0
        self._error: PayloadError | None = None

    def readable(self) -> bool:
        return True

    def _next(self) -> bool:
        while self._pos >= len(self._chunk):
            if self._error is not None:
                raise self._error  # sticky: never resume after a bad chunk
            if self._opener.finished:
                return False
            try:
                self._chunk = self._opener.next_chunk()
            except PayloadError as exc:
                self._error = exc
                raise
            self._pos = 0
        return True

    def readline(self, size: int | None = -1) -> bytes:
        """One line (up to and including LF), found chunk-wise rather than byte by byte."""
        parts: list[bytes] = []
        limit = -1 if size is None else size
        while limit != 0 and self._next():
            end = self._chunk.find(b"\n", self._pos)
            stop = len(self._chunk) if end < 0 else end + 1
            if limit > 0:
                stop = min(stop, self._pos + limit)
                limit -= stop - self._pos
            parts.append(self._chunk[self._pos : stop])
            self._pos = stop
            if parts[-1].endswith(b"\n"):
                break
        return b"".join(parts)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` with as many authenticated bytes as fit (0 only at the end).

        Whole chunks are decrypted straight into ``buffer``, so a large buffer costs no copy.
        A bad chunk after some bytes were filled ends this call early; the next call raises.
        """
        view = memoryview(buffer).cast("B")
        total = 0
        while total < len(view):
            if self._pos < len(self._chunk):
                n = min(len(view) - total, len(self._chunk) - self._pos)
                view[total : total + n] = self._chunk[self._pos : self._pos + n]
                self._pos += n
                total += n
                continue
            if self._error is not None:
                if total:
                    break
                raise self._error  # sticky: never resume after a bad chunk
            if self._opener.finished:
                break
            try:
                if len(view) - total >= CHUNK:
                    total += self._opener.next_chunk_into(view[total:])
                else:
                    self._chunk, self._pos = self._opener.next_chunk(), 0
            except PayloadError as exc:
                self._error = exc
                if not total:
                    raise
        return total

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all if negative); ``b""`` only at the authenticated end."""
        if size is None or size < 0:
            return self.readall()
        if size == 0 or not self._next():
            return b""
        if self._pos == 0 and size >= len(self._chunk):
            out, self._chunk = self._chunk, b""
            return out
        out = self._chunk[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def readall(self) -> bytes:
        """Everything that remains (for small files; stream large ones with ``read(n)``)."""
        parts = []
        while self._next():
            parts.append(self._chunk[self._pos :])
            self._pos = len(self._chunk)
        return b"".join(parts)


def decrypt(src: BinaryIO | Readable, identities: Sequence[Identity]) -> DecryptReader:
    """Open an age file (binary or armored) read from ``src`` with any of ``identities``."""
    source = _open_source(src)
    header = parse_header(source.readline)
    file_key = unwrap_file_key(header, identities)
    nonce = source.read_exact(NONCE_SIZE)
    if len(nonce) != NONCE_SIZE:
        raise HeaderError("file truncated: payload nonce missing")
    return DecryptReader(ChunkOpener(payload_key(file_key, nonce), source))
