"""The post-quantum hybrid recipient type (``age1pq1…`` / ``AGE-SECRET-KEY-PQ-1…``).

Stanza ``mlkem768x25519``: the file key is sealed with HPKE (RFC 9180) SealBase, KEM MLKEM768-X25519
(X-Wing, draft-ietf-hpke-pq), KDF HKDF-SHA256, AEAD ChaCha20Poly1305, info
``age-encryption.org/mlkem768x25519``, empty aad. All of it is pyca/cryptography's HPKE; the only
thing done here is the KEM's key expansion (seed → ML-KEM-768 seed + X25519 scalar via SHAKE256,
per filippo.io/hpke-pq), because pyca builds the hybrid key from its two component keys.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from crypto import bech32
from crypto.b64 import decode_raw, encode_raw
from crypto.base import WRAPPED_KEY_SIZE, Identity, Recipient
from crypto.errors import HeaderError
from crypto.format import Stanza

RECIPIENT_HRP = "age1pq"
IDENTITY_HRP = "AGE-SECRET-KEY-PQ-"
STANZA_TYPE = "mlkem768x25519"
_INFO = b"age-encryption.org/mlkem768x25519"
SEED_SIZE = 32
MLKEM_EK_SIZE = 1184
MLKEM_CT_SIZE = 1088
PUBLIC_KEY_SIZE = MLKEM_EK_SIZE + 32
ENC_SIZE = MLKEM_CT_SIZE + 32
_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)


def _raw(key: mlkem.MLKEM768PublicKey | x25519.X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _expand(seed: bytes) -> tuple[mlkem.MLKEM768PrivateKey, x25519.X25519PrivateKey]:
    """expandKey: SHAKE256(seed, 96) = ML-KEM seed (d || z, 64) || X25519 scalar (32)."""
    h = hashes.Hash(hashes.SHAKE256(digest_size=96))
    h.update(seed)
    full = h.finalize()
    return (
        mlkem.MLKEM768PrivateKey.from_seed_bytes(full[:64]),
        x25519.X25519PrivateKey.from_private_bytes(full[64:]),
    )


class HybridRecipient(Recipient):
    """An MLKEM768-X25519 public key (ML-KEM-768 encapsulation key || X25519 point)."""

    post_quantum = True

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != PUBLIC_KEY_SIZE:
            raise ValueError(f"MLKEM768-X25519 public key must be {PUBLIC_KEY_SIZE} bytes")
        try:
            self._key = hpke.MLKEM768X25519PublicKey(
                mlkem.MLKEM768PublicKey.from_public_bytes(public_key[:MLKEM_EK_SIZE]),
                x25519.X25519PublicKey.from_public_bytes(public_key[MLKEM_EK_SIZE:]),
            )
        except ValueError as exc:
            raise ValueError(f"invalid MLKEM768-X25519 public key: {exc}") from None
        self._pub = bytes(public_key)

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """One ``mlkem768x25519`` stanza: args = [type, base64(enc)], body = HPKE ciphertext."""
        sealed = _SUITE.encrypt(file_key, self._key, info=_INFO)
        enc, body = sealed[:ENC_SIZE], sealed[ENC_SIZE:]
        return [Stanza(STANZA_TYPE, [encode_raw(enc).decode()], body)]

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self._pub)


class HybridIdentity(Identity):
    """An MLKEM768-X25519 private key, stored as its 32-byte seed."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_SIZE:
            raise ValueError("MLKEM768-X25519 seed must be 32 bytes")
        self._seed = bytes(seed)
        mlkem_key, self._x25519 = _expand(self._seed)
        self._key = hpke.MLKEM768X25519PrivateKey(mlkem_key, self._x25519)
        self._pub = _raw(mlkem_key.public_key()) + _raw(self._x25519.public_key())

    @classmethod
    def generate(cls) -> HybridIdentity:
        """A fresh identity from the OS CSPRNG."""
        return cls(os.urandom(SEED_SIZE))

    def recipient(self) -> HybridRecipient:
        """The matching ``age1pq1…`` recipient."""
        return HybridRecipient(self._pub)

    def unwrap_stanza(self, stanza: Stanza) -> bytes | None:
        """Unwrap an ``mlkem768x25519`` stanza; others are ignored."""
        if stanza.type != STANZA_TYPE:
            return None
        if len(stanza.args) != 1:
            raise HeaderError("mlkem768x25519 stanza: expected exactly one argument")
        try:
            enc = decode_raw(stanza.args[0].encode())
        except ValueError as exc:
            raise HeaderError(f"mlkem768x25519 stanza: bad enc encoding: {exc}") from None
        if len(enc) != ENC_SIZE:
            raise HeaderError(f"mlkem768x25519 stanza: enc is not {ENC_SIZE} bytes")
        if len(stanza.body) != WRAPPED_KEY_SIZE:
            raise HeaderError("mlkem768x25519 stanza: body is not 32 bytes")
        try:
            # The KEM must abort on an all-zero X25519 result (low-order share); say so clearly.
            self._x25519.exchange(x25519.X25519PublicKey.from_public_bytes(enc[MLKEM_CT_SIZE:]))
        except ValueError:
            raise HeaderError("mlkem768x25519 stanza: low-order X25519 share") from None
        try:
            return _SUITE.decrypt(enc + stanza.body, self._key, info=_INFO)
        except InvalidTag:
            return None

    def __str__(self) -> str:
        return bech32.encode(IDENTITY_HRP, self._seed).upper()
