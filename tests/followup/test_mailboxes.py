"""Waiting replies as sealed records: found by tag, several per mailbox, shredded on delivery."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from intake.followup.mailboxes import MAX_WAITING, Mailboxes, MailboxFullError, reply_dir
from intake.store import Store
from tests.support.clock import Clock

AGE = b"age-encryption.org/v1\n-> X25519 fake\n" + os.urandom(300)


def _id() -> str:
    return os.urandom(16).hex()


async def test_replies_wait_by_tag_and_go_on_delivery(tmp_path: Path) -> None:
    clock = Clock()
    store = await Store.open(tmp_path / "data", clock=clock)
    try:
        boxes = Mailboxes(store)
        tag, other = os.urandom(32), os.urandom(32)
        first, second = _id(), _id()
        assert await boxes.place(tag, first, AGE + b"1")
        clock.now += 5
        assert await boxes.place(tag, second, AGE + b"2")
        assert not await boxes.place(tag, first, AGE + b"1")  # the same stick used twice
        waiting = await boxes.waiting(tag)
        assert [w.reply_id for w in waiting] == [first, second]  # oldest first
        assert waiting[1].sealed == AGE + b"2"
        assert await boxes.waiting(other) == []  # a wrong code finds nothing
        assert boxes.count() == 2
        # nothing of the tag in a file name, nothing of the reply in clear on the disk
        names = [p.name for p in (tmp_path / "data").rglob("*")]
        assert not any(tag.hex()[:8] in name for name in names)
        blobs = b"".join(p.read_bytes() for p in reply_dir(tmp_path / "data").rglob("*.blob"))
        assert AGE[:20] not in blobs
        assert await boxes.delivered([w.record_id for w in waiting]) == 2
        assert await boxes.waiting(tag) == []
        assert list(reply_dir(tmp_path / "data").iterdir()) == []
        assert boxes.count() == 0
    finally:
        await store.close()


async def test_replies_survive_a_restart_and_expire_unread(tmp_path: Path) -> None:
    clock = Clock()
    tag = os.urandom(32)
    store = await Store.open(tmp_path / "data", clock=clock)
    await Mailboxes(store, ttl=3600).place(tag, _id(), AGE)
    await store.close()
    store = await Store.open(tmp_path / "data", clock=clock)
    try:
        boxes = Mailboxes(store, ttl=3600)
        assert len(await boxes.waiting(tag)) == 1  # the index is rebuilt from the key slots
        assert await boxes.expire() == 0
        clock.now += 3601
        assert await boxes.expire() == 1
        assert await boxes.waiting(tag) == []
    finally:
        await store.close()


async def test_a_full_mailbox_and_bad_input_are_refused(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "data")
    try:
        boxes = Mailboxes(store)
        tag = os.urandom(32)
        for _ in range(MAX_WAITING):
            await boxes.place(tag, _id(), AGE)
        with pytest.raises(MailboxFullError):
            await boxes.place(tag, _id(), AGE)
        with pytest.raises(ValueError, match="mailbox tag"):
            await boxes.place(b"short", _id(), AGE)
        with pytest.raises(ValueError, match="sealed reply"):
            await boxes.place(os.urandom(32), _id(), b"")
        (reply_dir(tmp_path / "data") / "left-by-a-crash").mkdir()
        assert boxes.sweep_orphans() == 1
    finally:
        await store.close()
