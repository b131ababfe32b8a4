"""Pooled read buffers: a buffer somebody holds is never handed out again, whoever holds it
(another reader, a view kept past the owner's next read, a thread), and whatever CPython's
reference counts say."""

from __future__ import annotations

import io
import os
import threading

import pytest

from crypto import buffers
from crypto.source import Source


def test_a_held_buffer_is_never_handed_out_twice() -> None:
    first = buffers.acquire()
    view = memoryview(first)[:10]
    buffers.hold(view)  # e.g. a hashing queue keeps this view
    buffers.release(first)  # the owner is done with it
    del view  # no Python reference to a view is left: only the hold says it is in use
    taken = [buffers.acquire() for _ in range(buffers.POOL)]
    assert all(buf is not first for buf in taken)
    buffers.release(first)  # the last holder is done
    again = buffers.acquire()
    assert again is first  # now, and only now, it is reused
    for buf in [*taken, again]:
        buffers.release(buf)


def test_a_buffer_released_by_another_thread_comes_back_to_its_pool() -> None:
    buf = buffers.acquire()
    buffers.hold(buf)
    buffers.release(buf)
    other = buffers.acquire()
    assert other is not buf
    worker = threading.Thread(target=buffers.release, args=(buf,))  # e.g. the hashing thread
    worker.start()
    worker.join()
    again = buffers.acquire()
    assert again is buf
    buffers.release(other)
    buffers.release(again)


def test_pools_are_per_thread() -> None:
    mine = buffers.acquire()
    buffers.release(mine)
    theirs: list[bytearray] = []
    worker = threading.Thread(target=lambda: theirs.append(buffers.acquire()))  # (never released)
    worker.start()
    worker.join()
    assert theirs[0] is not mine


def test_unbalanced_use_is_an_error_and_foreign_buffers_are_ignored() -> None:
    buf = buffers.acquire()
    buffers.release(buf)
    with pytest.raises(RuntimeError):
        buffers.release(buf)
    with pytest.raises(RuntimeError):
        buffers.hold(buf)
    buffers.hold(bytearray(buffers.BLOCK))  # not pooled: nothing to count
    buffers.release(b"bytes")


def test_a_view_from_the_source_survives_the_next_block_and_other_readers() -> None:
    """What the cipher relies on: a chunk's view stays unchanged while the source looks ahead
    into the next block (``peek``) and other readers of the thread take buffers."""
    data = os.urandom(buffers.BLOCK + 1000)
    source = Source(io.BytesIO(data))
    source.read_exact(buffers.BLOCK - 100)
    view = source.read_view(100)  # the last bytes of the first block
    assert source.peek(1) == data[buffers.BLOCK : buffers.BLOCK + 1]  # the next block is read
    others = [buffers.acquire() for _ in range(buffers.POOL)]
    for buf in others:
        buf[:] = bytes(len(buf))
    assert bytes(view) == data[buffers.BLOCK - 100 : buffers.BLOCK]
    for buf in others:
        buffers.release(buf)
    assert bytes(source.read_view(1000)) == data[buffers.BLOCK :]
    source.close()
