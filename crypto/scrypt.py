"""The scrypt (passphrase) recipient type.

wrap key = scrypt(N = 2**work factor, r = 8, p = 1, dkLen = 32,
                  S = "age-encryption.org/v1/scrypt" || salt, P = passphrase)
An scrypt stanza must be the only stanza of its header (checked by the decrypter and the encrypter),
and the work factor is capped so a hostile file cannot make us compute for hours or exhaust memory.
"""

from __future__ import annotations

import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from crypto.b64 import decode_raw, encode_raw
from crypto.base import WRAPPED_KEY_SIZE, Identity, Recipient
from crypto.errors import HeaderError
from crypto.format import Stanza

STANZA_TYPE = "scrypt"
_LABEL = b"age-encryption.org/v1/scrypt"
_SALT_SIZE = 16
_ZERO_NONCE = bytes(12)
_WORK_FACTOR = re.compile(r"[1-9][0-9]*")
DEFAULT_WORK_FACTOR = 18
DEFAULT_MAX_WORK_FACTOR = 22
_HARD_LIMIT = 30  # scrypt's N must stay below 2**(128*r/8); 2**30 × 1 KiB is already 1 TiB


def _wrap_key(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase)


def _check_passphrase(passphrase: str) -> bytes:
    if not passphrase:
        raise ValueError("passphrase must not be empty")
    return passphrase.encode("utf-8")


class PassphraseRecipient(Recipient):
    """Encrypts to a passphrase; must be the only recipient of a file."""

    post_quantum = True  # symmetric: not broken by a quantum computer, so never "classic"
    is_passphrase = True

    def __init__(self, passphrase: str, *, work_factor: int = DEFAULT_WORK_FACTOR) -> None:
        if not 1 <= work_factor <= _HARD_LIMIT:
            raise ValueError(f"scrypt work factor must be between 1 and {_HARD_LIMIT}")
        self._passphrase = _check_passphrase(passphrase)
        self._work_factor = work_factor

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """One ``scrypt`` stanza with a fresh salt."""
        salt = os.urandom(_SALT_SIZE)
        key = _wrap_key(self._passphrase, salt, self._work_factor)
        body = ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)
        args = [encode_raw(salt).decode(), str(self._work_factor)]
        return [Stanza(STANZA_TYPE, args, body)]

    def __str__(self) -> str:
        return "scrypt passphrase recipient"  # never the passphrase


class PassphraseIdentity(Identity):
    """Decrypts files encrypted to a passphrase, refusing work factors above the cap."""

    def __init__(self, passphrase: str, *, max_work_factor: int = DEFAULT_MAX_WORK_FACTOR) -> None:
        if not 1 <= max_work_factor <= _HARD_LIMIT:
            raise ValueError(f"scrypt max work factor must be between 1 and {_HARD_LIMIT}")
        self._passphrase_text = passphrase
        self._passphrase = _check_passphrase(passphrase)
        self._max = max_work_factor

    def recipient(self) -> PassphraseRecipient:
        """A recipient for the same passphrase."""
        return PassphraseRecipient(self._passphrase_text)

    def unwrap_stanza(self, stanza: Stanza) -> bytes | None:
        """Unwrap a ``scrypt`` stanza; others are ignored."""
        if stanza.type != STANZA_TYPE:
            return None
        if len(stanza.args) != 2:
            raise HeaderError("scrypt stanza: expected exactly two arguments")
        try:
            salt = decode_raw(stanza.args[0].encode())
        except ValueError as exc:
            raise HeaderError(f"scrypt stanza: bad salt encoding: {exc}") from None
        if len(salt) != _SALT_SIZE:
            raise HeaderError("scrypt stanza: salt is not 16 bytes")
        text = stanza.args[1]
        if not _WORK_FACTOR.fullmatch(text):
            raise HeaderError("scrypt stanza: malformed work factor")
        if len(text) > 2 or int(text) > self._max:
            raise HeaderError(
                f"scrypt stanza: work factor {text[:8]} exceeds the limit {self._max}"
            )
        work_factor = int(text)
        if len(stanza.body) != WRAPPED_KEY_SIZE:
            raise HeaderError("scrypt stanza: body is not 32 bytes")
        key = _wrap_key(self._passphrase, salt, work_factor)
        try:
            return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, stanza.body, None)
        except InvalidTag:
            return None

    def __str__(self) -> str:
        return "scrypt passphrase identity"
