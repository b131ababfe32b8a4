"""Upgrading a data dir from before key slots replaces the server key (intake.store.rotation):
the key file is overwritten in place, the carried-over drafts are still found by their witness,
an interrupted replacement is finished by the next start, and a key that cannot be rewritten (a
systemd credential) is refused before anything changes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from intake.store import Store, rotation
from intake.store import store as store_module
from intake.store.exceptions import StoreError
from intake.store.keyslots import KeySlotFile
from intake.store.serverkey import KeySource, ServerKeys
from intake.store.store import default_key_source
from tests.store.test_migration import OPEN_ID, SEALING_ID, _copy_v1
from tests.support.paths import STORE_V1


def _version(data: Path) -> int:
    with sqlite3.connect(data / "intake.sqlite3") as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


async def _found(store: Store, user: int) -> bool:
    return await store.load_draft(store.witness_key("telegram", user)) is not None


async def test_the_upgrade_replaces_the_server_key_in_place(tmp_path: Path) -> None:
    data, clock = _copy_v1(tmp_path, STORE_V1)
    key = data / "server.key"
    before, inode = key.read_bytes(), key.stat().st_ino
    store = await Store.open(data, clock=clock)
    try:
        assert await _found(store, OPEN_ID)  # found by its witness under the new key
        # the fixture's other draft has no chat id to prove its witness by: found by id only,
        # which is all an interrupted submit needs to be sealed
        assert not await _found(store, SEALING_ID)
        assert len(await store.sealing_draft_ids()) == 1
    finally:
        await store.close()
    after = key.read_bytes()
    assert len(after) == 32
    assert after != before
    assert key.stat().st_ino == inode  # overwritten in place, not replaced by a new file
    assert not rotation.next_path(default_key_source(data)).exists()
    with pytest.raises(StoreError, match="another server key"):  # the old key opens nothing
        KeySlotFile.open(data / "keyslots", ServerKeys.from_secret(before).slot_check)
    store = await Store.open(data, clock=clock)  # and a later start does not rotate again
    try:
        assert await _found(store, OPEN_ID)
    finally:
        await store.close()
    assert key.read_bytes() == after


async def test_a_replacement_cut_short_is_finished_by_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, clock = _copy_v1(tmp_path, STORE_V1)
    before = (data / "server.key").read_bytes()

    def crash(_: rotation.Rotation) -> None:
        raise OSError("power lost")

    monkeypatch.setattr(store_module, "finish_rotation", crash)
    with pytest.raises(OSError, match="power lost"):
        await Store.open(data, clock=clock)  # migrated and committed; the old key still there
    assert _version(data) == 3
    assert (data / "server.key").read_bytes() == before
    assert rotation.pending(default_key_source(data))
    monkeypatch.undo()
    store = await Store.open(data, clock=clock)
    try:
        assert await _found(store, OPEN_ID)
    finally:
        await store.close()
    assert (data / "server.key").read_bytes() != before
    assert not rotation.pending(default_key_source(data))


async def test_a_key_that_cannot_be_rewritten_is_refused_before_anything_changes(
    tmp_path: Path,
) -> None:
    data, clock = _copy_v1(tmp_path, STORE_V1)
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o700)
    (credentials / "server.key").write_bytes((data / "server.key").read_bytes())
    source = KeySource(credentials / "server.key", "systemd credential")
    with pytest.raises(StoreError, match="INTAKE_SERVER_KEY_FILE") as refused:
        await Store.open(data, key_source=source, clock=clock)
    assert "docs/operations.md" in str(refused.value)
    assert _version(data) == 1  # nothing migrated, nothing written beside the credential
    assert sorted(p.name for p in credentials.iterdir()) == ["server.key"]
    assert not (data / "keyslots").exists()
