"""The X25519 recipient type (``age1…`` / ``AGE-SECRET-KEY-…``, stanza ``X25519``)."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from crypto import bech32
from crypto.b64 import decode_raw, encode_raw
from crypto.base import WRAPPED_KEY_SIZE, Identity, Recipient
from crypto.errors import HeaderError
from crypto.format import Stanza

RECIPIENT_HRP = "age"
IDENTITY_HRP = "AGE-SECRET-KEY-"
STANZA_TYPE = "X25519"
_INFO = b"age-encryption.org/v1/X25519"
_ZERO_NONCE = bytes(12)


def _raw(pub: X25519PublicKey) -> bytes:
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _wrap_key(shared: bytes, share: bytes, recipient: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=share + recipient, info=_INFO)
    return hkdf.derive(shared)


def _exchange(secret: X25519PrivateKey, share: bytes) -> bytes:
    try:
        shared = secret.exchange(X25519PublicKey.from_public_bytes(share))
    except ValueError:  # pyca refuses an all-zero result (low-order point)
        raise HeaderError("X25519 stanza: low-order share (all-zero shared secret)") from None
    if shared == bytes(32):
        raise HeaderError("X25519 stanza: low-order share (all-zero shared secret)")
    return shared


class X25519Recipient(Recipient):
    """A classic X25519 public key."""

    post_quantum = False

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != 32:
            raise ValueError("X25519 public key must be 32 bytes")
        self._pub = bytes(public_key)

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """One ``X25519`` stanza with a fresh ephemeral share."""
        eph = X25519PrivateKey.generate()
        share = _raw(eph.public_key())
        shared = _exchange(eph, self._pub)
        body = ChaCha20Poly1305(_wrap_key(shared, share, self._pub)).encrypt(
            _ZERO_NONCE, file_key, None
        )
        return [Stanza(STANZA_TYPE, [encode_raw(share).decode()], body)]

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self._pub)


class X25519Identity(Identity):
    """A classic X25519 secret key."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise ValueError("X25519 secret key must be 32 bytes")
        self._secret = bytes(secret)
        self._key = X25519PrivateKey.from_private_bytes(self._secret)
        self._pub = _raw(self._key.public_key())

    @classmethod
    def generate(cls) -> X25519Identity:
        """A fresh identity from the OS CSPRNG."""
        return cls(os.urandom(32))

    def recipient(self) -> X25519Recipient:
        """The matching ``age1…`` recipient."""
        return X25519Recipient(self._pub)

    def unwrap_stanza(self, stanza: Stanza) -> bytes | None:
        """Unwrap an ``X25519`` stanza; others are ignored."""
        if stanza.type != STANZA_TYPE:
            return None
        if len(stanza.args) != 1:
            raise HeaderError("X25519 stanza: expected exactly one argument")
        try:
            share = decode_raw(stanza.args[0].encode())
        except ValueError as exc:
            raise HeaderError(f"X25519 stanza: bad share encoding: {exc}") from None
        if len(share) != 32:
            raise HeaderError("X25519 stanza: share is not 32 bytes")
        if len(stanza.body) != WRAPPED_KEY_SIZE:
            raise HeaderError("X25519 stanza: body is not 32 bytes")
        shared = _exchange(self._key, share)
        aead = ChaCha20Poly1305(_wrap_key(shared, share, self._pub))
        try:
            return aead.decrypt(_ZERO_NONCE, stanza.body, None)
        except InvalidTag:
            return None

    def __str__(self) -> str:
        return bech32.encode(IDENTITY_HRP, self._secret).upper()
