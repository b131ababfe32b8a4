"""``intake ack``: delete from the server only what the offline side confirmed it decrypted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from intake.outbox.files import RECEIPT_FORMAT, SUFFIX
from intake.store import Store
from intake.store.datadir import fsync_dir

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class AckResult:
    """Outcome per receipt entry."""

    deleted: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)


def parse_receipt(data: Any) -> list[tuple[str, str]]:
    """(submission id, ciphertext sha256) pairs from a ``receipt.json`` object.

    Tolerant: entries may name the submission by ``id``/``submission_id`` or by ``file``
    (``<id>.age``, any folder). Raises ValueError naming what is wrong.
    """
    if not isinstance(data, Mapping) or data.get("format") != RECEIPT_FORMAT:
        raise ValueError(f"not a receipt: 'format' must be {RECEIPT_FORMAT!r}")
    entries = data.get("decrypted")
    if not isinstance(entries, list):
        raise ValueError("receipt: 'decrypted' must be a list")
    pairs: list[tuple[str, str]] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("sha256"), str):
            raise ValueError(f"receipt: decrypted[{i}] needs a sha256")
        name = entry.get("id") or entry.get("submission_id")
        if not isinstance(name, str) and isinstance(entry.get("file"), str):
            name = Path(entry["file"]).name.removesuffix(SUFFIX)
        if not isinstance(name, str) or not name:
            raise ValueError(f"receipt: decrypted[{i}] needs an id or a file")
        pairs.append((name, entry["sha256"].lower()))
    return pairs


async def ack(store: Store, pairs: list[tuple[str, str]], *, now: float) -> AckResult:
    """Delete sealed files whose ciphertext sha256 the offline side confirmed. Idempotent."""
    result = AckResult()
    for submission_id, sha256 in pairs:
        row = await store.outbox.get(submission_id)
        if row is None:
            result.unknown.append(submission_id)
        elif row.sha256 != sha256:
            result.mismatched.append(submission_id)
            log.error("ack_sha256_mismatch", submission_id=submission_id)
        elif row.state == "acknowledged":
            result.already.append(submission_id)
        else:
            # marked first: a crash before the unlink leaves a file recovery deletes, never a
            # queued row whose file is gone
            await store.outbox.mark_acknowledged(submission_id, now)
            (store.outbox_dir / row.filename).unlink(missing_ok=True)
            fsync_dir(store.outbox_dir)
            result.deleted.append(submission_id)
    return result
