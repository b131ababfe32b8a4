"""receipt.json: round trip, stale entries dropped, a damaged receipt ignored."""

from __future__ import annotations

import json
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


def test_ack_secrets_are_written_one_entry_per_line_and_read_back(tmp_path: Path) -> None:
    for name in ("A1", "C3"):
        (tmp_path / name).mkdir()
    entries = {
        "A1": ReceiptEntry("A1", "A1.age", "a" * 64, "1" * 64),
        "C3": ReceiptEntry("C3", "C3.age", "c" * 64),  # sealed before ack secrets existed
    }
    write_receipt(tmp_path, entries, datetime(2026, 11, 25, tzinfo=UTC))
    text = (tmp_path / "receipt.json").read_text()
    data = json.loads(text)
    assert data["decrypted"] == [
        {"id": "A1", "file": "A1.age", "sha256": "a" * 64, "ack_secret": "1" * 64},
        {"id": "C3", "file": "C3.age", "sha256": "c" * 64},
    ]
    assert sum('"id": ' in line for line in text.splitlines()) == 2  # one entry per line
    assert load_receipt(tmp_path) == (entries, None)


def test_entries_of_links_or_bad_secrets_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "A1").mkdir()
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    (tmp_path / "L2").symlink_to(elsewhere)  # a planted link is no released folder
    entries = {
        "A1": ReceiptEntry("A1", "A1.age", "a" * 64, "not hex"),
        "L2": ReceiptEntry("L2", "L2.age", "b" * 64, "2" * 64),
    }
    write_receipt(tmp_path, entries, datetime(2026, 11, 25, tzinfo=UTC))
    assert load_receipt(tmp_path) == ({}, None)


def test_a_receipt_that_is_a_link_or_too_deep_is_ignored(tmp_path: Path) -> None:
    other = tmp_path.parent / f"{tmp_path.name}-other.json"
    other.write_text('{"format": "witness-intake/receipt/v1", "decrypted": []}')
    (tmp_path / "receipt.json").symlink_to(other)
    loaded, problem = load_receipt(tmp_path)
    assert loaded == {}
    assert "symbolic link" in (problem or "")
    (tmp_path / "receipt.json").unlink()
    (tmp_path / "receipt.json").write_text("[" * 100_000 + "]" * 100_000)
    loaded, problem = load_receipt(tmp_path)
    assert loaded == {}
    assert "nested deeper" in (problem or "")
