"""A staff reply as one age file: sealed offline to the witness's follow-up recipient.

The plaintext is an uncompressed tar, like a submission's: ``reply.json`` first, then each file at
``files/<n>-<safe-name>``::

    {"format": "witness-intake/reply/v1", "reply_id": "<32 hex>", "sent_at": "…Z",
     "text": "…", "files": [{"path", "filename", "mime", "size", "sha256"}]}

It is sealed to the witness's ``age1pq1…`` recipient alone (age never mixes post-quantum and
classic recipients in one file, and staff keep their own copy of every reply with the testimony on
the offline laptop). Stock tools open it with the witness's identity: ``age -d -i … | tar -x``.
On the server it is opened only in memory, when the witness comes back with the code, and checked
as strictly as anything from outside (bounded sizes, exact members, sha256 of every file).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import crypto
from intake.offline.open_errors import ArchiveError
from intake.submission import strictjson
from intake.submission.document import format_timestamp, safe_name
from intake.submission.names import MIME_RE, safe_mime
from intake.submission.tarreader import TarStream

REPLY_FORMAT = "witness-intake/reply/v1"
MAX_TEXT = 3500  # characters: one Telegram message with the heading, whatever the script
MAX_FILES = 10
MAX_PLAIN = 20 * 1024 * 1024 - 64 * 1024  # the whole tar; the age file stays under 20 MiB
MAX_JSON = 64 * 1024
_REPLY_ID = re.compile(r"[0-9a-f]{32}")
_PATH = re.compile(r"files/([1-9][0-9]?)-[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ReplyFormatError(ValueError):
    """A reply file did not open, or is not a reply; the message says what, never its content."""


@dataclass(frozen=True, slots=True)
class ReplyAttachment:
    """A file staff send with a reply."""

    filename: str
    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply: what staff wrote, the files they attached, when and under which id."""

    reply_id: str
    sent_at: datetime
    text: str = field(repr=False)
    files: tuple[ReplyAttachment, ...] = ()

    def check(self) -> None:
        """Raise :class:`ReplyFormatError` if the reply could not be shown to the witness."""
        if not _REPLY_ID.fullmatch(self.reply_id):
            raise ReplyFormatError("reply_id: not 32 hex digits")
        if not self.text.strip() and not self.files:
            raise ReplyFormatError("a reply needs a text or a file")
        if len(self.text) > MAX_TEXT:
            raise ReplyFormatError(f"the text has {len(self.text)} characters; at most {MAX_TEXT}")
        if len(self.files) > MAX_FILES:
            raise ReplyFormatError(f"{len(self.files)} files; at most {MAX_FILES}")
        if sum(len(f.data) for f in self.files) > MAX_PLAIN - MAX_JSON:
            raise ReplyFormatError(f"the files are larger than {MAX_PLAIN // 2**20} MiB together")

    def document(self) -> dict[str, object]:
        """``reply.json``."""
        return {
            "format": REPLY_FORMAT,
            "reply_id": self.reply_id,
            "sent_at": format_timestamp(self.sent_at),
            "text": self.text,
            "files": [
                {
                    "path": path,
                    "filename": f.filename,
                    "mime": safe_mime(f.mime),
                    "size": len(f.data),
                    "sha256": hashlib.sha256(f.data).hexdigest(),
                }
                for path, f in zip(self.paths(), self.files, strict=True)
            ],
        }

    def paths(self) -> list[str]:
        """The tar path of each file."""
        return [f"files/{n}-{safe_name(f.filename)}" for n, f in enumerate(self.files, start=1)]


def pack(reply: Reply) -> bytes:
    """The reply's plaintext tar (checked first)."""
    reply.check()
    out = io.BytesIO()
    mtime = int(reply.sent_at.timestamp())
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        doc = json.dumps(reply.document(), ensure_ascii=False, indent=2).encode() + b"\n"
        for name, data in [
            ("reply.json", doc),
            *zip(reply.paths(), (f.data for f in reply.files), strict=True),
        ]:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), mtime, 0o600
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def seal_reply(reply: Reply, recipient: crypto.Recipient) -> bytes:
    """The reply as an age file sealed to the witness's follow-up ``recipient``."""
    out = io.BytesIO()
    with crypto.encrypt(out, [recipient]) as writer:
        writer.write(pack(reply))
    return out.getvalue()


