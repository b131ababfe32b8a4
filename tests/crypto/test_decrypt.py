"""Opening: the reader's interfaces (read, readinto with any buffer, lines), and errors that stay
sticky and clean — any byte flip, truncation or extension of a sealed file is rejected."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import AgeError, Identity, PayloadError, X25519Identity, decrypt, generate_identity
from crypto.stream import CHUNK
from tests.support.sealing import seal_bytes


def test_reader_supports_readinto_and_iteration_over_bytes() -> None:
    ident = X25519Identity.generate()
    data = b"line one\nline two\n" * 5000
    reader = decrypt(io.BytesIO(seal_bytes(data, [ident.recipient()])), [ident])
    buf = bytearray(10)
    assert reader.readinto(buf) == 10
    assert bytes(buf) == data[:10]
    rest = b"".join(reader)
    assert data[10:] == rest


def test_readline_and_line_iteration() -> None:
    ident = X25519Identity.generate()
    lines = [b"x" * n + b"\n" for n in (0, 5, CHUNK, 70_000, 3)] + [b"no newline"]
    data = b"".join(lines)
    reader = decrypt(io.BytesIO(seal_bytes(data, [ident.recipient()])), [ident])
    assert reader.readline(3) == b"\n"
    assert list(reader) == lines[1:]


def test_payload_error_is_sticky() -> None:
    ident = X25519Identity.generate()
    sealed = bytearray(seal_bytes(os.urandom(3 * CHUNK), [ident.recipient()]))
    sealed[-(CHUNK + 16) - 100] ^= 1  # damage the second-to-last chunk
    reader = decrypt(io.BytesIO(bytes(sealed)), [ident])
    reader.read(CHUNK)
    with pytest.raises(PayloadError):
        reader.read(CHUNK)
    with pytest.raises(PayloadError):
        reader.read(CHUNK)


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK - 7])
@pytest.mark.parametrize("bufsize", [7, CHUNK, 3 * CHUNK + 5, 1 << 20])
def test_readinto_any_buffer_size_round_trips(size: int, bufsize: int) -> None:
    ident = X25519Identity.generate()
    data = os.urandom(size)
    reader = decrypt(io.BytesIO(seal_bytes(data, [ident.recipient()])), [ident])
    got = bytearray()
    buf = bytearray(bufsize)
    while n := reader.readinto(buf):
        got += buf[:n]
    assert got == data


def test_readinto_returns_good_chunks_then_raises_and_wipes() -> None:
    ident = X25519Identity.generate()
    sealed = bytearray(seal_bytes(os.urandom(4 * CHUNK + 10), [ident.recipient()]))
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
    sealed = seal_bytes(os.urandom(3 * CHUNK), [ident.recipient()])
    reader = decrypt(io.BytesIO(sealed[: -(CHUNK + 16)]), [ident])
    buf = bytearray(8 * CHUNK)
    assert reader.readinto(buf) == CHUNK  # the first chunk authenticated; the second is not final
    with pytest.raises(PayloadError, match="truncated"):
        reader.readinto(buf)


def test_interleaved_readers_in_one_thread_do_not_share_blocks() -> None:
    """Read blocks are reused per thread only when nothing references them any more."""
    ident = X25519Identity.generate()
    one, two = os.urandom(3 * (1 << 20) + 5), os.urandom(2 * (1 << 20) + 9)
    first = decrypt(io.BytesIO(seal_bytes(one, [ident.recipient()])), [ident])
    head = first.read(1000)
    second = decrypt(io.BytesIO(seal_bytes(two, [ident.recipient()])), [ident])
    assert b"".join(iter(lambda: second.read(CHUNK), b"")) == two
    assert head + b"".join(iter(lambda: first.read(CHUNK), b"")) == one


# --- tampering ------------------------------------------------------------------------------


IDENTITIES: list[Identity] = [X25519Identity.generate(), generate_identity()]


def _plaintext(size: int) -> bytes:
    return bytes(range(256)) * (size // 256) + b"x"


# A fixed set of sealed files (sealing per example would make the suite slow for no gain).
SEALED = {
    (kind, size, armor): seal_bytes(_plaintext(size), [IDENTITIES[kind].recipient()], armor=armor)
    for kind in (0, 1)
    for size in (0, 1000, CHUNK + 10)
    for armor in (False, True)
}


KEYS = sorted(SEALED)


def _open(sealed: bytes, ident: Identity) -> bytes:
    return decrypt(io.BytesIO(sealed), [ident]).read()


def test_untampered_files_open_to_what_was_sealed() -> None:
    for (kind, size, armor), sealed in SEALED.items():
        assert _open(sealed, IDENTITIES[kind]) == _plaintext(size), (kind, size, armor)


settings_ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings_
@given(key=st.sampled_from(KEYS), where=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
def test_any_byte_flip_is_rejected(key: tuple[int, int, bool], where: float, mask: int) -> None:
    sealed = bytearray(SEALED[key])
    pos = int(where * len(sealed))
    sealed[pos] ^= mask
    with pytest.raises(AgeError):
        _open(bytes(sealed), IDENTITIES[key[0]])


@settings_
@given(key=st.sampled_from(KEYS), where=st.floats(0, 1, exclude_max=True))
def test_any_truncation_is_rejected(key: tuple[int, int, bool], where: float) -> None:
    sealed = SEALED[key]
    keep = int(where * len(sealed))
    if key[2] and keep == len(sealed) - 1:
        keep -= 1  # dropping only the armor's final newline is allowed by the spec
    with pytest.raises(AgeError):
        _open(sealed[:keep], IDENTITIES[key[0]])


@settings_
@given(key=st.sampled_from(KEYS), extra=st.binary(min_size=1, max_size=100))
def test_trailing_data_is_rejected(key: tuple[int, int, bool], extra: bytes) -> None:
    sealed = SEALED[key]
    if key[2] and not extra.strip(b" \t\r\n"):
        extra += b"x"  # whitespace after the armor is allowed by the spec
    with pytest.raises(AgeError):
        _open(sealed + extra, IDENTITIES[key[0]])
