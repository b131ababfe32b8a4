"""A minimal forward-only tar reader over the decrypted stream, without copying member data.

``tarfile``'s stream mode copies every byte two or three times through its internal buffer; this
reader hands member data out as views of the decrypted plaintext. With a source that has
``readinto`` (crypto's ``DecryptReader``) the plaintext is decrypted straight into a 1 MiB buffer
per read, so a large attachment reaches its file and its hash in big contiguous pieces (one write
and one hand-off to the hashing thread per MiB, not per 64 KiB chunk). The buffers are
:mod:`crypto.buffers`' reused ones — the same pool the decryption reads into. The reader holds
its current buffer until it reads the next; whoever keeps a view longer holds the buffer too (the
hashing thread does, until it hashed it), so a buffer is handed out again only once nobody holds
it and a view handed out stays valid and unchanged. Headers are parsed by
``tarfile.TarInfo.frombuf`` (ustar, checksum, base-256 numbers); local PAX headers (``x``) are
applied for ``path`` and ``size``. Global PAX headers, GNU long names and sparse files are refused:
the sealer never writes them, and refusing keeps the allow-list in :mod:`.extract` exact. PAX
headers are bounded: at most one ``x`` header per member, of at most :data:`MAX_PAX` bytes, and
only the keys in :data:`PAX_KEYS` are kept (others are dropped as they are read) — 80 MB of
consecutive headers with distinct keys once took 750 MB of memory and were accepted.
"""

from __future__ import annotations

import contextlib
import re
import tarfile
from collections.abc import Iterator
from typing import Protocol

from crypto import buffers
from intake.offline.open_errors import ArchiveError

BLOCK = tarfile.BLOCKSIZE
_ZERO_BLOCK = bytes(BLOCK)
MAX_PAX = 64 * 1024  # a PAX header of our own tars is a few dozen bytes
#: what a PAX header may set that we read (``GNU.sparse*`` is kept only to be refused by name)
PAX_KEYS = frozenset({"path", "size", "linkpath"})
_DIGITS = re.compile(rb"[0-9]{1,20}")
_SIZE = re.compile(r"[0-9]{1,20}")


class Readable(Protocol):
    """The decrypted plaintext: anything with ``read(n)``."""

    def read(self, n: int = -1, /) -> bytes: ...


