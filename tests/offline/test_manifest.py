"""The streaming manifest reader: what it keeps, what it refuses, where it stops, and its bounds."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from intake.offline.manifest import MAX_NAMED, MAX_VALUE_CHARS, Listed, read_manifest

SHA = "ab" * 32


def _entry(name: str, sha: str = SHA, size: Any = 10) -> dict[str, Any]:
    return {"id": name, "file": f"{name}.age", "sha256": sha, "size": size}


def _read(body: bytes | str, present: set[str]) -> Any:
    raw = body.encode() if isinstance(body, str) else body
    return read_manifest(io.BytesIO(raw), present)


def test_export_shape_keeps_only_present_files_and_counts_missing() -> None:
    entries = [_entry("A"), _entry("B", size=20), *(_entry(f"M{n}") for n in range(50))]
    body = json.dumps({"format": "witness-intake/export/v1", "submissions": entries}, indent=2)
    m = _read(body, {"A.age", "B.age", "X.age"})
    assert m.listed == {"A.age": Listed(SHA, 10), "B.age": Listed(SHA, 20)}
    assert m.missing_count == 50
    assert len(m.missing) == MAX_NAMED
    assert m.read_all
    assert m.problems == []


@pytest.mark.parametrize("key", ["files", "entries"])
def test_other_list_names_and_a_bare_list(key: str) -> None:
    assert _read(json.dumps({key: [_entry("A")]}), {"A.age"}).listed
    assert _read(json.dumps([_entry("A")]), {"A.age"}).listed


def test_values_straddling_read_pieces_are_decoded_whole() -> None:
    """A number whose digits cross the 64 KiB piece boundary must not be cut (1234|567 would
    then leave "567," where a comma is expected and stop the reading)."""
    entry = json.dumps(_entry("A"))
    for pad in range(65_515, 65_536):  # the digits start at 10 + pad: around offset 65,536
        body = '{"count": ' + " " * pad + '1234567, "submissions": [' + entry + "]}"
        m = _read(body, {"A.age"})
        assert m.read_all, (pad, m.problems)
        assert m.listed["A.age"].size == 10
    big = '{"format": "' + "x" * 70_000 + '", "submissions": [' + entry + "]}"
    assert _read(big, {"A.age"}).listed  # a value longer than one piece, within the limit


def test_a_bad_entry_is_a_problem_and_its_file_a_failure_and_reading_goes_on() -> None:
    entries = [
        _entry("A"),
        _entry("B", sha="nothex"),
        {"no": "id"},
        _entry("C", size="1" * 5_000),
        _entry("D"),
    ]
    m = _read(json.dumps({"submissions": entries}), {"A.age", "B.age", "C.age", "D.age"})
    assert set(m.listed) == {"A.age", "D.age"}
    assert m.refused == {
        "B.age": "its entry in manifest.json is invalid (B.age: invalid sha256)",
        "C.age": "its entry in manifest.json is invalid (C.age: invalid size)",
    }
    assert m.problems == [
        "manifest.json: entry 2: B.age: invalid sha256",
        "manifest.json: entry 3: expected an object with an id",
        "manifest.json: entry 4: C.age: invalid size",
    ]
    assert m.read_all


def test_a_file_listed_twice_differently_is_refused_identically_only_noted() -> None:
    entries = [_entry("A"), _entry("A", size=11), _entry("B"), _entry("B")]
    m = _read(json.dumps(entries), {"A.age", "B.age"})
    assert m.refused == {"A.age": "listed twice in manifest.json, with different sha256 or size"}
    assert m.listed["B.age"] == Listed(SHA, 10)
    assert "B.age" not in m.refused
    assert m.problem_count == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"submissions": [' + json.dumps(_entry("A")) + ', {"id": "B", "sha', "after entry 1"),
        ('{"submissions": [' + json.dumps(_entry("A")) + "] garbage", "after entry 1"),
        ('{"submissions": [' + json.dumps(_entry("A")) + ", " + "[" * 100_000, "after entry 1"),
        ('{"format": "' + "x" * (3 * MAX_VALUE_CHARS) + '", "submissions": []}', "from the start"),
        ('{"size": ' + "1" * (3 * MAX_VALUE_CHARS) + "}", "from the start"),
        ('{"format": "x"}', "no list of files"),
        ("12", "expected an object or a list"),
        ("", "from the start"),
    ],
)
def test_where_the_text_stops_making_sense_reading_stops_and_the_start_counts(
    body: str, reason: str
) -> None:
    m = _read(body, {"A.age"})
    assert not m.read_all
    assert len(m.problems) == 1
    assert reason in m.problems[0], m.problems
    if "after entry 1" in reason:
        assert m.listed == {"A.age": Listed(SHA, 10)}


def test_not_utf8_stops_with_a_reason() -> None:
    m = _read(b'{"submissions": [{"id": "\xff"}]}', {"A.age"})
    assert not m.read_all
    assert "invalid start byte" in m.problems[0]


def test_problems_are_counted_beyond_those_kept() -> None:
    entries = [{"bad": n} for n in range(500)]
    m = _read(json.dumps(entries), set())
    assert len(m.problems) == MAX_NAMED
    assert m.problem_count == 500


def test_more_than_max_entries_stops_with_a_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import intake.offline.manifest as manifest

    monkeypatch.setattr(manifest, "MAX_ENTRIES", 3)
    m = _read(json.dumps([_entry(f"F{n}") for n in range(10)]), {"F1.age", "F5.age"})
    assert set(m.listed) == {"F1.age"}
    assert not m.read_all
    assert "lists more than 3 files" in m.problems[0]
