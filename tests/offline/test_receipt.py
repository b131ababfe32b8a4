"""receipt.json: round trip, stale entries dropped, a damaged receipt ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from intake.offline.receipt import ReceiptEntry, load_receipt, write_receipt


def test_receipt_round_trip_and_stale_entries(tmp_path: Path) -> None:
    (tmp_path / "A1").mkdir()
    (tmp_path / "A1" / "submission.json").write_text("{}")
    entries = {
        "A1": ReceiptEntry("A1", "A1.age", "a" * 64),
        "B2": ReceiptEntry("B2", "B2.age", "b" * 64),  # its folder is gone
    }
    write_receipt(tmp_path, entries, datetime(2026, 11, 25, 12, 0, 0, 123, tzinfo=UTC))
    text = (tmp_path / "receipt.json").read_text()
    assert '"created_at": "2026-11-25T12:00:00Z"' in text
    loaded, problem = load_receipt(tmp_path)
    assert problem is None
    assert list(loaded) == ["A1"]
    (tmp_path / "receipt.json").write_text("not json")
    assert load_receipt(tmp_path)[0] == {}
    assert "receipt.json: ignored" in (load_receipt(tmp_path)[1] or "")
