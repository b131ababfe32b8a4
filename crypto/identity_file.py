"""Loading a staff identity file: plain age-keygen text, or that text age-encrypted to a passphrase.

``intake keygen`` writes the passphrase-protected form (an age file with one scrypt stanza, so stock
``age -d`` opens it too); files made by ``age-keygen`` are accepted as they are.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from crypto.armor import BEGIN as ARMOR_BEGIN
from crypto.base import Identity
from crypto.decrypt import decrypt
from crypto.errors import KeyFormatError, NoIdentityMatchError
from crypto.format import VERSION_PREFIX
from crypto.keys import parse_identities
from crypto.scrypt import PassphraseIdentity

MAX_IDENTITY_FILE = 1024 * 1024  # identity files are tiny; refuse to decrypt something huge


def is_encrypted_identity(data: bytes) -> bool:
    """True if ``data`` looks like an age file (binary or armored) rather than key text."""
    return data.startswith(VERSION_PREFIX) or data.lstrip().startswith(ARMOR_BEGIN)


def load_identity_file(
    data: bytes, passphrase_provider: Callable[[], str], *, source: str = "identity file"
) -> list[Identity]:
    """Identities from ``data``; ``passphrase_provider`` is called only if it is encrypted.

    Raises NoIdentityMatchError for a wrong passphrase, KeyFormatError for bad key text, and the
    other AgeError subclasses for a damaged encrypted file.
    """
    if is_encrypted_identity(data):
        passphrase = passphrase_provider()
        try:
            reader = decrypt(io.BytesIO(data), [PassphraseIdentity(passphrase)])
        except NoIdentityMatchError:
            raise NoIdentityMatchError(f"{source}: wrong passphrase") from None
        parts: list[bytes] = []
        total = 0
        while part := reader.read(64 * 1024):
            total += len(part)
            if total > MAX_IDENTITY_FILE:
                raise KeyFormatError(f"{source}: decrypted identity file is too large")
            parts.append(part)
        data = b"".join(parts)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFormatError(f"{source}: not a text identity file") from None
    return parse_identities(text, source=source)
