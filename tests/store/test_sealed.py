"""Sealed records against crashes at each step, and what is (not) in SQLite.

A crash is simulated by leaving the on-disk state exactly as the interrupted step leaves it and
opening the store again: the start-up reconciliation must then leave no key without its row and
no row without its key — and never lose a record whose commit completed.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from intake.store import Store, StoreError
from intake.store.keyslots import HEADER_SIZE, SLOT_SIZE, offset
from tests.support.paths import ROOT
from tests.support.witness import chunks

# Saves a draft, prints its slot, then destroys it (``extra`` = with an extra statement, as a
# submit's outbox INSERT) and dies by SIGKILL as the destroying transaction is handed to SQLite.
DIES_AT_THE_DESTROY = r"""
import asyncio, os, signal, sys
from pathlib import Path
from intake.store import Store
from intake.store.writer import GroupCommitWriter

async def main(data, extra):
    store = await Store.open(Path(data))
    draft = store.new_draft("wk", {"answer": "CANARY-destroy"})
    await store.save_draft(draft)
    print(draft.record.slot, flush=True)
    real = GroupCommitWriter.write

    async def dies(self, ops, **kw):
        if any(sql.startswith("DELETE FROM records") for sql, _ in ops):
            os.kill(os.getpid(), signal.SIGKILL)
        return await real(self, ops, **kw)

    GroupCommitWriter.write = dies
    ops = [("CREATE TABLE IF NOT EXISTS extra (x)", ())] if extra == "extra" else None
    await store.destroy_draft(draft.draft_id, extra_ops=ops)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def _killed_at_the_destroy(data: Path, extra: bool) -> int:
    """Run :data:`DIES_AT_THE_DESTROY`; the slot of the draft it was destroying."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DIES_AT_THE_DESTROY, str(data), "extra" if extra else "plain",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == -signal.SIGKILL, err.decode()
    return int(out)


def _slots(data: Path) -> dict[int, bytes]:
    raw = (data / "keyslots").read_bytes()
    count = (len(raw) - HEADER_SIZE) // SLOT_SIZE
    found = {i: raw[offset(i) : offset(i) + SLOT_SIZE] for i in range(count)}
    return {i: s for i, s in found.items() if s != bytes(SLOT_SIZE)}


def _rows(data: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(data / "intake.sqlite3") as db:
        return list(db.execute("SELECT record_id, kind, slot FROM records ORDER BY slot"))


async def test_a_record_lives_in_one_row_and_one_slot(tmp_path: Path) -> None:
    data = tmp_path / "d"
    store = await Store.open(data)
    wk = store.witness_key("telegram", 777000111)
    draft = store.new_draft(wk, {"answer": "CANARY-sealed"})
    await store.save_draft(draft)
    await store.close()
    ((record_id, kind, slot),) = _rows(data)
    assert (record_id, kind) == (draft.draft_id, "draft")
    assert list(_slots(data)) == [slot]
    with sqlite3.connect(data / "intake.sqlite3") as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(records)")]
    assert columns == ["record_id", "kind", "slot", "version", "pending", "body"]
    for path in data.rglob("*"):  # the tag exists on disk only inside the (sealed) slot
        if path.is_file():
            raw = path.read_bytes()
            assert bytes.fromhex(wk) not in raw, path
            assert wk.encode() not in raw, path
            assert b"CANARY-sealed" not in raw, path


async def test_crash_after_the_slot_before_the_commit_leaves_no_key(tmp_path: Path) -> None:
    data = tmp_path / "d"
    store = await Store.open(data)
    draft = store.new_draft("wk", {})
    assert draft.record is not None
    await store.records.stage(draft.record)  # step 1 done, then the process dies
    await store.records.sync()
    await store.close()
    assert len(_slots(data)) == 1
    store = await Store.open(data)
    await store.close()
    assert _slots(data) == {}  # zeroed at start-up
    assert _rows(data) == []


async def test_crash_between_commit_and_shred_leaves_no_key(tmp_path: Path) -> None:
    data = tmp_path / "d"
    store = await Store.open(data)
    draft = store.new_draft("wk", {"x": 1})
    await store.save_draft(draft)
    assert draft.record is not None
    assert draft.record.slot is not None
    index = draft.record.slot
    slot_bytes = _slots(data)[index]
    await store.destroy_draft(draft.draft_id)
    await store.close()
    # the row delete committed but the zeros never reached the disk: put the key back
    with (data / "keyslots").open("r+b") as f:
        f.seek(offset(index))
        f.write(slot_bytes)
    assert len(_slots(data)) == 1
    store = await Store.open(data)
    assert await store.load_draft("wk") is None
    await store.close()
    assert _slots(data) == {}


async def test_killed_between_shred_and_commit_of_a_destroy_the_key_is_already_gone(
    tmp_path: Path,
) -> None:
    """Cancel, decline, wipe, expiry: the key is zeroed on disk before the row's DELETE, so a
    crash (a seizure pulls the plug) between the two leaves a row nobody can open, not a key
    next to the WAL and freed pages of its body. Start-up then deletes the row."""
    data = tmp_path / "d"
    index = await _killed_at_the_destroy(data, extra=False)
    assert index not in _slots(data)  # the key is gone from the disk already
    assert len(_rows(data)) == 1  # the DELETE never ran
    store = await Store.open(data)
    try:
        assert await store.load_draft("wk") is None
        assert await store.count_drafts() == 0
    finally:
        await store.close()
    assert _rows(data) == []
    assert _slots(data) == {}


async def test_killed_at_a_submits_commit_the_draft_still_opens(tmp_path: Path) -> None:
    """A destroy that carries the outbox INSERT (a submit) keeps its key until that commit: the
    draft must open again so the submit can finish after the crash."""
    data = tmp_path / "d"
    index = await _killed_at_the_destroy(data, extra=True)
    assert index in _slots(data)
    store = await Store.open(data)
    try:
        draft = await store.load_draft("wk")
        assert draft is not None
        assert draft.body == {"answer": "CANARY-destroy"}
    finally:
        await store.close()


async def test_a_destroy_whose_transaction_fails_leaves_the_record_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key was zeroed first; the transaction failed: the key is written back, the record
    opens, in this run and the next."""
    data = tmp_path / "d"
    store = await Store.open(data)
    draft = store.new_draft("wk", {"x": 1})
    await store.save_draft(draft)
    assert draft.record is not None
    index = draft.record.slot
    writer = store.records._writer  # the failure is injected at the transaction

    async def fails(*_args: object, **_kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(writer, "write", fails)
        with pytest.raises(sqlite3.OperationalError):
            await store.destroy_draft(draft.draft_id)
    assert index in _slots(data)
    reloaded = await store.load_draft("wk")
    assert reloaded is not None
    assert reloaded.body == {"x": 1}
    await store.close()
    store = await Store.open(data)
    try:
        again = await store.load_draft("wk")
        assert again is not None
        assert again.body == {"x": 1}
    finally:
        await store.close()


async def test_a_row_whose_slot_is_gone_or_torn_is_dropped_with_its_blobs(tmp_path: Path) -> None:
    data = tmp_path / "d"
    store = await Store.open(data)
    kept, torn = store.new_draft("kept", {}), store.new_draft("torn", {})
    for draft in (kept, torn):
        await store.save_draft(draft)
        await store.add_attachment(draft, chunks(b"file", 7000), 100)
    assert torn.record is not None
    assert torn.record.slot is not None
    await store.close()
    with (data / "keyslots").open("r+b") as f:  # a torn write: half old, half garbage
        f.seek(offset(torn.record.slot) + 64)
        f.write(b"\xff" * 64)
    store = await Store.open(data)
    try:
        assert await store.load_draft("torn") is None  # destroyed as corrupt: starts over
        assert await store.load_draft("kept") is not None  # the others are untouched
        assert await store.sweep_orphans() == 1
        assert not store.draft_dir(torn.draft_id).exists()
    finally:
        await store.close()
    assert [r[0] for r in _rows(data)] == [kept.draft_id]
    assert len(_slots(data)) == 1


async def test_a_cancelled_caller_never_splits_row_and_slot(tmp_path: Path) -> None:
    data = tmp_path / "d"
    store = await Store.open(data)
    drafts = [store.new_draft(f"w{i}", {}) for i in range(20)]
    tasks = [asyncio.create_task(store.save_draft(d)) for d in drafts]
    await asyncio.sleep(0)
    for task in tasks[::2]:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await store.close()
    rows = _rows(data)
    assert sorted(r[2] for r in rows) == sorted(_slots(data))  # every row has its slot, no more
    store = await Store.open(data)
    assert await store.count_drafts() == len(rows)
    await store.close()


async def test_records_of_a_kind_of_their_own(tmp_path: Path) -> None:
    """The mechanism is the store's, not the draft's: a later kind (e.g. follow-ups) uses it."""
    data = tmp_path / "d"
    store = await Store.open(data)
    records = store.records
    tag = bytes(range(32))
    record = records.new("followup", expires_at=store.clock() + 60, tag=tag)
    await records.commit(create=[(record, b"reply for the witness")])
    await store.close()

    store = await Store.open(data)
    records = store.records
    found = records.find("followup", tag)
    assert found is not None
    assert found.record_id == record.record_id
    assert records.find("draft", tag) is None  # tags are per kind
    assert await records.read(found) == b"reply for the witness"
    await records.commit(update=[(found, b"v2")])
    assert await records.read(found) == b"v2"
    await records.commit(destroy=[found])
    assert records.get(record.record_id) is None
    await store.close()
    assert _slots(data) == {}
    assert _rows(data) == []


async def test_a_destroyed_draft_object_cannot_be_saved_back_to_life(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    try:
        draft = store.new_draft("wk", {})
        await store.save_draft(draft)
        await store.destroy_draft(draft.draft_id)
        with pytest.raises(StoreError, match="was destroyed"):
            await store.save_draft(draft)  # a stale object held by a caller
        assert await store.load_draft("wk") is None
    finally:
        await store.close()
