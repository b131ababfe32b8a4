"""The server key and what is derived from it.

One random 32-byte secret lives in ``<data>/server.key``. Two independent keys are derived from it
with HKDF-SHA256 (separate ``info`` labels, so neither can be computed from the other):

* the **wrap key** seals each draft's own random key (ChaCha20-Poly1305, the draft id as associated
  data, so a wrapped key cannot be moved onto another draft);
* the **witness secret** keys HMAC-SHA256 over ``"<channel>:<user_id>"``: the only way the store
  knows a witness. No raw id, name or username is ever stored.

Destroying a draft deletes its wrapped key; its ciphertext (rows, blobs) then can no longer be read
even by the server, which is what makes TTL expiry and submit final.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from intake.store.datadir import check_private_file, write_new_file
from intake.store.exceptions import DraftCorruptError, StoreError

KEY_SIZE = 32
NONCE_SIZE = 12


def _derive(secret: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=label).derive(secret)


@dataclass(frozen=True, slots=True)
class ServerKeys:
    """The keys derived from ``server.key``. Hold only in memory; never log."""

    wrap_key: bytes
    witness_secret: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> ServerKeys:
        """Derive both keys from the 32-byte server secret."""
        if len(secret) != KEY_SIZE:
            raise StoreError(f"server key must be {KEY_SIZE} bytes, got {len(secret)}")
        return cls(
            wrap_key=_derive(secret, b"witness-intake/draft-key-wrap/v1"),
            witness_secret=_derive(secret, b"witness-intake/witness-hmac/v1"),
        )

    @classmethod
    def load_or_create(cls, path: Path) -> ServerKeys:
        """Read ``path``, creating it (0600, atomically) with fresh random bytes on first run."""
        if not path.exists():
            write_new_file(path, os.urandom(KEY_SIZE))
        check_private_file(path)
        secret = path.read_bytes()
        if len(secret) != KEY_SIZE:
            raise StoreError(f"server key {path} is {len(secret)} bytes, expected {KEY_SIZE}")
        return cls.from_secret(secret)

    def witness_key(self, channel: str, user_id: int | str) -> str:
        """HMAC-SHA256 of ``"<channel>:<user_id>"`` under the witness secret, as hex."""
        msg = f"{channel}:{user_id}".encode()
        return hmac.new(self.witness_secret, msg, hashlib.sha256).hexdigest()

    def wrap(self, draft_id: str, draft_key: bytes) -> bytes:
        """Seal a draft's key under the wrap key, bound to the draft id."""
        nonce = os.urandom(NONCE_SIZE)
        aad = b"draft-key:" + draft_id.encode()
        return nonce + ChaCha20Poly1305(self.wrap_key).encrypt(nonce, draft_key, aad)

    def unwrap(self, draft_id: str, wrapped: bytes) -> bytes:
        """Open a wrapped draft key; :class:`DraftCorruptError` if it does not authenticate."""
        aad = b"draft-key:" + draft_id.encode()
        try:
            return ChaCha20Poly1305(self.wrap_key).decrypt(
                wrapped[:NONCE_SIZE], wrapped[NONCE_SIZE:], aad
            )
        except InvalidTag:
            raise DraftCorruptError(f"key of draft {draft_id} does not authenticate") from None


def seal_payload(key: bytes, draft_id: str, version: int, plaintext: bytes) -> bytes:
    """Encrypt a draft body; the associated data binds it to its draft id and version."""
    nonce = os.urandom(NONCE_SIZE)
    aad = f"draft:{draft_id}:{version}".encode()
    return nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)


def open_payload(key: bytes, draft_id: str, version: int, blob: bytes) -> bytes:
    """Decrypt a draft body sealed by :func:`seal_payload`."""
    aad = f"draft:{draft_id}:{version}".encode()
    try:
        return ChaCha20Poly1305(key).decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], aad)
    except InvalidTag:
        raise DraftCorruptError(f"draft {draft_id} v{version} does not authenticate") from None
