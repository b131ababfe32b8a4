"""Replies on a stick: ``replies/<reply-id>.age`` and ``replies/manifest.json``.

``intake reply`` (offline) adds one sealed reply and one manifest entry per call; ``intake ack``
(on the server) reads them back and has the running bot place them. The manifest says which
mailbox each reply goes to — the server cannot tell, it cannot open replies::

    {"format": "witness-intake/replies/v1",
     "replies": [{"file": "<reply-id>.age", "reply_id": "<32 hex>", "mailbox_tag": "<64 hex>",
                  "size": 1234, "sha256": "<64 hex>"}]}

and ``replies/placed.txt`` (written by ``intake ack``) lists the reply ids already placed, so the
same stick used twice does not deliver a reply twice. A stick is hostile media both ways
(:mod:`intake.safefs`): no link is followed, nothing is written over, FIFOs are refused, sizes are
bounded, JSON is decoded strictly; a bad entry is a problem line and the others still count.
Whoever holds the stick sees mailbox tags (random-looking, derived from codes they cannot
recover) and sealed replies only the codes open: wipe it after use anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from intake import safefs
from intake.followup.mailboxes import MAX_REPLY_BYTES
from intake.submission import strictjson

REPLIES_DIR = "replies"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "witness-intake/replies/v1"
PLACED_NAME = "placed.txt"
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
MAX_ENTRIES = 10_000
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class StickReply:
    """One manifest entry: which file, for which mailbox, of what size and sha256."""

    reply_id: str
    mailbox_tag: str
    file: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, object]:
        """The manifest entry."""
        return {"file": self.file, "reply_id": self.reply_id, "mailbox_tag": self.mailbox_tag,
                "size": self.size, "sha256": self.sha256}  # fmt: skip


def add_to_stick(folder: Path, reply_id: str, mailbox_tag: str, sealed: bytes) -> Path:
    """Write one sealed reply into ``folder`` (a stick's ``replies/``, created if missing) and
    list it in the manifest; returns the reply file's path."""
    fd, _ = safefs.open_dir(folder, create=True)
    try:
        name = f"{reply_id}.age"
        _write_new(fd, name, sealed, folder / name)
        entries, problems = _manifest(folder)
        if problems:
            raise safefs.UnsafePathError(
                f"{folder / MANIFEST_NAME}: {problems[0]}; fix or remove it"
            )
        entry = StickReply(
            reply_id, mailbox_tag, name, len(sealed), hashlib.sha256(sealed).hexdigest()
        )
        doc = {"format": MANIFEST_FORMAT, "replies": [e.to_json() for e in [*entries, entry]]}
        _replace(fd, MANIFEST_NAME, (json.dumps(doc, indent=2) + "\n").encode(), folder)
    finally:
        os.close(fd)
    return folder / name


def read_stick(folder: Path) -> tuple[list[StickReply], list[str]]:
    """The replies a stick's ``replies/`` folder lists, and a line per problem found. Raises
    :class:`safefs.UnsafePathError` if the folder's path holds a link, ``OSError`` if missing."""
    fd, _ = safefs.open_dir(folder, create=False)  # no link anywhere on the way
    os.close(fd)
    entries, problems = _manifest(folder)
    if not entries and not problems and not (folder / MANIFEST_NAME).exists():
        problems.append(f"{folder}: no {MANIFEST_NAME}")
    return entries, problems


def load_reply(folder: Path, entry: StickReply) -> bytes:
    """The sealed reply of ``entry``, checked against its size and sha256; raises
    :class:`safefs.UnsafePathError` (a link, a FIFO, too large, a mismatch) or ``OSError``."""
    data = safefs.read_bounded(folder / entry.file, MAX_REPLY_BYTES)
    if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
        raise safefs.UnsafePathError(f"{folder / entry.file} does not match {MANIFEST_NAME}")
    return data


def placed_ids(folder: Path) -> set[str]:
    """Reply ids ``intake ack`` already placed from this stick."""
    path = folder / PLACED_NAME
    if not path.exists():
        return set()
    text = safefs.read_bounded(path, 64 * MAX_ENTRIES).decode("ascii", "replace")
    return {line for line in text.split() if _HEX32.fullmatch(line)}


def mark_placed(folder: Path, reply_ids: set[str]) -> None:
    """Remember ``reply_ids`` (with those already listed) as placed."""
    ids = sorted(placed_ids(folder) | reply_ids)
    fd, _ = safefs.open_dir(folder, create=False)
    try:
        _replace(fd, PLACED_NAME, "".join(f"{i}\n" for i in ids).encode(), folder)
    finally:
        os.close(fd)


def _manifest(folder: Path) -> tuple[list[StickReply], list[str]]:
    path = folder / MANIFEST_NAME
    if not path.exists() and not path.is_symlink():
        return [], []
    try:
        doc = strictjson.loads(safefs.read_bounded(path, MAX_MANIFEST_BYTES))
    except (OSError, safefs.UnsafePathError, strictjson.StrictJSONError) as exc:
        return [], [f"{path}: unreadable ({exc})"]
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        return [], [f"{path}: not a replies manifest ({MANIFEST_FORMAT})"]
    raw = doc.get("replies")
    if not isinstance(raw, list):
        return [], [f"{path}: replies is not a list"]
    entries: list[StickReply] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, item in enumerate(raw[:MAX_ENTRIES]):
        entry = _entry(item)
        if entry is None:
            problems.append(f"{path}: replies[{n}] is not a valid entry; skipped")
        elif entry.reply_id in seen:
            problems.append(f"{path}: reply {entry.reply_id} is listed twice; skipped")
        else:
            seen.add(entry.reply_id)
            entries.append(entry)
    if len(raw) > MAX_ENTRIES:
        problems.append(f"{path}: more than {MAX_ENTRIES} entries; the rest skipped")
    return entries, problems


def _entry(item: object) -> StickReply | None:
    if not isinstance(item, dict) or set(item) != {
        "file",
        "reply_id",
        "mailbox_tag",
        "size",
        "sha256",
    }:
        return None
    reply_id, tag, file, size, sha = (
        item[k] for k in ("reply_id", "mailbox_tag", "file", "size", "sha256")
    )
    if not (isinstance(reply_id, str) and _HEX32.fullmatch(reply_id)):
        return None
    if not (isinstance(tag, str) and _HEX64.fullmatch(tag)) or file != f"{reply_id}.age":
        return None
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= MAX_REPLY_BYTES:
        return None
    if not (isinstance(sha, str) and _HEX64.fullmatch(sha)):
        return None
    return StickReply(reply_id, tag, file, size, sha)


def _write_new(dir_fd: int, name: str, data: bytes, shown: Path) -> None:
    fd = safefs.create_new(dir_fd, name, shown)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(dir_fd: int, name: str, data: bytes, folder: Path) -> None:
    """Write ``name`` in the folder under a new temp name, then rename it over ``name``: a link
    planted at ``name`` is replaced, never written through."""
    tmp = f".{name}.{os.urandom(6).hex()}.tmp"
    try:
        _write_new(dir_fd, tmp, data, folder / tmp)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=dir_fd)
