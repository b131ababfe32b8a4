"""``custody.json``: the chain of custody of one submission, from the server to this folder.

For courts (Berkeley Protocol: authenticity, a documented custody chain, evidentiary and working
copies kept apart) every released submission records: per attachment the server's reception time,
how it arrived and the sha256 the server took at reception, next to the sha256 recomputed here;
the sealed file's name, size and sha256 (the evidentiary copy); when it was decrypted, with which
staff key (fingerprint) and by which tool version. The same facts are shown in ``report.html``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import crypto
from intake.offline.extract import Extracted
from intake.submission.document import format_timestamp

CUSTODY_NAME = "custody.json"
CUSTODY_FORMAT = "witness-intake/custody/v1"


@dataclass(frozen=True, slots=True)
class Provenance:
    """What the offline side knows about the sealed file it is opening."""

    file: str
    sha256: str
    size: int
    listed_sha256: str | None  # from the export's manifest.json, when there was one
    key_fingerprint: str
    key_type: str
    decrypted_at: datetime
    tool_version: str


class KeyWitness(crypto.Identity):
    """Wraps a staff identity and remembers whether it unwrapped the last file's key."""

    def __init__(self, inner: crypto.Identity) -> None:
        self.inner = inner
        self.used = False
        self._recipient: crypto.Recipient | None = None

    def unwrap_stanza(self, stanza: Any) -> bytes | None:
        """Delegated; :meth:`unwrap` is what records the match."""
        return self.inner.unwrap_stanza(stanza)

    def unwrap(self, stanzas: Sequence[Any]) -> bytes | None:
        """The inner identity's answer, noting a match."""
        key = self.inner.unwrap(stanzas)
        if key is not None:
            self.used = True
        return key

    def recipient(self) -> crypto.Recipient:
        """The inner identity's recipient (computed once: ML-KEM public keys cost a little)."""
        if self._recipient is None:
            self._recipient = self.inner.recipient()
        return self._recipient

    def description(self) -> tuple[str, str]:
        """(fingerprint, kind) of this staff key, as custody records name it."""
        recipient = self.recipient()
        kind = "mlkem768x25519" if recipient.post_quantum else "X25519"
        return crypto.fingerprint(recipient), kind


@lru_cache(maxsize=1)
def tool_version() -> str:
    """``witness-intake <version>`` as installed."""
    from importlib import metadata

    try:
        return f"witness-intake {metadata.version('witness-intake')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "witness-intake (version unknown)"


def custody_record(
    extracted: Extracted, provenance: Provenance, json_sha256: str
) -> dict[str, Any]:
    """The ``custody.json`` object for one released submission."""
    sub = extracted.submission
    return {
        "format": CUSTODY_FORMAT,
        "submission_id": sub.submission_id,
        "receipt": sub.receipt,
        "submitted_at": format_timestamp(sub.submitted_at),
        "sealed_file": {
            "name": provenance.file,
            "size": provenance.size,
            "sha256": provenance.sha256,
            "manifest_sha256": provenance.listed_sha256,
        },
        "submission_json_sha256": json_sha256,
        "decrypted": {
            "at": format_timestamp(provenance.decrypted_at.replace(microsecond=0)),
            "key_fingerprint": provenance.key_fingerprint,
            "key_type": provenance.key_type,
            "tool": provenance.tool_version,
        },
        "attachments": [
            {
                "path": check.attachment.path,
                "filename": check.attachment.filename,
                "received_at": (
                    format_timestamp(check.attachment.received_at)
                    if check.attachment.received_at is not None
                    else None
                ),
                "received_as": check.attachment.received_as,
                "size_at_reception": check.attachment.size,
                "sha256_at_reception": check.attachment.sha256,
                "size_offline": check.size,
                "sha256_offline": check.sha256,
                "match": check.ok,
            }
            for check in extracted.checks
        ],
    }


def file_sha256(path: Path) -> str:
    """sha256 of a small file written in this run (``submission.json``)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_custody(folder: Path, record: dict[str, Any]) -> Path:
    """Write ``custody.json`` into the (fresh, private) folder being released."""
    path = folder / CUSTODY_NAME
    write_new(path, (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (never through a link, never over a file) with mode 0600 and write it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(data)
        while view:  # a write may be partial
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
