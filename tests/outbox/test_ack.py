"""Acks from the offline side: only files the receipt proves were decrypted are deleted
(legacy rows, sealed before ack secrets, only on request), idempotently."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest

import crypto
from intake import outbox
from intake.outbox import AckEntry
from intake.store import Store
from intake.store.schema import MIGRATIONS
from intake.submission.ids import ack_hash, new_ack_secret
from tests.support.outbox import queued as _queued
from tests.support.paths import QUESTIONNAIRES


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
    result = await outbox.ack(store, pairs, now=5, legacy_sha256=True)  # rows without ack_hash
    assert (result.deleted, result.mismatched, result.unknown) == (["aaa"], ["bbb"], ["zzz"])
    assert not (store.outbox_dir / "aaa.age").exists()
    assert (store.outbox_dir / "bbb.age").exists()
    again = await outbox.ack(store, pairs, now=6, legacy_sha256=True)
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


TINY = QUESTIONNAIRES / "qa_tiny.toml"


async def _sealed(store: Store, submission_id: str, secret: str | None) -> str:
    sha, size = outbox.write_sealed(store.outbox_dir, submission_id, lambda f: f.write(b"x"))
    await store.outbox.add(submission_id, sha, size, 1.0, secret and ack_hash(secret))
    return sha


async def test_only_the_sealed_secret_proves_decryption(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    secret = new_ack_secret()
    sha = await _sealed(store, "aaa", secret)
    forged = [AckEntry("aaa", sha), AckEntry("aaa", sha, new_ack_secret())]
    result = await outbox.ack(store, forged, now=5)
    assert result.unproven == ["aaa", "aaa"]
    assert result.deleted == []
    assert result.kept
    assert (store.outbox_dir / "aaa.age").exists()
    proven = await outbox.ack(store, [AckEntry("aaa", sha, secret)], now=6)
    assert proven.deleted == ["aaa"]
    assert not proven.kept
    assert not (store.outbox_dir / "aaa.age").exists()
    again = await outbox.ack(store, [AckEntry("aaa", sha)], now=7)
    assert again.already == ["aaa"]
    await store.close()


async def test_legacy_rows_are_kept_unless_asked(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    sha = await _sealed(store, "old", None)
    kept = await outbox.ack(store, [AckEntry("old", sha)], now=5)
    assert (kept.legacy, kept.deleted) == (["old"], [])
    assert (store.outbox_dir / "old.age").exists()
    done = await outbox.ack(store, [AckEntry("old", sha)], now=6, legacy_sha256=True)
    assert (done.deleted, done.legacy_deleted) == (["old"], ["old"])
    assert not (store.outbox_dir / "old.age").exists()
    await store.close()


def test_receipt_entries_carry_a_wellformed_secret_or_none() -> None:
    good = "cd" * 32
    data = {
        "format": "witness-intake/receipt/v1",
        "decrypted": [
            {"id": "a", "sha256": "A" * 64, "ack_secret": good},
            {"id": "b", "sha256": "b" * 64, "ack_secret": "not hex"},
            {"file": "x/c.age", "sha256": "c" * 64, "ack_secret": 12},
        ],
    }
    assert outbox.parse_receipt(data) == [
        AckEntry("a", "a" * 64, good),
        AckEntry("b", "b" * 64, None),
        AckEntry("c", "c" * 64, None),
    ]


async def test_a_v1_database_upgrades_and_its_rows_are_legacy(tmp_path: Path) -> None:
    data = tmp_path / "d"
    await (await Store.open(data)).close()  # the data dir and its key, as a v1 server had them
    db = data / "intake.sqlite3"
    db.unlink()
    with sqlite3.connect(db) as conn:
        conn.executescript(MIGRATIONS[0])
        row_v1 = ("old", "0" * 64, 1, 1.0, "queued", None, None)
        conn.execute("INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?, ?)", row_v1)
        conn.execute("PRAGMA user_version = 1")
    db.chmod(0o600)
    store = await Store.open(data)
    row = await store.outbox.get("old")
    assert row is not None
    assert row.ack_hash is None
    await store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_a_submission_seals_its_secret_and_the_server_keeps_only_the_hash(
    tmp_path: Path,
) -> None:
    from intake.channel import Press, Start, Text
    from intake.questionnaire import load
    from intake.service import IntakeService

    staff = crypto.generate_identity(post_quantum=False)
    store = await Store.open(tmp_path / "d")
    svc = IntakeService(store, load(TINY), [staff.recipient()])
    reply = await svc.handle("w", Start())
    while reply.outcome != "submit":
        stage = reply.prompt.stage
        action = {"language": "l", "consent": "acc", "review": "sub"}.get(stage)
        tokens = [b.token for row in reply.prompt.buttons for b in row]
        chosen = [t for t in tokens if action is not None and t.split(".")[1] == action]
        event = Press(chosen[0]) if chosen else Text("words")
        reply = await svc.handle("w", event)
    (row,) = await store.outbox.rows()
    await store.close()
    with (store.outbox_dir / row.filename).open("rb") as f:
        plain = crypto.decrypt(f, [staff]).read()
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        member = tar.extractfile("submission.json")
        assert member is not None
        secret = json.loads(member.read())["ack_secret"]
    assert row.ack_hash == hashlib.sha256(bytes.fromhex(secret)).hexdigest()
    for path in (tmp_path / "d").rglob("*"):  # not the secret itself, in any form, anywhere
        if path.is_file():
            blob = path.read_bytes()
            assert secret.encode() not in blob, path
            assert bytes.fromhex(secret) not in blob, path
