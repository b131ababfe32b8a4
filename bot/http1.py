"""HTTP/1.1 on one :class:`~bot.wire.Wire`: write a request, read its answer — strictly.

Only what the Bot API needs and nothing a hostile or broken server could use to hang or bloat the
bot: the head is bounded (:data:`MAX_HEAD` bytes, :data:`MAX_HEADERS` fields), the body by the
caller's limit, and every read by the one deadline of the whole answer. A body must be framed:
``Content-Length`` (ASCII digits) or ``Transfer-Encoding: chunked`` exactly. An answer that runs
until the server closes is refused: the Bot API always frames its answers, and a close (a TLS one
without close_notify above all) cannot be told from a cut, so a truncated body would pass as a
whole one — and python-telegram-bot logs a body that is not valid JSON in full. A connection is
offered for reuse only after a complete answer, nothing left over, and no ``Connection: close``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.wire import Wire, WireError

MAX_HEAD = 64 * 1024
MAX_HEADERS = 100
MAX_LINE = 4096  # a chunk-size line or a trailer field
MAX_INTERIM = 8  # 1xx answers skipped before the real one
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")  # str.isdigit() is true for '²' (a latin-1 header byte) too


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer; ``reusable`` if its connection may carry the next request."""

    status: int
    body: bytes
    reusable: bool


def request_head(method: str, target: str, host: str, headers: dict[str, str]) -> bytes:
    """The request line and header block (``target`` and values already checked for CR/LF)."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _header_fields(block: bytes) -> tuple[int, bool, dict[str, str]]:
    """Status, HTTP/1.1-ness and the fields (lower-case names) of a head; WireError if odd."""
    lines = block[:-4].split(b"\r\n")
    status_line = lines[0]
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or parts[0] not in (b"HTTP/1.1", b"HTTP/1.0"):
        raise WireError("the server's answer is not HTTP/1.x")
    code = parts[1]
    if len(code) != 3 or not code.isdigit() or not 100 <= int(code) <= 599:
        raise WireError("the server's answer has no valid status code")
    if len(lines) - 1 > MAX_HEADERS:
        raise WireError(f"the server sent more than {MAX_HEADERS} header fields")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or not _TOKEN.issuperset(name):
            raise WireError("the server sent a malformed header field")
        key = name.decode("ascii").lower()
        text = value.strip(b" \t").decode("latin-1")
        if key in fields:
            if key == "content-length":
                if fields[key] != text:
                    raise WireError("the server sent conflicting Content-Length fields")
                continue
            text = f"{fields[key]}, {text}"
        fields[key] = text
    return int(code), parts[0] == b"HTTP/1.1", fields


async def _chunked(wire: Wire, limit: int, deadline: float) -> bytes:
    body = bytearray()
    while True:
        line = await wire.read_until(b"\r\n", MAX_LINE, deadline)
        size_field = line[:-2].split(b";", 1)[0].strip(b" \t")
        if not size_field or len(size_field) > 16 or not _HEX.issuperset(size_field):
            raise WireError("the server sent a malformed chunk size")
        size = int(size_field, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise WireError(f"the answer is larger than {limit} bytes")
        body += await wire.read_exactly(size, deadline)
        if await wire.read_exactly(2, deadline) != b"\r\n":
            raise WireError("a chunk of the answer does not end with CRLF")
    trailers = 0
    while await wire.read_until(b"\r\n", MAX_LINE, deadline) != b"\r\n":
        trailers += 1  # trailer fields are read and ignored
        if trailers > MAX_HEADERS:
            raise WireError(f"the server sent more than {MAX_HEADERS} trailer fields")
    return bytes(body)


def _content_length(fields: dict[str, str], limit: int) -> int:
    raw = fields["content-length"]
    if not raw or not _DIGITS.issuperset(raw) or len(raw) > 18:
        raise WireError("the server sent an invalid Content-Length")
    length = int(raw)
    if length > limit:
        raise WireError(f"the answer is larger than {limit} bytes")
    return length


async def read_answer(wire: Wire, limit: int, deadline: float, *, head: bool = False) -> Answer:
    """Read the answer to the request just written: at most ``limit`` body bytes, all by
    ``deadline``. ``head``: the request was HEAD (no body follows)."""
    for _ in range(MAX_INTERIM + 1):
        block = await wire.read_until(b"\r\n\r\n", MAX_HEAD, deadline)
        status, http11, fields = _header_fields(block)
        if status == 101:
            raise WireError("the server switched protocols")
        if status >= 200:
            break
    else:
        raise WireError(f"the server sent more than {MAX_INTERIM} interim answers")
    tokens = {t.strip().lower() for t in fields.get("connection", "").split(",")}
    keep = http11 and "close" not in tokens
    coding = fields.get("transfer-encoding")
    if head or status in (204, 304):
        body = b""
    elif coding is not None:
        if coding.strip().lower() != "chunked":  # "gzip, chunked" would hand back gzip bytes
            raise WireError("the server sent a Transfer-Encoding other than chunked")
        if "content-length" in fields:  # RFC 9112 §6.3: chunked wins, then the connection ends
            keep = False
        body = await _chunked(wire, limit, deadline)
    elif "content-length" in fields:
        body = await wire.read_exactly(_content_length(fields, limit), deadline)
    else:
        raise WireError("the server's answer has neither Content-Length nor chunked framing")
    encoding = fields.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise WireError("the server compressed the answer although asked not to")
    return Answer(status, body, keep and wire.buffered == 0)
