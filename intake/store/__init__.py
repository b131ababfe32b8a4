"""Durable, encrypted storage: sealed records (drafts, chat clean-ups), blobs, the outbox index.

See :mod:`intake.store.store` for the :class:`Store`, :mod:`intake.store.sealed` for sealed
records and crypto-shredding, :mod:`intake.store.keyslots` for the key-slot file,
:mod:`intake.store.datadir` for the on-disk layout and the data-dir safety policy,
:mod:`intake.store.serverkey` for the server key and what it protects.
"""

from intake.store.cleanups import Cleanup
from intake.store.drafts import Draft
from intake.store.exceptions import (
    AttachmentTooLargeError,
    DraftCorruptError,
    DraftNotFoundError,
    StoreError,
    UnsafeDataDirError,
)
from intake.store.outbox_index import OutboxRow
from intake.store.sealed import Record
from intake.store.serverkey import KeySource
from intake.store.store import DEFAULT_TTL, Store, default_key_source, storage_warnings

__all__ = [
    "DEFAULT_TTL",
    "AttachmentTooLargeError",
    "Cleanup",
    "Draft",
    "DraftCorruptError",
    "DraftNotFoundError",
    "KeySource",
    "OutboxRow",
    "Record",
    "Store",
    "StoreError",
    "UnsafeDataDirError",
    "default_key_source",
    "storage_warnings",
]