def open_reply(sealed: bytes, identities: Sequence[crypto.Identity]) -> Reply:
    """Open and check a sealed reply (all of it authenticated before anything is returned)."""
    try:
        reader = crypto.decrypt(io.BytesIO(sealed), identities)
        plain = reader.read(MAX_PLAIN + 1)
        if len(plain) > MAX_PLAIN:
            raise ReplyFormatError("the reply is too large")
        if reader.read(1):
            raise ReplyFormatError("the reply is too large")
    except crypto.AgeError as exc:
        raise ReplyFormatError(f"the reply does not open ({type(exc).__name__})") from None
    try:
        return _unpack(plain)
    except ArchiveError as exc:
        raise ReplyFormatError(f"not a reply archive ({exc})") from None


def _unpack(plain: bytes) -> Reply:
    stream = TarStream(io.BytesIO(plain))
    first = stream.next()
    if first is None or first.name != "reply.json" or not first.isreg() or first.size > MAX_JSON:
        raise ReplyFormatError("reply.json is not the first member")
    reply_id, sent_at, text, listed = _document(b"".join(bytes(v) for v in stream.data(first)))
    files: list[ReplyAttachment] = []
    for entry in listed:
        info = stream.next()
        if info is None or not info.isreg() or info.name != entry["path"]:
            raise ReplyFormatError(f"member {entry['path']!r} is missing or out of order")
        if info.size != entry["size"]:
            raise ReplyFormatError(f"member {entry['path']!r} has the wrong size")
        data = b"".join(bytes(v) for v in stream.data(info))
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ReplyFormatError(f"member {entry['path']!r} does not match its sha256")
        files.append(ReplyAttachment(entry["filename"], entry["mime"], data))
    if stream.next() is not None:
        raise ReplyFormatError("members after the listed files")
    reply = Reply(reply_id, sent_at, text, tuple(files))
    reply.check()
    return reply


def _document(raw: bytes) -> tuple[str, datetime, str, list[dict[str, Any]]]:
    """reply.json checked: (reply id, sent at, text, file entries)."""
    try:
        doc = strictjson.loads(raw)
    except strictjson.StrictJSONError as exc:
        raise ReplyFormatError(f"reply.json: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != REPLY_FORMAT:
        raise ReplyFormatError(f"reply.json: format is not {REPLY_FORMAT!r}")
    if set(doc) != {"format", "reply_id", "sent_at", "text", "files"}:
        raise ReplyFormatError("reply.json: unexpected or missing keys")
    try:
        sent_at = datetime.fromisoformat(str(doc["sent_at"]))
    except ValueError:
        raise ReplyFormatError("reply.json: sent_at is not ISO 8601") from None
    if sent_at.tzinfo is None:
        raise ReplyFormatError("reply.json: sent_at has no time zone")
    if not isinstance(doc["text"], str) or not isinstance(doc["reply_id"], str):
        raise ReplyFormatError("reply.json: text and reply_id are strings")
    files = doc["files"]
    if not isinstance(files, list) or len(files) > MAX_FILES:
        raise ReplyFormatError(f"reply.json: files is a list of at most {MAX_FILES}")
    checked = []
    for n, entry in enumerate(files, start=1):
        if not isinstance(entry, dict) or set(entry) != {
            "path",
            "filename",
            "mime",
            "size",
            "sha256",
        }:
            raise ReplyFormatError(f"reply.json: files[{n - 1}] has unexpected or missing keys")
        path, name, mime, size, digest = (
            entry[k] for k in ("path", "filename", "mime", "size", "sha256")
        )
        match = _PATH.fullmatch(str(path))
        if match is None or int(match.group(1)) != n:
            raise ReplyFormatError(f"reply.json: files[{n - 1}].path is not files/{n}-<name>")
        if not isinstance(name, str) or not 0 < len(name) <= 255:
            raise ReplyFormatError(f"reply.json: files[{n - 1}].filename")
        if not isinstance(mime, str) or not MIME_RE.fullmatch(mime):
            raise ReplyFormatError(f"reply.json: files[{n - 1}].mime")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_PLAIN:
            raise ReplyFormatError(f"reply.json: files[{n - 1}].size")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ReplyFormatError(f"reply.json: files[{n - 1}].sha256")
        checked.append(entry)
    return doc["reply_id"], sent_at, doc["text"], checked
