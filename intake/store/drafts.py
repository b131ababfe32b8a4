"""The draft record: what a draft is in memory, and how it becomes a row and back."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from intake.store.serverkey import ServerKeys, open_payload, seal_payload

DRAFT_COLUMNS = (
    "draft_id, witness_key, version, wrapped_key, body, created_at, updated_at, expires_at,"
    " sealing_id"
)

# fixed column names; every value is bound as a parameter
UPSERT_DRAFT = (
    f"INSERT INTO drafts ({DRAFT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
    "ON CONFLICT(draft_id) DO UPDATE SET version = excluded.version, body = excluded.body, "
    "updated_at = excluded.updated_at, sealing_id = excluded.sealing_id"
)


def new_draft_id() -> str:
    """A random draft id (128 bits, hex): says nothing about the witness."""
    return os.urandom(16).hex()


@dataclass(slots=True)
class Draft:
    """An open draft, decrypted. ``body`` is the JSON document the service keeps in it.

    ``key`` is the draft's own random key (plaintext, memory only); ``version`` counts saves and is
    bound into the ciphertext's associated data; ``sealing_id`` is the submission id once a submit
    has begun (set before anything is sealed, so a retry after a crash reuses it).
    """

    draft_id: str
    witness_key: str
    version: int
    key: bytes
    created_at: float
    updated_at: float
    expires_at: float
    body: dict[str, Any]
    sealing_id: str | None = None
    wrapped_key: bytes | None = None  # cached: the key is wrapped once, not on every save

    def to_row(self, keys: ServerKeys) -> tuple[Any, ...]:
        """Encrypt into the column values of :data:`UPSERT_DRAFT`."""
        plaintext = json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()
        return (
            self.draft_id,
            self.witness_key,
            self.version,
            self._wrapped(keys),
            seal_payload(self.key, self.draft_id, self.version, plaintext),
            self.created_at,
            self.updated_at,
            self.expires_at,
            self.sealing_id,
        )

    def _wrapped(self, keys: ServerKeys) -> bytes:
        if self.wrapped_key is None:
            self.wrapped_key = keys.wrap(self.draft_id, self.key)
        return self.wrapped_key

    @classmethod
    def from_row(cls, keys: ServerKeys, row: Any) -> Draft:
        """Decrypt a row selected with :data:`DRAFT_COLUMNS`."""
        draft_id, witness_key, version, wrapped, body, created, updated, expires, sealing = row
        key = keys.unwrap(draft_id, wrapped)
        plaintext = open_payload(key, draft_id, version, body)
        return cls(
            draft_id=draft_id,
            witness_key=witness_key,
            version=version,
            key=key,
            created_at=created,
            updated_at=updated,
            expires_at=expires,
            body=json.loads(plaintext),
            sealing_id=sealing,
            wrapped_key=wrapped,
        )
