"""``manifest.json`` of an export folder, read as a stream: bounded memory, bounded output.

The manifest comes from a stick and is untrusted. Decoding it whole (``json.loads``) let a 52 MB
one take 515 MB and print 400,000 lines, one bad entry stop the run, and a second entry for the
same file silently win. Here it is read in 64 KiB pieces, one entry at a time (each at most
:data:`MAX_VALUE_CHARS`, at most :data:`MAX_ENTRIES` of them), and only what concerns files that
are actually in the folder is kept. A bad entry is a problem line (and makes its file a failure);
an entry listing a file a second time, differently, makes that file a failure; where the text
stops making sense, reading stops and what came before still counts.

Accepted shapes: ``{"format": …, "submissions": [ … ]}`` (what ``intake export`` writes; the list
may also be called ``files`` or ``entries``) or a bare list. Each entry: ``id`` (string), ``file``
(default ``<id>.age``), ``sha256`` (lowercase hex) and ``size`` (bytes).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from intake.submission import strictjson

MANIFEST_NAME = "manifest.json"
MAX_ENTRIES = 100_000  # an export of more is read that far; the rest is opened unchecked
MAX_VALUE_CHARS = 64 * 1024  # one entry (or any other value) of the manifest
MAX_NAMED = 20  # problem and "missing" lines shown; the rest is counted
LIST_KEYS = ("submissions", "files", "entries")
_CHUNK = 64 * 1024
_SPACE = re.compile(r"[ \t\r\n]*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.age")


@dataclass(frozen=True, slots=True)
class Listed:
    """What the export promised about one file."""

    sha256: str
    size: int
    id: str = field(default="", compare=False)  # the id it names (the file must hold it)


@dataclass(slots=True)
class Manifest:
    """What a manifest says about the files present, and what was wrong with it."""

    listed: dict[str, Listed] = field(default_factory=dict)  # present files, by name
    refused: dict[str, str] = field(default_factory=dict)  # present file -> why not trusted
    missing: list[str] = field(default_factory=list)  # listed, not present (first MAX_NAMED)
    missing_count: int = 0
    problems: list[str] = field(default_factory=list)  # first MAX_NAMED problem lines
    problem_count: int = 0
    read_all: bool = True  # False: reading stopped early; later files are not known
    ids: set[str] = field(default_factory=set)  # ids of every valid entry (present or not)

    def problem(self, line: str) -> None:
        """Record one problem line (kept if fewer than MAX_NAMED, always counted)."""
        self.problem_count += 1
        if len(self.problems) < MAX_NAMED:
            self.problems.append(f"{MANIFEST_NAME}: {line}")


class _Syntax(ValueError):
    """The manifest's structure is not what we read (message says what was expected)."""


def read_manifest(raw: BinaryIO, present: Collection[str]) -> Manifest:
    """Read the manifest streamed from ``raw``; ``present`` names the ``.age`` files in the folder.

    Never raises for content: every problem is in the result. ``OSError`` from reading passes.
    """
    result = Manifest()
    seen: set[str] = set()
    count = 0
    try:
        for count, entry in enumerate(_entries(_Text(raw)), start=1):
            if count > MAX_ENTRIES:
                result.read_all = False
                result.problem(
                    f"lists more than {MAX_ENTRIES:,} files; the rest is not read and the "
                    "files it may list are opened without its check"
                )
                break
            _take(result, seen, present, count, entry)
    except (_Syntax, json.JSONDecodeError, strictjson.StrictJSONError, UnicodeDecodeError) as exc:
        result.read_all = False
        where = f"after entry {count}" if count else "from the start"
        result.problem(
            f"unreadable {where} ({_short(exc)}); files it does not list before that are opened "
            "without its check"
        )
    return result


