"""The body of a Bot API call, from python-telegram-bot's :class:`~telegram.request.RequestData`,
encoded exactly as :class:`~telegram.request.HTTPXRequest` has httpx encode it: the parameters
(each already JSON-encoded by PTB) as ``application/x-www-form-urlencoded``, or, when files are
uploaded, as ``multipart/form-data`` — the parameters first, then the files.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlencode

from telegram.request import RequestData

FORM = "application/x-www-form-urlencoded"
# HTML5 form encoding of names and file names inside a part's header, as httpx does it: quotes
# and backslashes escaped, control characters percent-encoded (no CR/LF can reach the header).
_ESCAPES = {'"': "%22", "\\": "\\\\"} | {chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}
_ESCAPE_RE = re.compile("|".join(re.escape(c) for c in _ESCAPES))


def _param(name: str, value: str) -> str:
    return f'{name}="{_ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], value)}"'


def _content(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    read = getattr(value, "read", None)
    if read is None:
        raise TypeError(f"cannot upload a {type(value).__name__}")
    data = read()
    return data if isinstance(data, bytes) else str(data).encode()


def encode(data: RequestData | None) -> tuple[bytes, str | None, bool]:
    """The body, its Content-Type (None for no parameters at all) and whether it carries files."""
    if data is None:
        return b"", None, False
    fields = data.json_parameters
    files = data.multipart_data if data.contains_files else {}
    if not files:
        if not fields:
            return b"", None, False
        return urlencode(fields).encode("ascii"), FORM, False
    boundary = os.urandom(16).hex()
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f"--{boundary}\r\nContent-Disposition: form-data; {_param('name', name)}\r\n\r\n"
        parts += [head.encode(), value.encode(), b"\r\n"]
    for name, (filename, content, mime) in files.items():
        disposition = f"form-data; {_param('name', name)}"
        if filename:
            disposition += f"; {_param('filename', filename)}"
        mime_line = re.sub(r"[\x00-\x1f\x7f]", "", mime or "application/octet-stream")
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {mime_line}"
        parts += [(head + "\r\n\r\n").encode(), _content(content), b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}", True
