"""crypto.sealbox: the server's own sealing recipe — round trips, one error type, STREAM blobs."""

from __future__ import annotations

import hmac
import io
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto import AgeError
from crypto import sealbox as recipe
from crypto.stream import CHUNK, ENC_CHUNK, ChunkSealer


def test_seal_round_trip_and_layout() -> None:
    key = recipe.new_key()
    sealed = recipe.seal(key, b"testimony", b"aad")
    assert len(sealed) == len(b"testimony") + recipe.OVERHEAD
    assert recipe.open_sealed(key, sealed, b"aad") == b"testimony"
    # the layout is nonce || ChaCha20-Poly1305(ciphertext || tag): any implementation opens it
    nonce, body = sealed[:12], sealed[12:]
    assert ChaCha20Poly1305(key).decrypt(nonce, body, b"aad") == b"testimony"
    assert recipe.seal(key, b"testimony", b"aad") != sealed  # a fresh nonce every time


@pytest.mark.parametrize(
    "change",
    ["wrong key", "wrong aad", "flipped bit", "truncated", "empty"],
)
def test_every_failure_is_one_error_type_saying_nothing(change: str) -> None:
    key = recipe.new_key()
    sealed = bytearray(recipe.seal(key, b"CANARY-secret", b"slot:1"))
    aad = b"slot:1"
    if change == "wrong key":
        key = recipe.new_key()
    elif change == "wrong aad":
        aad = b"slot:2"
    elif change == "flipped bit":
        sealed[20] ^= 1
    elif change == "truncated":
        sealed = sealed[:-1]
    else:
        sealed = bytearray()
    with pytest.raises(recipe.RecordError) as info:
        recipe.open_sealed(key, bytes(sealed), aad, what="key slot 1")
    assert str(info.value) == "key slot 1 does not open"
    assert isinstance(info.value, AgeError)


def test_derive_key_is_hkdf_sha256_without_salt() -> None:
    secret = os.urandom(32)
    expected = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"label").derive(secret)
    assert recipe.derive_key(secret, b"label") == expected
    assert recipe.derive_key(secret, b"other") != expected


def test_keyed_tag_is_hmac_sha256() -> None:
    key = os.urandom(32)
    assert recipe.keyed_tag(key, b"telegram:42") == hmac.new(key, b"telegram:42", "sha256").digest()


def test_keys_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        recipe.seal(b"short", b"x", b"")
    with pytest.raises(ValueError, match="32 bytes"):
        recipe.derive_key(b"short", b"x")


def _stream(key: bytes, data: bytes) -> bytes:
    out = io.BytesIO()
    with recipe.stream_writer(out, key) as writer:
        writer.write(data)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])
def test_stream_is_age_stream(size: int) -> None:
    key = recipe.new_key()
    data = os.urandom(size)
    sealed = _stream(key, data)
    chunks = max(1, -(-size // CHUNK))
    assert len(sealed) == size + 16 * chunks
    # exactly age's STREAM: the same bytes as crypto.stream's sealer makes chunk by chunk
    assert sealed[:ENC_CHUNK] == _first_chunk(key, data)
    assert recipe.stream_reader(io.BytesIO(sealed), key).read() == data


def _first_chunk(key: bytes, data: bytes) -> bytes:
    sealer = ChunkSealer(key)
    last = len(data) <= CHUNK
    return sealer.seal(data[:CHUNK], last=last)


@pytest.mark.parametrize("change", ["wrong key", "truncated at a chunk", "extra byte", "flip"])
def test_stream_failures_are_record_errors(change: str) -> None:
    key = recipe.new_key()
    data = os.urandom(2 * CHUNK + 10)
    sealed = bytearray(_stream(key, data))
    if change == "wrong key":
        key = recipe.new_key()
    elif change == "truncated at a chunk":
        sealed = sealed[: 2 * ENC_CHUNK]
    elif change == "extra byte":
        sealed += b"\0"
    else:
        sealed[-3] ^= 1
    reader = recipe.stream_reader(io.BytesIO(bytes(sealed)), key, what="blob b1")
    with pytest.raises(recipe.RecordError, match=r"^blob b1 does not open$"):
        _read_all(reader)


def _read_all(reader: recipe.StreamReader) -> None:
    while reader.read(CHUNK):
        pass


def test_stream_of_a_failed_write_has_no_final_chunk() -> None:
    key = recipe.new_key()
    out = io.BytesIO()

    def broken_download() -> None:
        with recipe.stream_writer(out, key) as writer:
            writer.write(os.urandom(CHUNK + 1))
            raise RuntimeError("the download broke")

    with pytest.raises(RuntimeError):
        broken_download()
    with pytest.raises(recipe.RecordError):
        recipe.stream_reader(io.BytesIO(out.getvalue()), key).read()
