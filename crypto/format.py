"""The age v1 header: version line, recipient stanzas, and the header MAC.

Parsing is strict as the C2SP spec asks: exact version line, arguments of visible ASCII separated by
single spaces, bodies of canonical unpadded base64 wrapped at 64 columns and always ended by a short
(possibly empty) line, and a ``---`` line carrying exactly 32 MAC bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.b64 import decode_raw, encode_raw
from crypto.errors import HeaderError, HeaderMACError

VERSION_LINE = b"age-encryption.org/v1\n"
VERSION_PREFIX = b"age-encryption.org/"
COLUMNS = 64
BYTES_PER_LINE = COLUMNS // 4 * 3
MAX_LINE = 64 * 1024  # far above any known stanza (post-quantum args are ~1.5 KB)
MAX_STANZAS = 1024  # bounds the work a hostile header can ask for
MAX_HEADER = 4 * 1024 * 1024  # bounds the memory a hostile header can take


@dataclass
class Stanza:
    """One recipient stanza: its type (first argument), further arguments, and decoded body."""

    type: str
    args: list[str] = field(default_factory=list)
    body: bytes = b""

    def marshal(self) -> bytes:
        """The stanza as it appears in a header, ending with its final short line."""
        line = b"-> " + " ".join([self.type, *self.args]).encode("ascii") + b"\n"
        encoded = encode_raw(self.body)
        rows = [encoded[i : i + COLUMNS] for i in range(0, len(encoded), COLUMNS)]
        if not rows or len(rows[-1]) == COLUMNS:
            rows.append(b"")  # the body always ends with a line shorter than 64 columns
        return line + b"".join(r + b"\n" for r in rows)


def _valid_arg(arg: str) -> bool:
    return bool(arg) and all(33 <= ord(c) <= 126 for c in arg)


def header_mac_key(file_key: bytes) -> bytes:
    """HMAC key = HKDF-SHA-256(ikm = file key, salt = empty, info = "header")."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"header").derive(file_key)


def compute_mac(file_key: bytes, header_without_mac: bytes) -> bytes:
    """HMAC-SHA-256 over the header up to and including ``---``."""
    h = hmac.HMAC(header_mac_key(file_key), hashes.SHA256())
    h.update(header_without_mac)
    return h.finalize()


def verify_mac(file_key: bytes, header_without_mac: bytes, mac: bytes) -> None:
    """Raise HeaderMACError unless ``mac`` authenticates the header (constant-time compare)."""
    h = hmac.HMAC(header_mac_key(file_key), hashes.SHA256())
    h.update(header_without_mac)
    try:
        h.verify(mac)
    except Exception:  # cryptography raises InvalidSignature
        raise HeaderMACError("header MAC mismatch: the header was modified") from None


def marshal_header(stanzas: list[Stanza], file_key: bytes) -> bytes:
    """The full header for ``stanzas``, MAC'd with ``file_key``."""
    body = VERSION_LINE + b"".join(s.marshal() for s in stanzas) + b"---"
    return body + b" " + encode_raw(compute_mac(file_key, body)) + b"\n"


@dataclass
class Header:
    """A parsed header: its stanzas, the MAC, and the exact bytes the MAC covers."""

    stanzas: list[Stanza]
    mac: bytes
    mac_input: bytes


def _parse_arg_line(line: bytes, n: int) -> Stanza:
    text = line[:-1].decode("ascii", errors="replace")
    parts = text.split(" ")
    if parts[0] != "->" or len(parts) < 2 or not all(_valid_arg(a) for a in parts[1:]):
        raise HeaderError(f"malformed stanza line in header (line {n})")
    return Stanza(parts[1], parts[2:])


def _decode_body_line(line: bytes, n: int) -> bytes:
    content = line[:-1]
    if len(content) > COLUMNS:
        raise HeaderError(f"stanza body line longer than 64 columns (line {n})")
    try:
        return decode_raw(content)
    except ValueError as exc:
        raise HeaderError(f"malformed stanza body (line {n}): {exc}") from None


def parse_header(readline: Callable[[int], bytes]) -> Header:
    """Parse a header with ``readline(limit)`` (returns bytes ending in LF unless at EOF/limit)."""
    first = readline(MAX_LINE)
    if first != VERSION_LINE:
        if first.startswith(VERSION_PREFIX) and first.endswith(b"\n"):
            raise HeaderError("unsupported age format version")
        raise HeaderError("not an age file: missing 'age-encryption.org/v1' version line")
    mac_input = bytearray(first)
    stanzas: list[Stanza] = []
    current: Stanza | None = None
    n = 1
    while True:
        line = readline(MAX_LINE)
        n += 1
        if not line.endswith(b"\n"):
            raise HeaderError(f"header truncated or line too long (line {n})")
        if len(mac_input) > MAX_HEADER:
            raise HeaderError("header too large")
        if current is not None:
            data = _decode_body_line(line, n)
            current.body += data
            if len(data) < BYTES_PER_LINE:
                current = None
            mac_input += line
            continue
        if line.startswith(b"---"):
            if not stanzas:
                raise HeaderError("header has no recipient stanzas")
            mac_input += b"---"
            return Header(stanzas, _parse_mac_line(line, n), bytes(mac_input))
        if not line.startswith(b"->"):
            raise HeaderError(f"unexpected line in header (line {n})")
        if len(stanzas) >= MAX_STANZAS:
            raise HeaderError("too many stanzas in header")
        current = _parse_arg_line(line, n)
        stanzas.append(current)
        mac_input += line


def _parse_mac_line(line: bytes, n: int) -> bytes:
    if not line.startswith(b"--- ") or len(line) != 4 + 43 + 1:
        raise HeaderError(f"malformed header MAC line (line {n})")
    try:
        mac = decode_raw(line[4:-1])
    except ValueError as exc:
        raise HeaderError(f"malformed header MAC (line {n}): {exc}") from None
    if len(mac) != 32:
        raise HeaderError(f"malformed header MAC (line {n}): wrong length")
    return mac
