"""Sealed records: the server's own encryption of what it keeps while a conversation is open.

A small recipe layer, like Fernet over pyca's primitives, for the draft store — no algorithm
choices and one exception type (:class:`RecordError`) for every failure, so an error never tells
*why* something failed to open:

* :func:`seal` / :func:`open_sealed`: ChaCha20-Poly1305 with a random 96-bit nonce and associated
  data (``nonce || ciphertext || tag``, 28 bytes longer than the plaintext). Used for record
  bodies under a record's own key and for key slots under the slot-wrap key.
* :func:`derive_key`: HKDF-SHA-256 (no salt, ``info`` = a label) — the keys derived from the
  server key, and one key per attachment blob derived from its record's key.
* :func:`keyed_tag`: HMAC-SHA-256, for lookup tags and in-memory counters.
* :func:`stream_writer` / :func:`stream_reader`: attachment blobs in age's own STREAM construction
  (:mod:`crypto.stream`: 64 KiB chunks, counter nonces, a last-chunk flag), under a key used for
  exactly one blob — there is no second nonce scheme.

Nothing here knows drafts or slots; :mod:`intake.store` gives the labels and associated data.
"""

from __future__ import annotations

import hmac as _hmac
import os
from hashlib import sha256
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.decrypt import DecryptReader
from crypto.encrypt import EncryptWriter
from crypto.errors import AgeError
from crypto.source import Source
from crypto.stream import ChunkOpener, ChunkSealer

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
OVERHEAD = NONCE_SIZE + TAG_SIZE  # sealed length = plaintext length + OVERHEAD


class RecordError(AgeError):
    """A sealed record, key slot or blob did not open: tampered, truncated or the wrong key.

    The one error of this module, whatever failed (like Fernet's ``InvalidToken``): the message
    says what was being opened, never why, and never anything of its content.
    """


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def new_key() -> bytes:
    """A fresh random 32-byte key (for one record)."""
    return os.urandom(KEY_SIZE)


def _check_key(key: bytes) -> None:
    if len(key) != KEY_SIZE:
        raise ValueError(f"a record key is {KEY_SIZE} bytes, got {len(key)}")


def derive_key(secret: bytes, label: bytes) -> bytes:
    """HKDF-SHA-256(ikm = ``secret``, no salt, info = ``label``): 32 bytes, one per label."""
    _check_key(secret)
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=label).derive(secret)


def keyed_tag(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA-256 of ``message`` under ``key`` (32 bytes)."""
    return _hmac.new(key, message, sha256).digest()


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` bound to ``associated_data``."""
    _check_key(key)
    nonce = os.urandom(NONCE_SIZE)
    return nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, associated_data)


def open_sealed(
    key: bytes, sealed: bytes, associated_data: bytes, *, what: str = "record"
) -> bytes:
    """The plaintext of :func:`seal`'s output; :class:`RecordError` naming ``what`` otherwise."""
    _check_key(key)
    if len(sealed) < OVERHEAD:
        raise RecordError(f"{what} does not open")
    try:
        return ChaCha20Poly1305(key).decrypt(
            bytes(sealed[:NONCE_SIZE]), bytes(sealed[NONCE_SIZE:]), associated_data
        )
    except InvalidTag:
        raise RecordError(f"{what} does not open") from None


def stream_writer(dst: _Sink, key: bytes) -> EncryptWriter:
    """Encrypt a stream to ``dst`` with STREAM; ``close()`` writes the final chunk.

    ``key`` must seal this one stream only (nonces restart at 0): derive it per blob.
    """
    _check_key(key)
    return EncryptWriter(dst, ChunkSealer(key))


class StreamReader:
    """Plaintext of a STREAM written by :func:`stream_writer`, authenticated chunk by chunk."""

    def __init__(self, src: BinaryIO, key: bytes, what: str) -> None:
        self._reader = DecryptReader(ChunkOpener(key, Source(src)))
        self._what = what

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all if negative); ``b""`` only at the authenticated end."""
        try:
            return self._reader.read(n)
        except AgeError:
            raise RecordError(f"{self._what} does not open") from None


def stream_reader(src: BinaryIO, key: bytes, *, what: str = "blob") -> StreamReader:
    """Open a STREAM from ``src`` (positioned at its first chunk) under ``key``."""
    _check_key(key)
    return StreamReader(src, key, what)
