"""``<out>/receipt.json``: which sealed files were decrypted and verified into this folder.

The server's ``intake ack`` deletes exactly the files listed (matched by id and ciphertext sha256).
The receipt is cumulative for the output folder: entries of earlier runs are kept while their
``<out>/<id>/`` still exists, so it also tells a re-run which files are already done.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from intake.offline.spreadsheet import write_atomic
from intake.submission.document import format_timestamp

RECEIPT_NAME = "receipt.json"
RECEIPT_FORMAT = "witness-intake/receipt/v1"
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class ReceiptEntry:
    """One decrypted and verified sealed file."""

    id: str
    file: str
    sha256: str


def load_receipt(out: Path) -> tuple[dict[str, ReceiptEntry], str | None]:
    """Entries of the existing receipt whose folders still exist; a problem line if unreadable."""
    path = out / RECEIPT_NAME
    if not path.is_file():
        return {}, None
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != RECEIPT_FORMAT:
            raise ValueError(f"format is not {RECEIPT_FORMAT}")
        entries = [
            ReceiptEntry(id=e["id"], file=e["file"], sha256=e["sha256"]) for e in data["decrypted"]
        ]
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        return {}, f"{path}: ignored, will be rewritten ({exc})"
    return {
        e.id: e
        for e in entries
        if isinstance(e.id, str)
        and isinstance(e.file, str)
        and isinstance(e.sha256, str)
        and _SHA256_RE.fullmatch(e.sha256)
        and not e.id.startswith(".")
        and "/" not in e.id
        and (out / e.id / "submission.json").is_file()
    }, None


def write_receipt(out: Path, entries: dict[str, ReceiptEntry], now: datetime) -> Path:
    """Atomically (re)write ``<out>/receipt.json`` listing ``entries`` sorted by id."""
    body = {
        "format": RECEIPT_FORMAT,
        "created_at": format_timestamp(now.replace(microsecond=0)),
        "decrypted": [
            {"id": e.id, "file": e.file, "sha256": e.sha256}
            for e in sorted(entries.values(), key=lambda e: e.id)
        ],
    }
    path = out / RECEIPT_NAME
    write_atomic(path, (json.dumps(body, indent=2) + "\n").encode("utf-8"))
    return path
