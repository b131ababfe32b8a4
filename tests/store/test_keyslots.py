"""The key-slot file: fixed slots overwritten in place, grouped syncs, one owner, and — on a real
loop-mounted ext4 image — a zeroed slot leaves no copy of what it held anywhere on the device."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from intake.store import StoreError
from intake.store.keyslots import HEADER_SIZE, INITIAL_SLOTS, MAGIC, SLOT_SIZE, KeySlotFile
from tests.support.loopfs import ext4_image

CHECK = bytes(range(16))


def _slot(text: bytes) -> bytes:
    return text.ljust(SLOT_SIZE, b".")


async def test_new_file_is_4k_private_and_empty(tmp_path: Path) -> None:
    slots, found = KeySlotFile.open(tmp_path / "keyslots", CHECK)
    slots.close()
    path = tmp_path / "keyslots"
    assert found == {}
    assert path.stat().st_size == 4096  # never small enough to be kept inline in an inode
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(MAGIC)
    assert slots.count == INITIAL_SLOTS


async def test_slots_survive_reopen_and_clear_in_place(tmp_path: Path) -> None:
    path = tmp_path / "keyslots"
    slots, _ = KeySlotFile.open(path, CHECK)
    a, b = await slots.allocate(), await slots.allocate()
    assert (a, b) == (0, 1)
    slots.write(a, _slot(b"first"))
    slots.write(b, _slot(b"second"))
    await slots.sync()
    inode = path.stat().st_ino
    slots.clear(a)
    await slots.sync()
    slots.release(a)
    assert await slots.allocate() == 0  # the lowest free slot is reused
    slots.close()
    assert path.stat().st_ino == inode  # the same file, never replaced
    reopened, found = KeySlotFile.open(path, CHECK)
    reopened.close()
    assert found == {1: _slot(b"second")}
    raw = path.read_bytes()
    assert raw[HEADER_SIZE + SLOT_SIZE : HEADER_SIZE + 2 * SLOT_SIZE] == _slot(b"second")


async def test_grows_by_appending_and_keeps_offsets(tmp_path: Path) -> None:
    path = tmp_path / "keyslots"
    slots, _ = KeySlotFile.open(path, CHECK)
    indices = [await slots.allocate() for _ in range(INITIAL_SLOTS + 3)]
    assert indices == list(range(INITIAL_SLOTS + 3))
    slots.write(2, _slot(b"kept"))
    slots.write(INITIAL_SLOTS + 2, _slot(b"new"))
    await slots.sync()
    slots.close()
    assert path.stat().st_size == HEADER_SIZE + 2 * INITIAL_SLOTS * SLOT_SIZE
    _, found = KeySlotFile.open(path, CHECK)
    assert found == {2: _slot(b"kept"), INITIAL_SLOTS + 2: _slot(b"new")}


async def test_concurrent_writes_share_syncs(tmp_path: Path) -> None:
    slots, _ = KeySlotFile.open(tmp_path / "keyslots", CHECK)

    async def one(i: int) -> None:
        index = await slots.allocate()
        slots.write(index, _slot(b"%d" % i))
        await slots.sync()

    await asyncio.gather(*(one(i) for i in range(25)))
    slots.close()
    assert 1 <= slots.syncs < 25  # grouped: writes made while a sync ran wait for the next one


async def test_a_file_of_another_server_key_is_refused_not_zeroed(tmp_path: Path) -> None:
    path = tmp_path / "keyslots"
    slots, _ = KeySlotFile.open(path, CHECK)
    slots.write(await slots.allocate(), _slot(b"live"))
    await slots.sync()
    slots.close()
    with pytest.raises(StoreError, match="made with another server key"):
        KeySlotFile.open(path, bytes(16))
    assert _slot(b"live") in path.read_bytes()


async def test_only_one_process_owns_the_file(tmp_path: Path) -> None:
    slots, _ = KeySlotFile.open(tmp_path / "keyslots", CHECK)
    try:
        with pytest.raises(StoreError, match="only one `intake run`"):
            KeySlotFile.open(tmp_path / "keyslots", CHECK)
    finally:
        slots.close()
    KeySlotFile.open(tmp_path / "keyslots", CHECK)[0].close()  # free again once closed


async def test_zeroed_slot_leaves_no_copy_on_an_ext4_image(tmp_path: Path) -> None:
    """What the design rests on: pwrite + fdatasync rewrites the same block (data=ordered)."""
    marker = b"SLOT-MARKER-" + os.urandom(8).hex().encode()
    with ext4_image(tmp_path) as fs:
        path = fs.mount / "keyslots"
        slots, _ = KeySlotFile.open(path, CHECK)
        for i in range(INITIAL_SLOTS + 5):  # across a growth, too
            slots.write(await slots.allocate(), _slot(marker + b"-%03d" % i))
        await slots.sync()
        slots.close()
        fs.unmount()
        assert fs.raw().count(marker) == INITIAL_SLOTS + 5  # control: the scan sees the slots
        fs.mount_it()
        slots, found = KeySlotFile.open(path, CHECK)
        for index in found:
            slots.clear(index)
        await slots.sync()
        slots.close()
    assert fs.raw().count(marker) == 0
