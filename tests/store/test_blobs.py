"""Attachments: streamed to disk encrypted in chunks, read back, truncation and size caught."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from intake.store import AttachmentTooLargeError, DraftCorruptError, Store
from tests.support.witness import chunks


async def test_attachment_streams_encrypted_and_reads_back(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    await store.save_draft(draft)
    payload = os.urandom(200_000) + b"ATTACHMENT-CANARY" + os.urandom(70_000)
    att_id, size, sha = await store.add_attachment(draft, chunks(payload, 7000), max_bytes=1 << 20)
    assert size == len(payload)
    assert sha == hashlib.sha256(payload).hexdigest()
    assert b"".join(store.read_attachment(draft, att_id)) == payload
    blob = next(store.draft_dir(draft.draft_id).glob("*.blob")).read_bytes()
    assert b"ATTACHMENT-CANARY" not in blob
    await store.close()


@pytest.mark.parametrize("length", [0, 1, 65536, 65537, 131072])
async def test_attachment_chunk_boundaries(tmp_path: Path, length: int) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    data = os.urandom(length)
    att_id, size, _ = await store.add_attachment(draft, chunks(data, 65536), max_bytes=1 << 20)
    assert size == length
    assert b"".join(store.read_attachment(draft, att_id)) == data
    await store.close()


async def test_attachment_truncation_is_detected(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    att_id, _, _ = await store.add_attachment(draft, chunks(os.urandom(150_000), 7000), 1 << 20)
    path = next(store.draft_dir(draft.draft_id).glob("*.blob"))
    path.write_bytes(path.read_bytes()[: 8 + 65536 + 16])  # drop everything after chunk 0
    with pytest.raises(DraftCorruptError):
        b"".join(store.read_attachment(draft, att_id))
    await store.close()


async def test_attachment_over_limit_leaves_nothing(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    draft = store.new_draft("wk", {})
    with pytest.raises(AttachmentTooLargeError):
        await store.add_attachment(draft, chunks(os.urandom(100_000), 7000), max_bytes=50_000)
    assert list(store.draft_dir(draft.draft_id).iterdir()) == []
    await store.close()
