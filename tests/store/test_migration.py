"""Schema v1/v2 → v3 on data dirs written by the code before key slots: open drafts keep working,
nothing of the old witness-keyed columns remains, and a migration interrupted before its commit
can be run again."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

import crypto
from intake.channel import Press, Start
from intake.questionnaire import load_default
from intake.service import IntakeService
from intake.store import Store, schema
from intake.store.keyslots import KeySlotFile
from intake.store.migration import v1_step
from intake.store.sealed import SealedRecords
from intake.store.serverkey import load
from intake.store.store import default_key_source
from tests.support.clock import Clock
from tests.support.paths import STORE_V1, STORE_V2
from tests.support.sealing import open_sealed
from tests.support.witness import find

OPEN_ID, SEALING_ID = 4242, 4343
ATTACHMENT = b"V1-ATTACHMENT-" + bytes(range(256)) * 400


@pytest.fixture(params=[STORE_V1, STORE_V2], ids=["schema-v1", "schema-v2"])
def old(request: pytest.FixtureRequest) -> Path:
    """A data dir written before key slots."""
    return Path(request.param)


def _copy_v1(tmp_path: Path, old: Path) -> tuple[Path, Clock]:
    data = tmp_path / "data"
    shutil.copytree(old, data, ignore=shutil.ignore_patterns("README.md"))
    for path in [data, *data.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    (data / "outbox").mkdir(mode=0o700, exist_ok=True)
    with sqlite3.connect(data / "intake.sqlite3") as db:
        (expires,) = db.execute("SELECT min(expires_at) FROM drafts").fetchone()
    return data, Clock(expires - 3600)  # an hour before the fixture's drafts expire


def _tables(data: Path) -> dict[str, str]:
    with sqlite3.connect(data / "intake.sqlite3") as db:
        return dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))


async def test_v1_drafts_are_carried_over_and_complete(tmp_path: Path, old: Path) -> None:
    data, clock = _copy_v1(tmp_path, old)
    staff = crypto.generate_identity(post_quantum=False)
    store = await Store.open(data, clock=clock)
    try:
        tables = _tables(data)
        assert set(tables) == {"outbox", "records"}  # drafts and rate_limits are gone
        assert all("witness_key" not in sql for sql in tables.values())
        svc = IntakeService(store, load_default(), [staff.recipient()])
        key = svc.witness_key("telegram", OPEN_ID)
        draft = await store.load_draft(key)  # found by the witness, through the key slot's tag
        assert draft is not None
        assert draft.body["channel"] == {"chat": 4242, "ids": [3, 4, 5], "lang": "en"}
        blob = next(store.draft_dir(draft.draft_id).glob("*.blob"))
        assert blob.read_bytes().startswith(b"WIBLOB2\n")  # re-sealed under the new key
        assert b"".join(store.read_attachment(draft, blob.stem)) == ATTACHMENT
        assert len(await store.sealing_draft_ids()) == 1

        await svc.recover()  # the submit the v1 process never finished is sealed now
        (first,) = list(store.outbox_dir.glob("*.age"))
        assert b"CANARY-V1-SEALING" in open_sealed(first, staff)["submission.json"]
        assert await store.load_draft(svc.witness_key("telegram", SEALING_ID)) is None

        review = await svc.handle(key, Start())  # the witness comes back: still at the review
        assert review.prompt.stage == "review"
        done = await svc.handle(key, Press(find(review.prompt, "sub") or ""))
        assert done.outcome == "submit"
        assert done.cleanup_id is not None  # the chat of a carried-over draft is cleaned too
        (second,) = [p for p in store.outbox_dir.glob("*.age") if p != first]
        members = open_sealed(second, staff)
        document = json.loads(members["submission.json"])
        assert any("CANARY-V1-OPEN" in str(a["value"]) for a in document["answers"])
        assert ATTACHMENT in members.values()
    finally:
        await store.close()
    for path in data.rglob("*"):  # no live file names either witness any more
        if path.is_file():
            raw = path.read_bytes()
            for user in (OPEN_ID, SEALING_ID):
                assert svc.witness_key("telegram", user).encode() not in raw, path
                assert bytes.fromhex(svc.witness_key("telegram", user)) not in raw, path


async def test_migration_interrupted_before_its_commit_runs_again(
    tmp_path: Path, old: Path
) -> None:
    data, clock = _copy_v1(tmp_path, old)

    class Crash(Exception):
        pass

    keys = load(default_key_source(data), may_create=False)
    slots, raw = KeySlotFile.open(data / "keyslots", keys.slot_check)
    import aiosqlite

    conn = await aiosqlite.connect(data / "intake.sqlite3", isolation_level=None)
    records = SealedRecords(slots, keys, writer=None, reader=None)  # type: ignore[arg-type]
    records.load_slots(raw)
    step = v1_step(records, keys, keys, data)  # as the code before key rotation did

    async def crashing(c: aiosqlite.Connection) -> None:
        await step(c)  # slots staged and synced, blobs re-sealed …
        raise Crash  # … and the process dies before the commit

    with pytest.raises(Crash):
        await schema.migrate(conn, "db", {3: crashing})
    await conn.close()
    slots.close()
    assert next((data / "drafts").rglob("*.blob")).read_bytes().startswith(b"WIBLOB2\n")
    assert "drafts" in _tables(data)  # v1 is intact

    store = await Store.open(data, clock=clock)  # the next start migrates again
    try:
        svc = IntakeService(store, load_default(), [crypto.generate_identity().recipient()])
        draft = await store.load_draft(svc.witness_key("telegram", OPEN_ID))
        assert draft is not None
        blob = next(store.draft_dir(draft.draft_id).glob("*.blob"))
        assert b"".join(store.read_attachment(draft, blob.stem)) == ATTACHMENT
        assert set(_tables(data)) == {"outbox", "records"}
    finally:
        await store.close()
    rotated = load(default_key_source(data), may_create=False)
    assert rotated != keys  # the upgrade replaced the server key
    found = KeySlotFile.open(data / "keyslots", rotated.slot_check)
    found[0].close()
    assert len(found[1]) == 2  # exactly the two carried drafts hold a slot: no leftovers


async def test_a_draft_key_is_on_disk_before_its_blobs_are_resealed(
    tmp_path: Path, old: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power loss loses slot writes not yet synced: a blob re-sealed (and renamed into place)
    under a key still only in the page cache would be unreadable for good after it."""
    events: list[str] = []
    write, sync, replace = KeySlotFile.write, KeySlotFile.sync, os.replace

    def logged_write(self: KeySlotFile, index: int, data: bytes) -> None:
        events.append("slot_write")
        write(self, index, data)

    async def logged_sync(self: KeySlotFile) -> None:
        events.append("slot_sync")
        await sync(self)

    def logged_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if str(dst).endswith(".blob"):
            events.append("blob_renamed")
        replace(src, dst)

    monkeypatch.setattr(KeySlotFile, "write", logged_write)
    monkeypatch.setattr(KeySlotFile, "sync", logged_sync)
    monkeypatch.setattr("intake.store.migration.os.replace", logged_replace)
    data, clock = _copy_v1(tmp_path, old)
    store = await Store.open(data, clock=clock)
    await store.close()
    assert "blob_renamed" in events
    for at, event in enumerate(events):
        if event == "blob_renamed":
            before = events[:at]
            last_write = max(i for i, e in enumerate(before) if e == "slot_write")
            assert "slot_sync" in before[last_write:], events
