"""Durable, encrypted storage of drafts, attachments, the outbox index and rate limits.

See :mod:`intake.store.store` for the :class:`Store`, :mod:`intake.store.datadir` for the on-disk
layout and the data-dir safety policy, :mod:`intake.store.serverkey` for what the server key
protects.
"""

from intake.store.drafts import Draft
from intake.store.exceptions import (
    AttachmentTooLargeError,
    DraftCorruptError,
    DraftNotFoundError,
    StoreError,
    UnsafeDataDirError,
)
from intake.store.outbox_index import OutboxRow
from intake.store.store import DEFAULT_TTL, Store

__all__ = [
    "DEFAULT_TTL",
    "AttachmentTooLargeError",
    "Draft",
    "DraftCorruptError",
    "DraftNotFoundError",
    "OutboxRow",
    "Store",
    "StoreError",
    "UnsafeDataDirError",
]
