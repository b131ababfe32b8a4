"""Large ``readinto`` buffers: whole chunks are decrypted in place, errors stay sticky and clean."""

from __future__ import annotations

import io
import os

import pytest

from crypto import PayloadError, X25519Identity, decrypt, encrypt
from crypto.stream import CHUNK


def seal(data: bytes, ident: X25519Identity) -> bytes:
    out = io.BytesIO()
    with encrypt(out, [ident.recipient()]) as writer:
        writer.write(data)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK - 7])
@pytest.mark.parametrize("bufsize", [7, CHUNK, 3 * CHUNK + 5, 1 << 20])
def test_readinto_any_buffer_size_round_trips(size: int, bufsize: int) -> None:
    ident = X25519Identity.generate()
    data = os.urandom(size)
    reader = decrypt(io.BytesIO(seal(data, ident)), [ident])
    got = bytearray()
    buf = bytearray(bufsize)
    while n := reader.readinto(buf):
        got += buf[:n]
    assert got == data


def test_readinto_returns_good_chunks_then_raises_and_wipes() -> None:
    ident = X25519Identity.generate()
    sealed = bytearray(seal(os.urandom(4 * CHUNK + 10), ident))
    sealed[-26 - 100] ^= 1  # damage the fourth of five chunks (the last one is 10 + 16 bytes)
    reader = decrypt(io.BytesIO(bytes(sealed)), [ident])
    buf = bytearray(8 * CHUNK)
    assert reader.readinto(buf) == 3 * CHUNK
    assert buf[3 * CHUNK :] == bytes(5 * CHUNK)  # no unauthenticated plaintext left behind
    for _ in range(2):  # sticky
        with pytest.raises(PayloadError, match="chunk 3"):
            reader.readinto(buf)
    with pytest.raises(PayloadError):
        reader.read(10)


def test_truncated_stream_raises_from_readinto() -> None:
    ident = X25519Identity.generate()
    sealed = seal(os.urandom(3 * CHUNK), ident)
    reader = decrypt(io.BytesIO(sealed[: -(CHUNK + 16)]), [ident])
    buf = bytearray(8 * CHUNK)
    assert reader.readinto(buf) == CHUNK  # the first chunk authenticated; the second is not final
    with pytest.raises(PayloadError, match="truncated"):
        reader.readinto(buf)


def test_interleaved_readers_in_one_thread_do_not_share_blocks() -> None:
    """Read blocks are reused per thread only when nothing references them any more."""
    ident = X25519Identity.generate()
    one, two = os.urandom(3 * (1 << 20) + 5), os.urandom(2 * (1 << 20) + 9)
    first = decrypt(io.BytesIO(seal(one, ident)), [ident])
    head = first.read(1000)
    second = decrypt(io.BytesIO(seal(two, ident)), [ident])
    assert b"".join(iter(lambda: second.read(CHUNK), b"")) == two
    assert head + b"".join(iter(lambda: first.read(CHUNK), b"")) == one
