"""Acks from the offline side: only matching files are deleted, idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake import outbox
from intake.store import Store
from tests.support.outbox import queued as _queued


async def test_ack_deletes_only_matching_and_is_idempotent(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    sha_a = await _queued(store, "aaa", b"A")
    await _queued(store, "bbb", b"B")
    receipt = {
        "format": "witness-intake/receipt/v1",
        "decrypted": [
            {"id": "aaa", "file": "aaa.age", "sha256": sha_a},
            {"file": "bbb.age", "sha256": "f" * 64},  # keyed by file name, wrong hash
            {"id": "zzz", "sha256": "e" * 64},
        ],
    }
    pairs = outbox.parse_receipt(receipt)
    result = await outbox.ack(store, pairs, now=5)
    assert (result.deleted, result.mismatched, result.unknown) == (["aaa"], ["bbb"], ["zzz"])
    assert not (store.outbox_dir / "aaa.age").exists()
    assert (store.outbox_dir / "bbb.age").exists()
    again = await outbox.ack(store, pairs, now=6)
    assert again.already == ["aaa"]
    assert again.deleted == []
    assert await store.outbox.counts() == {"queued": 1, "exported": 0, "acknowledged": 1}
    await store.close()


@pytest.mark.parametrize(
    "bad",
    [{}, {"format": "x"}, {"format": "witness-intake/receipt/v1", "decrypted": [{"id": "a"}]}],
)
def test_parse_receipt_rejects_malformed(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="receipt"):
        outbox.parse_receipt(bad)
