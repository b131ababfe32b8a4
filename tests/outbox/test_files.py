"""Sealed files are written atomically, hashed as they are written, private."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from intake import outbox
from intake.store import Store
from tests.support.outbox import seal_into_outbox as _seal


async def test_write_sealed_is_atomic_and_hashes(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    sha256, size = _seal(store, "abc", b"ciphertext")
    assert (sha256, size) == (hashlib.sha256(b"ciphertext").hexdigest(), 10)
    assert sorted(p.name for p in store.outbox_dir.iterdir()) == ["abc.age"]
    assert (store.outbox_dir / "abc.age").stat().st_mode & 0o777 == 0o600

    def boom(f: object) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        outbox.write_sealed(store.outbox_dir, "def", boom)
    assert sorted(p.name for p in store.outbox_dir.iterdir()) == ["abc.age"]
    await store.close()