class TarStream:
    """Walk the members of a tar read from ``src``: :meth:`next` then :meth:`data` or skip."""

    def __init__(self, src: Readable) -> None:
        self._src = src
        self._chunk = memoryview(b"")
        self._pending = 0  # data + padding of the current member not consumed yet
        self._held: bytearray | None = None  # the pooled buffer _chunk views (held by us)

    def close(self) -> None:
        """Give the current buffer back (views handed out may change from now on)."""
        self._chunk = memoryview(b"")
        held, self._held = self._held, None
        if held is not None:
            buffers.release(held)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # (at interpreter exit the module may be gone)
            self.close()

    def _fill(self) -> memoryview:
        """The next piece of plaintext, in a buffer no one else is looking at."""
        readinto = getattr(self._src, "readinto", None)
        if readinto is None:
            return memoryview(self._src.read(64 * 1024))
        self.close()  # done with the previous buffer (a holder of a view holds it still)
        buf = buffers.acquire()
        try:
            n = readinto(buf)
        except BaseException:
            buffers.release(buf)
            raise
        self._held = buf
        return memoryview(buf)[:n]

    def _view(self, limit: int) -> memoryview:
        """Up to ``limit`` bytes from the current piece (reading the next one when empty)."""
        if not self._chunk:
            self._chunk = self._fill()
        view = self._chunk[:limit]
        self._chunk = self._chunk[len(view) :]
        return view

    def _exact(self, n: int) -> bytes:
        parts = []
        while n:
            view = self._view(n)
            if not view:
                break
            parts.append(bytes(view))
            n -= len(view)
        return b"".join(parts)

    def _skip(self, n: int) -> None:
        while n:
            view = self._view(n)
            if not view:
                raise ArchiveError("archive truncated")
            n -= len(view)

    def next(self) -> tarfile.TarInfo | None:
        """The next member header, or ``None`` at the end-of-archive marker."""
        self._skip(self._pending)
        self._pending = 0
        pax: dict[str, str] = {}
        headers = 0
        while True:
            block = self._exact(BLOCK)
            if len(block) != BLOCK:
                raise ArchiveError("archive truncated: no end-of-archive marker")
            if block == _ZERO_BLOCK:
                return None
            try:
                info = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
            except tarfile.HeaderError as exc:
                raise ArchiveError(f"not a valid tar archive ({exc})") from None
            if info.type != tarfile.XHDTYPE:
                break
            if headers:
                raise ArchiveError("more than one PAX header for one member")
            headers += 1
            pax = self._pax(info.size)
        return _apply_pax(info, pax, self)

    def _pax(self, size: int) -> dict[str, str]:
        if size > MAX_PAX:
            raise ArchiveError("PAX header too large")
        data = self._exact(size)
        self._skip(-size % BLOCK)
        if len(data) != size:
            raise ArchiveError("archive truncated in a PAX header")
        return parse_pax(data)

    def buffered_is_padding(self) -> bool:
        """Whether what was read past the end-of-archive marker so far is all zeros (the rest
        of the stream is the caller's to check): a second tar hidden there is refused."""
        rest = self._chunk
        return rest.nbytes == 0 or bytes(rest).count(0) == rest.nbytes

    def start(self, info: tarfile.TarInfo) -> None:
        """Mark ``info``'s data as pending (skipped by the next :meth:`next` unless read)."""
        self._pending = info.size + (-info.size % BLOCK)

    def data(self, info: tarfile.TarInfo) -> Iterator[memoryview]:
        """``info``'s data as views (valid until the next read), then skip its padding."""
        remaining = info.size
        self._pending = 0
        while remaining:
            view = self._view(remaining)
            if not view:
                raise ArchiveError(f"member {info.name!r}: truncated")
            remaining -= len(view)
            yield view
        self._skip(-info.size % BLOCK)


def parse_pax(data: bytes) -> dict[str, str]:
    """PAX records ``"<len> <key>=<value>\\n"``; malformed records are an error. Only the keys
    of :data:`PAX_KEYS` and ``GNU.sparse*`` are kept; a length is ASCII digits only."""
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        digits = data[pos:space] if space > pos else b""
        length = int(digits) if _DIGITS.fullmatch(digits) else 0
        record = data[pos : pos + length]
        if length <= 0 or len(record) != length or not record.endswith(b"\n") or b"=" not in record:
            raise ArchiveError("malformed PAX header")
        key, _, value = record[space - pos + 1 : -1].partition(b"=")
        name = key.decode("utf-8", "surrogateescape")
        if name in PAX_KEYS or name.startswith("GNU.sparse"):
            out[name] = value.decode("utf-8", "surrogateescape")
        pos += length
    return out


def _apply_pax(info: tarfile.TarInfo, pax: dict[str, str], stream: TarStream) -> tarfile.TarInfo:
    if info.type in (tarfile.XGLTYPE, tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK):
        raise ArchiveError("global PAX headers and GNU long names are not allowed")
    if any(k.startswith("GNU.sparse") for k in pax):
        raise ArchiveError("sparse files are not allowed")
    if "path" in pax:
        info.name = pax["path"]
    if "linkpath" in pax:
        info.linkname = pax["linkpath"]
    if "size" in pax:
        if not _SIZE.fullmatch(pax["size"]):
            raise ArchiveError("invalid PAX size")
        info.size = int(pax["size"])
    if info.type in tarfile.REGULAR_TYPES or info.type == tarfile.CONTTYPE:
        stream.start(info)
    return info