def _take(result: Manifest, seen: set[str], present: Collection[str], n: int, entry: Any) -> None:
    """Check one entry and record it (only files in ``present`` are kept)."""
    name = _name_of(entry)
    reason = _invalid(entry, name)
    if name is None or reason is not None:
        result.problem(f"entry {n}: {reason}")
        if name is not None and name in present:
            result.refused.setdefault(name, f"its entry in {MANIFEST_NAME} is invalid ({reason})")
        return
    listing = Listed(sha256=entry["sha256"], size=entry["size"], id=entry["id"])
    result.ids.add(entry["id"])
    if name in seen:
        earlier = result.listed.get(name)
        if name in present and earlier != listing:
            result.refused[name] = f"listed twice in {MANIFEST_NAME}, with different sha256 or size"
        result.problem(f"entry {n}: lists {name} a second time")
        return
    seen.add(name)
    if name in present:
        result.listed[name] = listing
    else:
        result.missing_count += 1
        if len(result.missing) < MAX_NAMED:
            result.missing.append(name)


def _name_of(entry: Any) -> str | None:
    """The file name an entry lists, if it has a usable one."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return None
    name = entry.get("file", f"{entry['id']}.age")
    return name if isinstance(name, str) and _NAME_RE.fullmatch(name) else None


def _invalid(entry: Any, name: str | None) -> str | None:
    """Why an entry cannot be used, or None."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return "expected an object with an id"
    if name is None:
        return "invalid file name"
    sha, size = entry.get("sha256"), entry.get("size")
    if not isinstance(sha, str) or not _SHA256_RE.fullmatch(sha):
        return f"{name}: invalid sha256"
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        return f"{name}: invalid size"
    return None


def _short(exc: Exception) -> str:
    text = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
    return text.splitlines()[0][:120] if text else type(exc).__name__


def _entries(text: _Text) -> Iterator[Any]:
    """Each entry of the manifest's list, decoded one at a time."""
    first = text.peek()
    if first == "[":
        yield from _array(text)
        return
    if first != "{":
        raise _Syntax("expected an object or a list")
    text.pos += 1
    found = False
    keys: set[str] = set()
    while text.peek() != "}":
        key = text.value()
        if not isinstance(key, str):
            raise _Syntax("expected a key")
        if key in keys:  # as strictjson refuses them everywhere else
            raise _Syntax(f"duplicate key {key[:40]!r}")
        keys.add(key)
        text.take(":")
        if key in LIST_KEYS and not found and text.peek() == "[":
            found = True
            yield from _array(text)
        else:
            text.value()  # another field (format, exported_at…): bounded, not needed
        if text.peek() != ",":
            break
        text.pos += 1
    text.take("}")
    if not found:
        raise _Syntax(f"no list of files ({', '.join(LIST_KEYS)})")


def _array(text: _Text) -> Iterator[Any]:
    text.take("[")
    if text.peek() == "]":
        text.pos += 1
        return
    while True:
        yield text.value()
        if text.peek() != ",":
            break
        text.pos += 1
    text.take("]")


class _Text:
    """UTF-8 text read in pieces; ``buf[pos:]`` is what has not been consumed yet."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._json = strictjson.decoder()
        self.buf = ""
        self.pos = 0
        self.eof = False

    def _more(self) -> None:
        piece = self._raw.read(_CHUNK)
        self.eof = not piece
        self.buf = self.buf[self.pos :] + self._utf8.decode(piece, final=self.eof)
        self.pos = 0

    def peek(self) -> str:
        """The next character that is not white space ('' at the end); it is not consumed."""
        while True:
            match = _SPACE.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf) or self.eof:
                return self.buf[self.pos : self.pos + 1]
            self._more()

    def take(self, char: str) -> None:
        """Consume ``char`` (after white space) or raise :class:`_Syntax`."""
        if self.peek() != char:
            raise _Syntax(f"expected {char!r}")
        self.pos += 1

    def value(self) -> Any:
        """Decode the next JSON value, reading more until it is complete (or too long)."""
        self.peek()
        while True:
            try:
                obj, end = strictjson.raw_decode(self._json, self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise
                self._grow(exc.msg)
                continue
            if end == len(self.buf) and not self.eof:
                self._grow("unterminated")  # a number may go on in the next piece: decode again
                continue
            self.pos = end
            return obj

    def _grow(self, why: str) -> None:
        """Read another piece for an incomplete value, unless it is already too long."""
        if len(self.buf) - self.pos > MAX_VALUE_CHARS:
            raise _Syntax(f"invalid, or a value longer than {MAX_VALUE_CHARS:,} characters ({why})")
        self._more()
