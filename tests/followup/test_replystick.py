"""Replies on a stick: written by `intake reply`, read back by `intake ack`, hostile both ways."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from intake import safefs
from intake.followup.replystick import (
    MANIFEST_NAME,
    add_to_stick,
    load_reply,
    mark_placed,
    placed_ids,
    read_stick,
)

AGE = b"age-encryption.org/v1\n" + os.urandom(100)


def test_written_then_read_back(tmp_path: Path) -> None:
    folder = tmp_path / "stick" / "replies"
    ids = [os.urandom(16).hex() for _ in range(2)]
    tag = os.urandom(32).hex()
    for reply_id in ids:
        add_to_stick(folder, reply_id, tag, AGE + reply_id.encode())
    entries, problems = read_stick(folder)
    assert problems == []
    assert [e.reply_id for e in entries] == ids
    assert load_reply(folder, entries[1]) == AGE + ids[1].encode()
    mark_placed(folder, {ids[0]})
    assert placed_ids(folder) == {ids[0]}


def test_a_tampered_or_linked_stick_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "replies"
    reply_id = os.urandom(16).hex()
    add_to_stick(folder, reply_id, os.urandom(32).hex(), AGE)
    (entry,), _ = read_stick(folder)
    (folder / entry.file).write_bytes(AGE[:-1] + b"!")
    with pytest.raises(safefs.UnsafePathError, match="does not match"):
        load_reply(folder, entry)
    doc = json.loads((folder / MANIFEST_NAME).read_text())
    doc["replies"].append({"file": "../../etc/passwd", "reply_id": "x"})
    (folder / MANIFEST_NAME).write_text(json.dumps(doc))
    entries, problems = read_stick(folder)
    assert len(entries) == 1
    assert "replies[1] is not a valid entry" in problems[0]
    linked = tmp_path / "linked"
    linked.symlink_to(folder)
    with pytest.raises(safefs.UnsafePathError):
        read_stick(linked)
    with pytest.raises(safefs.UnsafePathError, match="exists"):  # never written over
        add_to_stick(folder, reply_id, os.urandom(32).hex(), AGE)
