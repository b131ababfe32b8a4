"""Placing replies through the running bot's private socket: nothing of them on disk on the way."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
from pathlib import Path

import pytest

from intake.followup.mailboxes import Mailboxes
from intake.followup.placement import (
    PlacementClient,
    PlacementError,
    PlacementServer,
    socket_path,
)
from intake.store import Store

AGE = b"age-encryption.org/v1\n" + os.urandom(100)


async def test_a_reply_handed_over_waits_as_a_sealed_record(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "data")
    boxes = Mailboxes(store)
    server = PlacementServer(store.data_dir, boxes)
    await server.start()
    try:
        assert stat.S_IMODE(os.stat(socket_path(store.data_dir)).st_mode) == 0o600
        tag, reply_id = os.urandom(32), os.urandom(16).hex()

        def hand_over() -> list[bool]:
            client = PlacementClient(store.data_dir)
            try:
                return [client.place(reply_id, tag.hex(), AGE) for _ in range(2)]
            finally:
                client.close()

        assert await asyncio.to_thread(hand_over) == [True, False]  # the second: already there
        assert [w.sealed for w in await boxes.waiting(tag)] == [AGE]
    finally:
        await server.stop()
        await store.close()
    assert not socket_path(tmp_path / "data").exists()


async def test_bad_requests_are_refused_and_no_bot_is_said(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "data")
    server = PlacementServer(store.data_dir, Mailboxes(store))
    await server.start()
    try:

        def refused(sealed: bytes) -> str:
            client = PlacementClient(store.data_dir)
            try:
                with pytest.raises(PlacementError) as info:
                    client.place(os.urandom(16).hex(), os.urandom(32).hex(), sealed)
                return str(info.value)
            finally:
                client.close()

        assert "not an age file" in await asyncio.to_thread(refused, b"plain text, not age")

        def garbage() -> bytes:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(str(socket_path(store.data_dir)))
                s.sendall(b'{"op": "drop tables"}\n')
                return s.recv(4096)

        assert b"unknown request" in await asyncio.to_thread(garbage)
    finally:
        await server.stop()
        await store.close()
    with pytest.raises(PlacementError, match="not running"):
        PlacementClient(tmp_path / "data")
