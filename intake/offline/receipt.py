"""``<out>/receipt.json``: which sealed files were decrypted and verified into this folder.

The server's ``intake ack`` deletes exactly the files listed (matched by id and ciphertext sha256,
and proven by the ``ack_secret`` sealed inside each submission: only a real decryption knows it).
The receipt is cumulative for the output folder: entries of earlier runs are kept while their
``<out>/<id>/`` still exists, so it also tells a re-run which files are already done.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from intake import safefs
from intake.offline.indexes import submission_folders
from intake.offline.spreadsheet import write_atomic
from intake.submission import strictjson
from intake.submission.document import format_timestamp
from intake.submission.ids import ACK_SECRET_RE, MAX_RECEIPT_BYTES, RECEIPT_FORMAT

RECEIPT_NAME = "receipt.json"
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_UNREADABLE = (OSError, ValueError, TypeError, KeyError, AttributeError, safefs.UnsafePathError)


@dataclass(frozen=True, slots=True)
class ReceiptEntry:
    """One decrypted and verified sealed file."""

    id: str
    file: str
    sha256: str
    ack_secret: str | None = None  # from submission.json; None for one sealed before secrets


def load_receipt(out: Path) -> tuple[dict[str, ReceiptEntry], str | None]:
    """Entries of the existing receipt whose folders still exist; a problem line if unreadable."""
    path = out / RECEIPT_NAME
    if not os.path.lexists(path):
        return {}, None
    try:
        data = strictjson.loads(safefs.read_bounded(path, MAX_RECEIPT_BYTES))
        if data.get("format") != RECEIPT_FORMAT:
            raise ValueError(f"format is not {RECEIPT_FORMAT}")
        entries = [
            ReceiptEntry(
                id=e["id"], file=e["file"], sha256=e["sha256"], ack_secret=e.get("ack_secret")
            )
            for e in data["decrypted"]
        ]
    except _UNREADABLE as exc:
        return {}, f"{path}: ignored, will be rewritten ({exc})"
    folders = submission_folders(out)  # one listing, not a stat per entry (10,000 entries)
    return {e.id: e for e in entries if _valid(e, folders)}, None


def _valid(e: ReceiptEntry, folders: set[str]) -> bool:
    """An entry naming a released folder of ``out`` (a real folder: the listing's own type, links
    not followed), with well-formed hashes. Whether that folder holds a regular submission.json is
    left to the indexes: the receipt is written only for folders they hold (``batch``)."""
    return (
        isinstance(e.id, str)
        and isinstance(e.file, str)
        and isinstance(e.sha256, str)
        and bool(_SHA256_RE.fullmatch(e.sha256))
        and (e.ack_secret is None or bool(ACK_SECRET_RE.fullmatch(str(e.ack_secret))))
        and not e.id.startswith(".")
        and "/" not in e.id
        and e.id in folders
    )


def write_receipt(out: Path, entries: dict[str, ReceiptEntry], now: datetime) -> Path:
    """Atomically (re)write ``<out>/receipt.json`` listing ``entries`` sorted by id.

    One entry per line, each encoded on its own (json's C encoder; ``indent`` would run the
    pure-Python one over the whole list, ~10 MB and 0.1 s more at 10,000 entries)."""
    head = {"format": RECEIPT_FORMAT, "created_at": format_timestamp(now.replace(microsecond=0))}
    lines = ",\n".join(
        "    " + json.dumps(_entry_json(e)) for e in sorted(entries.values(), key=lambda e: e.id)
    )
    text = json.dumps(head, indent=2)[:-2] + ',\n  "decrypted": [\n' + lines + "\n  ]\n}\n"
    path = out / RECEIPT_NAME
    write_atomic(path, text.encode("utf-8"))
    return path


def _entry_json(entry: ReceiptEntry) -> dict[str, str]:
    body = {"id": entry.id, "file": entry.file, "sha256": entry.sha256}
    if entry.ack_secret is not None:
        body["ack_secret"] = entry.ack_secret
    return body
