"""Putting sealed files into a server outbox, as the service does after sealing."""

from __future__ import annotations

from intake import outbox
from intake.store import Store


def seal_into_outbox(store: Store, submission_id: str, payload: bytes) -> tuple[str, int]:
    """Write ``payload`` as the sealed file of ``submission_id``; (sha256, size)."""
    return outbox.write_sealed(store.outbox_dir, submission_id, lambda f: f.write(payload))


async def queued(store: Store, submission_id: str, payload: bytes) -> str:
    """A sealed file written and indexed as queued for export; its sha256."""
    sha256, size = seal_into_outbox(store, submission_id, payload)
    await store.outbox.add(submission_id, sha256, size, store.clock())
    return sha256
