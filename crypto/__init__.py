"""age v1 (C2SP) on pyca/cryptography: seal to recipients, open with identities, parse keys.

Recipient types: post-quantum hybrid ``mlkem768x25519`` (``age1pq1…``, the default), classic
``X25519`` (``age1…``) and ``scrypt`` passphrases. Post-quantum and classic recipients are never
mixed in one file. Imports nothing from the rest of the project.
"""

from __future__ import annotations

from crypto.base import Identity, Recipient
from crypto.decrypt import DecryptReader, decrypt
from crypto.encrypt import EncryptWriter, encrypt
from crypto.errors import (
    AgeError,
    ArmorError,
    HeaderError,
    HeaderMACError,
    KeyFormatError,
    NoIdentityMatchError,
    PayloadError,
    RecipientMixError,
)
from crypto.hybrid import HybridIdentity, HybridRecipient
from crypto.identity_file import load_identity_file
from crypto.keys import (
    fingerprint,
    generate_identity,
    parse_identities,
    parse_identity,
    parse_recipient,
    parse_recipients,
)
from crypto.scrypt import PassphraseIdentity, PassphraseRecipient
from crypto.x25519 import X25519Identity, X25519Recipient

__all__ = [
    "AgeError",
    "ArmorError",
    "DecryptReader",
    "EncryptWriter",
    "HeaderError",
    "HeaderMACError",
    "HybridIdentity",
    "HybridRecipient",
    "Identity",
    "KeyFormatError",
    "NoIdentityMatchError",
    "PassphraseIdentity",
    "PassphraseRecipient",
    "PayloadError",
    "Recipient",
    "RecipientMixError",
    "X25519Identity",
    "X25519Recipient",
    "decrypt",
    "encrypt",
    "fingerprint",
    "generate_identity",
    "load_identity_file",
    "parse_identities",
    "parse_identity",
    "parse_recipient",
    "parse_recipients",
]
