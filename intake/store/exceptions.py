"""Errors of the draft store. Messages name what failed and where, never what a witness said."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store error."""


class UnsafeDataDirError(StoreError):
    """The data dir (or a file in it) is readable by others or owned by someone else.

    The store refuses to start rather than silently widening or narrowing what others may read:
    a world-readable data dir means testimony ciphertext and the server key may already have leaked,
    which an operator must look at.
    """


class AttachmentTooLargeError(StoreError):
    """An attachment stream went over its ``max_bytes`` limit; nothing of it was kept."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"attachment larger than the limit of {max_bytes} bytes")
        self.max_bytes = max_bytes


class DraftCorruptError(StoreError):
    """A draft or attachment failed authentication (tampered, truncated or wrong key)."""


class DraftNotFoundError(StoreError):
    """No open draft for the witness or draft id asked for."""
