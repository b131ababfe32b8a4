"""Submission ids, the short receipt code a witness is shown, and the secret that proves decryption.

The receipt uses an alphabet without look-alikes (no 0/O, 1/I/L): 8 characters of 31 give ~39 bits,
shown as ``XXXX-XXXX`` — short enough to write down, too many to guess which ones exist.

The ack secret (256 random bits, sealed inside ``submission.json``) is what ``intake ack`` asks
for before it deletes a submission; the server keeps only :func:`ack_hash` of it. The secrets come
back in ``receipt.json`` (not the witness's receipt code: the offline side's list of what it
decrypted, written by ``intake.offline.receipt`` and read by ``intake.outbox.ack``); its format
name and size bound are defined here, once, for both sides.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets

RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACK_SECRET_RE = re.compile(r"[0-9a-f]{64}")  # an ack secret: 32 bytes as lowercase hex
RECEIPT_FORMAT = "witness-intake/receipt/v1"  # of receipt.json
MAX_RECEIPT_BYTES = 64 * 1024 * 1024  # ~250,000 entries: far more than one stick carries


def new_receipt() -> str:
    """A random receipt code such as ``7KQ3-M9XD``."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def new_submission_id() -> str:
    """A random submission id: 128 bits as 26 lowercase base32 characters."""
    return base64.b32encode(os.urandom(16)).decode().rstrip("=").lower()


def new_ack_secret() -> str:
    """A fresh ack secret: 32 random bytes as 64 lowercase hex characters."""
    return os.urandom(32).hex()


def ack_hash(secret: str) -> str:
    """What the server keeps of an ack secret: sha256 (hex) of its 32 bytes."""
    return hashlib.sha256(bytes.fromhex(secret)).hexdigest()
