"""Start-up recovery of the outbox: temp files, orphans, missing files, half-done acks."""

from __future__ import annotations

import hashlib
from pathlib import Path

from structlog.testing import capture_logs

from intake import outbox
from intake.store import Store
from tests.support.outbox import queued as _queued
from tests.support.outbox import seal_into_outbox as _seal


async def test_recover_temp_orphan_and_missing(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    (store.outbox_dir / "half.age.tmp").write_bytes(b"partial")
    _seal(store, "orphan", b"sealed but never indexed")
    await store.outbox.add("gone", "0" * 64, 5, 1.0)
    with capture_logs() as logs:
        report = await outbox.recover(store)
    assert report.temp_removed == 1
    assert report.indexed == ["orphan"]
    assert report.missing == ["gone"]
    assert {"event": "outbox_file_missing", "submission_id": "gone", "log_level": "error"} in logs
    row = await store.outbox.get("orphan")
    assert row is not None
    assert row.sha256 == hashlib.sha256(b"sealed but never indexed").hexdigest()
    assert not (store.outbox_dir / "half.age.tmp").exists()
    await store.close()


async def test_recover_completes_an_interrupted_ack(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    await _queued(store, "aaa", b"A")
    await store.outbox.mark_acknowledged("aaa", 5)  # crash right after marking
    report = await outbox.recover(store)
    assert report.ack_completed == 1
    assert not (store.outbox_dir / "aaa.age").exists()
    assert report.missing == []
    await store.close()
