"""The draft: a sealed record of kind ``draft`` holding one witness's open conversation.

Its body is JSON: the service's document (``body``) plus the draft's own times and, once a submit
began, the submission id. None of it is in clear anywhere. The record's lookup tag is the
witness key (:meth:`intake.store.serverkey.ServerKeys.witness_key`), so the draft is found by its
witness in memory, never through a value stored in SQLite.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from intake.store.sealed import Record

KIND = "draft"
_HEX_KEY = re.compile(r"[0-9a-f]{64}")


def witness_tag(witness_key: str) -> bytes:
    """The 32-byte lookup tag of a witness key.

    A real witness key is the hex HMAC :meth:`~intake.store.Store.witness_key` returns: its bytes
    are the tag, so the tag is exactly HMAC(witness secret, ``"<channel>:<user id>"``). Any other
    string (tests, the console demo) is hashed to 32 bytes.
    """
    if _HEX_KEY.fullmatch(witness_key):
        return bytes.fromhex(witness_key)
    return hashlib.sha256(witness_key.encode()).digest()


@dataclass(slots=True)
class Draft:
    """An open draft, decrypted. ``body`` is the JSON document the service keeps in it.

    ``key`` is the draft's own random key (memory only; on disk only inside its key slot);
    ``version`` counts saves and is bound into the ciphertext's associated data; ``sealing_id`` is
    the submission id once a submit has begun (set before anything is sealed, so a retry after a
    crash reuses it). A draft loaded after a restart knows its witness only by the tag:
    ``witness_key`` is then the tag in hex (the same string for real witness keys).
    """

    draft_id: str
    witness_key: str
    version: int
    key: bytes = field(repr=False)
    created_at: float
    updated_at: float
    expires_at: float
    body: dict[str, Any] = field(repr=False)
    sealing_id: str | None = None
    record: Record | None = field(default=None, repr=False, compare=False)

    def to_plaintext(self) -> bytes:
        """What the record's sealed body holds."""
        doc = {
            "format": 1,
            "body": self.body,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "sealing_id": self.sealing_id,
        }
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_record(cls, record: Record, plaintext: bytes) -> Draft:
        """The draft sealed in ``record``'s body ``plaintext``."""
        doc = json.loads(plaintext)
        return cls(
            draft_id=record.record_id,
            witness_key=(record.tag or b"").hex(),
            version=record.version,
            key=record.key,
            created_at=float(doc["created_at"]),
            updated_at=float(doc["updated_at"]),
            expires_at=record.expires_at,
            body=doc["body"],
            sealing_id=doc.get("sealing_id"),
            record=record,
        )
