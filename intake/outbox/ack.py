"""``intake ack``: delete from the server only what the offline side proved it decrypted.

Proof is the ``ack_secret`` sealed inside each submission: the index keeps only its sha256, so a
receipt built from what is public on the stick (ids and ciphertext hashes in ``manifest.json``)
deletes nothing. Files sealed before secrets existed have no hash; they are kept unless the
operator asks for ``legacy_sha256`` (deleted on the ciphertext sha256 alone, as before).
The receipt itself comes back on a stick: read without following a link, refused if it is not a
regular file or larger than :data:`MAX_RECEIPT_BYTES`, decoded with bounds.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from intake import safefs
from intake.outbox.files import SUFFIX
from intake.store import OutboxRow, Store
from intake.store.datadir import fsync_dir
from intake.submission import strictjson
from intake.submission.ids import ACK_SECRET_RE, MAX_RECEIPT_BYTES, RECEIPT_FORMAT, ack_hash

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class AckEntry:
    """One line of a receipt: which file, its ciphertext sha256, and the proof (if any)."""

    submission_id: str
    sha256: str
    ack_secret: str | None = None


@dataclass(slots=True)
class AckResult:
    """Outcome per receipt entry."""

    deleted: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    unproven: list[str] = field(default_factory=list)  # no or wrong ack_secret: kept
    legacy: list[str] = field(default_factory=list)  # sealed before secrets: kept
    legacy_deleted: list[str] = field(default_factory=list)  # of ``deleted``: on sha256 alone

    @property
    def kept(self) -> bool:
        """Whether some entry asked for a deletion that was not done."""
        return bool(self.unknown or self.mismatched or self.unproven or self.legacy)


class ReceiptError(ValueError):
    """The receipt cannot be used at all; the message says why."""


def read_receipt(path: Path) -> list[AckEntry]:
    """The entries of the receipt file at ``path`` (see :func:`parse_receipt`)."""
    try:
        data = strictjson.loads(safefs.read_bounded(path, MAX_RECEIPT_BYTES))
    except safefs.UnsafePathError as exc:
        raise ReceiptError(str(exc).removeprefix(f"{path} ")) from None
    except OSError as exc:
        raise ReceiptError(exc.strerror or type(exc).__name__) from None
    except strictjson.StrictJSONError as exc:
        raise ReceiptError(str(exc)) from None
    return parse_receipt(data)


def parse_receipt(data: Any) -> list[AckEntry]:
    """The entries of a ``receipt.json`` object.

    Tolerant: entries may name the submission by ``id``/``submission_id`` or by ``file``
    (``<id>.age``, any folder); a malformed ``ack_secret`` counts as none. Raises ValueError
    naming what is wrong.
    """
    if not isinstance(data, Mapping) or data.get("format") != RECEIPT_FORMAT:
        raise ValueError(f"not a receipt: 'format' must be {RECEIPT_FORMAT!r}")
    entries = data.get("decrypted")
    if not isinstance(entries, list):
        raise ValueError("receipt: 'decrypted' must be a list")
    out: list[AckEntry] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("sha256"), str):
            raise ValueError(f"receipt: decrypted[{i}] needs a sha256")
        name = entry.get("id") or entry.get("submission_id")
        if not isinstance(name, str) and isinstance(entry.get("file"), str):
            name = Path(entry["file"]).name.removesuffix(SUFFIX)
        if not isinstance(name, str) or not name:
            raise ValueError(f"receipt: decrypted[{i}] needs an id or a file")
        secret = entry.get("ack_secret")
        valid = isinstance(secret, str) and ACK_SECRET_RE.fullmatch(secret)
        out.append(AckEntry(name, entry["sha256"].lower(), secret if valid else None))
    return out


async def ack(
    store: Store, entries: list[AckEntry], *, now: float, legacy_sha256: bool = False
) -> AckResult:
    """Delete sealed files the receipt proves were decrypted. Idempotent."""
    result = AckResult()
    for entry in entries:
        row = await store.outbox.get(entry.submission_id)
        verdict = _verdict(row, entry, legacy_sha256)
        if row is not None and verdict in ("deleted", "legacy_deleted"):
            await _delete(store, row, now)
            result.deleted.append(entry.submission_id)
        if verdict != "deleted":
            getattr(result, verdict).append(entry.submission_id)
    return result


def _verdict(row: OutboxRow | None, entry: AckEntry, legacy_sha256: bool) -> str:
    """Which :class:`AckResult` list the entry belongs to."""
    if row is None:
        return "unknown"
    if row.sha256 != entry.sha256:
        log.error("ack_sha256_mismatch", submission_id=row.submission_id)
        return "mismatched"
    if row.state == "acknowledged":
        return "already"
    if row.ack_hash is None:
        return "legacy_deleted" if legacy_sha256 else "legacy"
    proven = entry.ack_secret is not None and hmac.compare_digest(
        ack_hash(entry.ack_secret), row.ack_hash
    )
    if not proven:
        log.error("ack_unproven", submission_id=row.submission_id)
        return "unproven"
    return "deleted"


async def _delete(store: Store, row: OutboxRow, now: float) -> None:
    # marked first: a crash before the unlink leaves a file recovery deletes, never a queued row
    # whose file is gone
    await store.outbox.mark_acknowledged(row.submission_id, now)
    (store.outbox_dir / row.filename).unlink(missing_ok=True)
    fsync_dir(store.outbox_dir)
